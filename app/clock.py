"""The portal's clock. PORTAL_NOW pins it (the demo runs as if registration were still open)."""
from datetime import date, datetime, timezone

from flask import current_app


def now() -> datetime:
    """The current moment, timezone-aware."""
    pinned = current_app.config.get("PORTAL_NOW")
    if pinned:
        moment = datetime.fromisoformat(pinned)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in UTC (days that every worker and instance agree on)."""
    return now().astimezone(timezone.utc).date()
