"""SQLite's writers in line (app/database.py, WriterQueue): a request that writes waits its turn
and is let in when the one in front is done, however that one ended."""
import threading
import time

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="PostgreSQL locks rows: no line to wait in")

RAISE = "UPDATE events SET content_version = content_version + 1"


def write_elsewhere(app, done: list) -> threading.Thread:
    """Another request, in another thread, that writes and commits."""

    def run():
        with app.test_request_context("/en/register", method="POST"):
            db.session.execute(text(RAISE))
            db.session.commit()
            done.append(time.monotonic())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def content_version(app) -> int:
    with app.app_context():
        return db.session.scalar(text("SELECT content_version FROM events"))


@pytest.mark.parametrize("ending", ["commit", "rollback", "error"])
def test_the_next_writer_goes_in_when_the_one_in_front_is_done(app, event, ending):
    before = content_version(app)
    done = []
    with app.test_request_context("/en/register", method="POST"):
        db.session.execute(text(RAISE))  # BEGIN IMMEDIATE: this request is in front
        waiting = write_elsewhere(app, done)
        waiting.join(0.5)
        assert waiting.is_alive() and not done  # in line behind this one
        released = time.monotonic()
        if ending == "commit":
            db.session.commit()
        elif ending == "rollback":
            db.session.rollback()
        else:  # a statement fails: the request ends with its transaction rolled back
            with pytest.raises(Exception):
                db.session.execute(text("UPDATE no_such_table SET x = 1"))
            db.session.rollback()
    waiting.join(10)
    assert done and done[0] >= released
    assert content_version(app) == before + (2 if ending == "commit" else 1)


def test_a_writer_whose_session_is_dropped_leaves_the_line(app, event):
    """A request that ends without commit or rollback (its session closed by the teardown)."""
    with app.test_request_context("/en/register", method="POST"):
        db.session.execute(text(RAISE))
    done = []
    write_elsewhere(app, done).join(10)
    assert done


def test_reads_and_later_writes_of_a_request_do_not_wait_for_it(app, event):
    """After its commit, a request's reads (rendering the answer) take no place in line."""
    done = []
    with app.test_request_context("/en/register", method="POST"):
        db.session.execute(text(RAISE))
        db.session.commit()
        db.session.scalar(text("SELECT content_version FROM events"))  # a read after the commit
        write_elsewhere(app, done).join(10)
    assert done
