"""Database settings that the models do not show.

SQLite: WAL (readers never wait for the writer), a busy timeout, foreign keys on, and every
POST request's transaction begun IMMEDIATE, so that a sign-up holds the write lock before it
reads what it checks. PostgreSQL locks rows instead (see program.services.lock_sessions).
"""
import fcntl
import os
import threading
import weakref
from functools import lru_cache

from alembic.script import ScriptDirectory
from flask import Flask, g, has_request_context, request
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import DBAPIError

from .config import ROOT
from .extensions import db


def _on_connect(dbapi_connection, record):
    # We begin transactions ourselves (below); the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # SQLite's lower() and LIKE fold only ASCII letters: searches in Cyrillic need Python's
    # casefold (PostgreSQL's lower() knows every script).
    dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


class WriterQueue:
    """The writers of one SQLite database, in line for its write lock.

    SQLite lets one writer in at a time; a writer that finds the lock taken sleeps and tries again,
    1, 2, 5, 10, then up to 100 ms later (its busy handler), so in a rush of sign-ups the lock
    stands free while the next writer sleeps. Here a request's writer waits instead for a thread
    lock among this process's threads and an flock on a file beside the database among processes:
    the kernel hands that to the next waiter the moment it is let go. BEGIN IMMEDIATE then finds
    the write lock free (writers outside requests, such as the mail sender, still meet SQLite's
    busy handler)."""

    def __init__(self, database: str):
        self.path = f"{database}-writers"
        self.threads = threading.Lock()
        self.owner = None  # the thread in front, and how many of its connections are in
        self.depth = 0
        self.held = None

    def enter(self) -> None:
        if self.owner == threading.get_ident():  # a second connection of the writer in front: SQLite decides
            self.depth += 1
            return
        self.threads.acquire()
        try:
            held = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # its own, so never shared with a fork
            try:
                fcntl.flock(held, fcntl.LOCK_EX)
            except BaseException:
                os.close(held)
                raise
        except BaseException:
            self.threads.release()
            raise
        self.owner, self.depth, self.held = threading.get_ident(), 1, held

    def leave(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            held, self.owner, self.held = self.held, None, None
            os.close(held)  # lets go of the flock
            self.threads.release()


_queues: "weakref.WeakKeyDictionary[Engine, WriterQueue]" = weakref.WeakKeyDictionary()


def _on_begin(connection):
    # Only the request's writing transaction takes the lock; reads after its commit (rendering,
    # sending mail) must not hold the database while a mail server answers.
    writing = has_request_context() and request.method == "POST" and not g.get("committed")
    queue = _queues.get(connection.engine) if writing else None
    if queue is not None and "in_line" not in connection.info:
        queue.enter()
        connection.info["in_line"] = queue  # the pool record's: left when the connection is handed back
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _on_checkin(dbapi_connection, record):
    # Handed back to the pool: after its COMMIT or ROLLBACK has run (SQLAlchemy's commit event
    # comes before it), so the next writer finds SQLite's lock free.
    queue = record.info.pop("in_line", None) if record is not None else None
    if queue is not None:
        queue.leave()


def _on_commit(connection):
    if has_request_context():
        g.committed = True


def init_app(app: Flask) -> None:
    """Make the engine with these settings (Flask-SQLAlchemy makes it in its init_app)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server restarted under the portal leaves dead connections in every worker's pool:
        # each is tested as it is taken, so that the first request after the restart succeeds.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": True}
    db.init_app(app)
    app.teardown_appcontext(lambda error: end_session())  # before Flask-SQLAlchemy's own (teardowns run in reverse)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        if engine.url.database and engine.url.database != ":memory:":
            _queues[engine] = WriterQueue(engine.url.database)
            event.listen(engine.pool, "checkin", _on_checkin)
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
        event.listen(engine, "commit", _on_commit)


def end_session() -> None:
    """Close the request's session, even when the database server went away under it (restarted,
    or its connection cut): the rollback that closing sends then fails, and the whole pool is
    dropped, since every connection in it went with the server. The transaction died with the
    connection: nothing half-written is kept."""
    try:
        db.session.remove()
    except DBAPIError:
        db.session.registry.clear()
        db.engine.dispose()


def lock_row(row):
    """Lock this row until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's POST
    transactions hold the database's write lock already) and read it again under the lock."""
    model = type(row)
    statement = select(model).where(model.id == row.id)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(of=model)
    return db.session.execute(statement.execution_options(populate_existing=True)).scalar_one()


@lru_cache(maxsize=1)
def expected_schema() -> tuple[str, ...]:
    """The migration heads this code expects the database to be at."""
    return tuple(sorted(ScriptDirectory(str(ROOT / "migrations")).get_heads()))


def schema_is_current() -> bool:
    """Whether the database has been migrated to what this code expects (raises if it does not answer)."""
    versions = tuple(sorted(db.session.scalars(text("SELECT version_num FROM alembic_version"))))
    return versions == expected_schema()
