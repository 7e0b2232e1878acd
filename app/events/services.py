"""Finding the event a request is about."""
from flask import g
from sqlalchemy import select

from ..extensions import db
from .models import Event


class NoEvent(LookupError):
    """The database holds no event yet: run `flask portal load-demo`."""


def current_event() -> Event:
    """The portal's event (one per installation for now), looked up once per request."""
    event = g.get("event")
    if event is None:
        event = db.session.scalars(select(Event).order_by(Event.id).limit(1)).first()
        if event is None:
            raise NoEvent()
        g.event = event
    return event


def current_program_version() -> tuple[int, int]:
    """(event id, program version), read without loading the event: the cached program page needs no more."""
    connection = db.engine.raw_connection()  # the driver's own connection: no ORM, no transaction events
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT id, program_version FROM events ORDER BY id LIMIT 1")
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    if row is None:
        raise NoEvent()
    return row[0], row[1]
