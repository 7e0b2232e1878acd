"""Passport data is deleted PASSPORT_PURGE_DAYS after the event even if nobody runs
`flask portal purge-passports`: the portal itself checks, at most once an hour per process,
on a reading request (a sign-up's transaction is never touched)."""
import time

from flask import Flask, current_app, request
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from .. import clock
from ..events.models import Event
from ..extensions import db
from .services import purge_passport_data

CHECK_EVERY = 3600  # seconds


def purge_when_due() -> None:
    state = current_app.extensions.setdefault("passport_purge", {"next": 0.0})
    if request.method != "GET" or time.monotonic() < state["next"]:
        return
    state["next"] = time.monotonic() + CHECK_EVERY
    try:
        event = db.session.scalars(select(Event).order_by(Event.id).limit(1)).first()
        purged = event is not None and purge_passport_data(event, clock.now(), current_app.config["PASSPORT_PURGE_DAYS"])
        if purged:
            db.session.commit()
            current_app.logger.info("passport data deleted from %s registrations", purged)
        else:
            db.session.rollback()
    except OperationalError:
        db.session.rollback()  # the database was busy: try again at the next check
        current_app.logger.warning("passport purge postponed: database busy")


def init_app(app: Flask) -> None:
    app.before_request(purge_when_due)
