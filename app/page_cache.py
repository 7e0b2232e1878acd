"""Pages that are the same for every reader, kept rendered in each worker.

A page is kept under the versions it was made from (the event's program version, its content
version: app/events/models.py), its language and second language, and the host it was asked
at. Every change raises a version in the same transaction as the change, and every request
reads the versions first, so a kept page is served only while it is still right, from any
worker or instance. What differs per reader (a form's token) is filled in after (see `fill`).

What decides which kept page a request gets (the versions, a signed-in reader's places) is read
through the driver (read_through_driver): no ORM, no transaction, a fraction of the cost.

A page that differs per reader in a few places is kept as a `Frame`: rendered once with a
`slot(name)` where each of those places goes, and filled per request with pieces that are
themselves kept under everything they show (a session's card per state, for instance).
"""
import re
from functools import lru_cache

from flask import current_app
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError

from .extensions import db

# Stands where a page's form token goes; replaced per request (fill).
TOKEN_SLOT = "\x00csrf-token\x00"
TOKEN_SLOT_BYTES = TOKEN_SLOT.encode()
# Stands where a frame's named piece goes (slot, Frame).
SLOT = "\x00slot:{}\x00"
SLOTS = re.compile("\x00slot:([^\x00]*)\x00")


class PageCache:
    def __init__(self, size: int = 64):
        self.size = size
        self.pages: dict[tuple, object] = {}

    def get(self, key):
        return self.pages.get(key)

    def put(self, key, body) -> None:
        if len(self.pages) >= self.size:
            # The oldest goes first: old versions, and pieces made long ago.
            try:
                del self.pages[next(iter(self.pages))]
            except (RuntimeError, StopIteration, KeyError):
                pass  # another thread of this worker made room at the same moment
        self.pages[key] = body


def pages() -> PageCache:
    return current_app.extensions.setdefault("page_cache", PageCache())


def pdfs() -> PageCache:
    """PDFs are larger than pages (about 50 KB each): a few languages and pairs for the newest version."""
    return current_app.extensions.setdefault("pdf_cache", PageCache(size=8))


def pieces() -> PageCache:
    """What frames are filled with, and the frames: many small entries (a few KB each)."""
    return current_app.extensions.setdefault("piece_cache", PageCache(size=4096))


def own_pages() -> PageCache:
    """Pages kept per reader, under everything they show of that reader (their places, their own
    page): a page each (up to about 20 KB)."""
    return current_app.extensions.setdefault("own_page_cache", PageCache(size=512))


def kept(store: PageCache, key: tuple, make):
    """`store`'s entry for `key`, made (and kept) when missing."""
    value = store.get(key)
    if value is None:
        value = make()
        store.put(key, value)
    return value


def remembered(key: tuple, compute):
    """A value worked out once per worker for `key` (which names the versions it comes from)."""
    return kept(pages(), ("value", *key), compute)


def fill(body: str | bytes, token: str) -> str | bytes:
    """A kept page with this reader's form token in its slots."""
    if isinstance(body, bytes):
        return body.replace(TOKEN_SLOT_BYTES, token.encode())
    return body.replace(TOKEN_SLOT, token)


def slot(name) -> Markup:
    """Where a frame's piece `name` goes (rendered into the frame's template)."""
    return Markup(SLOT.format(name))


class Frame:
    """A page rendered with slots, split once; `fill` puts a piece in each slot."""

    def __init__(self, html: str):
        self.parts = SLOTS.split(html)  # text, slot name, text, slot name, …, text

    @property
    def slots(self) -> list[str]:
        return self.parts[1::2]

    def fill(self, pieces: dict[str, str]) -> str:
        parts = self.parts.copy()
        parts[1::2] = [pieces[name] for name in self.slots]
        return "".join(parts)


def read_through_driver(statement, params: dict, typed: bool = False) -> list[tuple]:
    """The rows of a Core SELECT run on the driver's own connection (no ORM, no transaction: one
    statement, one moment), its parameters converted as SQLAlchemy converts them, and with `typed`
    its values too (else as the driver gives them). A fraction of the cost through a Connection."""
    dialect = db.engine.dialect
    compiled = _compiled(statement, dialect)
    values = compiled.construct_params(params)
    for name, value in values.items():
        convert = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            values[name] = convert(value)
    arguments = tuple(values[name] for name in compiled.positiontup) if compiled.positional else values
    dbapi_error = dialect.loaded_dbapi.Error
    try:
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(compiled.string, arguments)
            rows = cursor.fetchall()
            driver_types = tuple(column[1] for column in cursor.description)
            cursor.close()
        finally:
            connection.close()
    except dbapi_error as error:  # raised as SQLAlchemy raises it, so that the reader gets the 503 page
        raise DBAPIError.instance(compiled.string, arguments, error, dbapi_error) from error
    if typed:
        converters = _result_converters(statement, dialect, driver_types)
        rows = [tuple(convert(value) if convert else value for convert, value in zip(converters, row)) for row in rows]
    return rows


@lru_cache(maxsize=16)
def _compiled(statement, dialect):
    return statement.compile(dialect=dialect)


@lru_cache(maxsize=16)
def _result_converters(statement, dialect, driver_types: tuple) -> tuple:
    return tuple(column.type.dialect_impl(dialect).result_processor(dialect, driver_type)
                 for column, driver_type in zip(statement.selected_columns, driver_types))
