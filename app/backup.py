"""Backups that restore: a consistent copy of the database taken while the portal runs.

SQLite: the online backup API copies pages under a read transaction (WAL lets writers go on).
PostgreSQL: `pg_dump --format=custom` (one snapshot) and `pg_restore`, from Debian's
postgresql-client, which must be at least the server's version.
"""
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from .extensions import db


class BackupError(RuntimeError):
    """The copy could not be made or loaded; nothing was changed."""


def backup(path: Path) -> None:
    """Write a consistent copy of the portal's database to `path`."""
    url = make_url(str(db.engine.url))
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(url.database, path)
        return
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", _libpq(url)])


def restore(path: Path) -> None:
    """Load a copy made by `backup` into the portal's database, which must be empty."""
    if not Path(path).is_file():
        raise BackupError(f"{path}: no such file")
    if inspect(db.engine).get_table_names():
        raise BackupError("the database is not empty: restore into a new one")
    url = make_url(str(db.engine.url))
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(path, url.database)
        return
    _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}", str(path)])


def _copy_sqlite(source_path, target_path) -> None:
    """SQLite's online backup: page by page under a read transaction, writers go on meanwhile."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is missing: apt-get install postgresql-client")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
