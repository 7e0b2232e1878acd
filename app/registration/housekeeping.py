"""Passport data is deleted PASSPORT_PURGE_DAYS after the event even if nobody runs
`flask portal purge-passports`: the mail sender does it once an hour (never a reader's request)."""
from flask import current_app
from sqlalchemy import select

from .. import clock
from ..events.models import Event
from ..extensions import db
from .services import purge_passport_data


def purge_passports_due() -> int:
    """Delete the passport data of every event that ended PASSPORT_PURGE_DAYS ago; returns how many."""
    purged = 0
    for event in db.session.scalars(select(Event)):
        purged += purge_passport_data(event, clock.now(), current_app.config["PASSPORT_PURGE_DAYS"])
    db.session.commit()
    if purged:
        current_app.logger.info("passport data deleted from %s registrations", purged)
    return purged
