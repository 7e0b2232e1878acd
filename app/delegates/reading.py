"""What a signed-in delegate's pages read on every request, in one statement: who the device is
signed in as, their places with their numbers in line, and for their own page the registration
as stored; and the key their own page is kept under (web/registration.py)."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..page_cache import read_through_driver
from ..program import services as program
from ..program.models import Seat
from ..registration.models import Registration, SignIn
from ..timestamps import utcnow
from . import services


@dataclass(frozen=True)
class Reader:
    """The delegate a device is signed in as, as the pages they read on every request need them:
    their registration (`values`: its id and status; with reader_values every stored column)
    and their places with their numbers in line."""

    values: dict
    places: tuple[program.PlaceFacts, ...]

    @property
    def id(self) -> int:
        return self.values["id"]

    @property
    def is_active(self) -> bool:
        return self.values["status"] in Registration.ACTIVE

    @property
    def agenda_count(self) -> int:
        return sum(1 for place in self.places if place.status == Seat.SEATED)


_place = aliased(Seat)
PLACE_COLUMNS = (_place.session_id.label("place_session_id"), _place.status.label("place_status"),
                 program.position_in_line(_place).label("place_position"))


def _signed_in(*columns):
    """The same sign-in as registration.services.signed_in (a current, unexpired sign-in of a
    registration that is not erased), with `columns` and every place the delegate holds."""
    return (
        select(*columns, *PLACE_COLUMNS)
        .select_from(SignIn).join(Registration, Registration.id == SignIn.registration_id)
        .outerjoin(_place, _place.registration_id == Registration.id)
        .where(SignIn.token_digest == bindparam("digest"), SignIn.ended_at.is_(None),
               SignIn.created_at > bindparam("since", type_=SignIn.created_at.type), Registration.erased_at.is_(None))
    )


# Every page a signed-in delegate reads runs one of these: the first, through the driver, has
# plain values only; the second (their own page) every column of the registration, as stored.
READER = _signed_in(Registration.id, Registration.status)
READER_VALUES = _signed_in(*Registration.__table__.columns)
COLUMNS = tuple(column.name for column in Registration.__table__.columns)


def reader(token, max_age: int) -> Reader | None:
    """Who the device with this sign-in token is and their places (None: no current sign-in),
    read through the driver: no ORM, no transaction (so a POST's write lock is not taken yet)."""
    rows = _read(READER, token, max_age, read_through_driver)
    return Reader({"id": rows[0][0], "status": rows[0][1]}, _places(rows)) if rows else None


def reader_values(token, max_age: int) -> Reader | None:
    """`reader` with every stored column of the registration, typed as the models type them."""
    rows = _read(READER_VALUES, token, max_age,
                 lambda statement, params: read_through_driver(statement, params, typed=True))
    return Reader(dict(zip(COLUMNS, rows[0])), _places(rows)) if rows else None


def _read(statement, token, max_age: int, execute) -> list:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return []
    return execute(statement, {"digest": hashlib.sha256(token.encode()).hexdigest(),
                               "since": utcnow() - timedelta(seconds=max_age)})


def _places(rows) -> tuple[program.PlaceFacts, ...]:
    return tuple(program.PlaceFacts(*row[-3:]) for row in rows if row[-3] is not None)


def own_page_key(values: dict, places) -> tuple:
    """Everything the delegate's own page shows of them (with the event's versions and the request,
    which the page adds): the registration as stored, every column, and their places with their
    numbers in line. Two readings with the same key show the same page."""
    return (tuple(_hashable(values[name]) for name in COLUMNS),
            tuple(sorted((place.session_id, place.status, place.position) for place in places)))


def stored_values(registration: Registration) -> dict:
    """A loaded registration's columns by name, as reader_values gives them."""
    return {attribute.columns[0].name: getattr(registration, attribute.key)
            for attribute in inspect(Registration).column_attrs}


def _hashable(value):
    """A JSON column's list or dict as text (a key is made of hashable values)."""
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, (list, dict)) else value


def own_page(registration_id: int, now: datetime) -> tuple[dict, tuple]:
    """`overview` of a registration read now, and the own_page_key of what it shows."""
    shown = services.overview(db.session.get(Registration, registration_id), now)
    places = [program.PlaceFacts(place.seat.session_id, place.seat.status, place.position) for place in shown["places"]]
    return shown, own_page_key(stored_values(shown["registration"]), places)
