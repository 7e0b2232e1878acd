"""Finding the event a request is about."""
from typing import NamedTuple

from flask import g
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

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


class Versions(NamedTuple):
    """What a kept page was made from: the event, and the versions of its program and content."""

    event_id: int
    program: int
    content: int


def current_versions() -> Versions:
    """The event's versions, read without loading the event: a kept page needs no more."""
    statement = "SELECT id, program_version, content_version FROM events ORDER BY id LIMIT 1"
    dbapi_error = db.engine.dialect.loaded_dbapi.Error
    try:
        connection = db.engine.raw_connection()  # the driver's own connection: no ORM, no transaction events
        try:
            cursor = connection.cursor()
            cursor.execute(statement)
            row = cursor.fetchone()
            cursor.close()
        finally:
            connection.close()
    except dbapi_error as error:  # raised as SQLAlchemy raises it, so that the reader gets the 503 page
        raise DBAPIError.instance(statement, None, error, dbapi_error) from error
    if row is None:
        raise NoEvent()
    return Versions(*row)
