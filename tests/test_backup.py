"""`flask portal backup` while registrations keep coming, then `flask portal restore` into a new,
empty database: every registration acknowledged before the backup began is there."""
import threading
import time
import uuid

from sqlalchemy import select

from app.extensions import db
from app.registration.models import Registration
from tests.conftest import POSTGRES_URL, dispose, drop_database, make_app, postgres_admin, register


def test_a_backup_taken_during_writes_restores_every_acknowledged_registration(app, open_registration, runner, tmp_path):
    acknowledged, stop = [], threading.Event()

    def delegates_registering(writer: int):
        number = 0
        while not stop.is_set():
            email = f"w{writer}-{number}@example.org"
            if register(app.test_client(), email=email).status_code == 303:
                acknowledged.append(email)
            number += 1

    writers = [threading.Thread(target=delegates_registering, args=(n,)) for n in range(2)]
    for thread in writers:
        thread.start()
    try:
        while len(acknowledged) < 10:
            time.sleep(0.05)
        before = list(acknowledged)
        copy = tmp_path / "portal.backup"
        result = runner.invoke(args=["portal", "backup", str(copy)])
        assert result.exit_code == 0, result.output
        time.sleep(0.2)  # the writers go on after the backup
    finally:
        stop.set()
        for thread in writers:
            thread.join(30)
    assert len(acknowledged) > len(before)

    empty = f"restored_{uuid.uuid4().hex[:8]}" if POSTGRES_URL else tmp_path / "restored.sqlite3"
    if POSTGRES_URL:
        postgres_admin(f'CREATE DATABASE "{empty}"')
    restored = make_app(empty)
    try:
        result = restored.test_cli_runner().invoke(args=["portal", "restore", str(copy)])
        assert result.exit_code == 0, result.output
        with restored.app_context():
            emails = set(db.session.scalars(select(Registration.email)))
        assert set(before) <= emails
        assert restored.test_client().get("/healthz").status_code == 200  # the schema came along
        again = restored.test_cli_runner().invoke(args=["portal", "restore", str(copy)])
        assert again.exit_code != 0 and "not empty" in again.output  # never over a database in use
    finally:
        dispose(restored)
        drop_database(empty)


def test_restoring_a_missing_file_is_refused(app, runner, tmp_path):
    result = runner.invoke(args=["portal", "restore", str(tmp_path / "nothing.backup")])
    assert result.exit_code == 2 and "does not exist" in result.output
