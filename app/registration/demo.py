"""Fictional delegates for a demo of the hosts' console (`flask portal load-demo --with-delegates`),
read from a TOML file: varied arrivals, hotel stays and needs, so that a demo shows pickup waves,
hotel nights and headsets. Never loaded for a real event."""
import tomllib
from datetime import datetime
from pathlib import Path

from ..email_address import canonical_email
from ..events.content import ContentError
from ..events.models import Event
from ..extensions import db
from .models import Registration
from .services import FIELDS


def load_demo_delegates(event: Event, path: Path, now: datetime) -> int:
    """Add the delegates of `path` to `event` as registered at `now` (no email is queued: these
    people do not exist); returns how many."""
    delegates = tomllib.loads(path.read_text(encoding="utf-8")).get("delegates", [])
    for item in delegates:
        unknown = set(item) - set(FIELDS) - {"status"}
        if unknown or item.get("status", Registration.PENDING) not in Registration.ACTIVE + (
                Registration.DECLINED, Registration.CANCELLED):
            raise ContentError(f"{item.get('email')}: unknown fields or status {sorted(unknown)}")
        registration = Registration(event_id=event.id, email_key=canonical_email(item["email"]),
                                    privacy_consent_at=now, created_at=now, updated_at=now, **item)
        if registration.status == Registration.CANCELLED:
            registration.cancelled_at = now
        db.session.add(registration)
    db.session.flush()
    return len(delegates)
