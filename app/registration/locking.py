"""Serialising what happens to one delegate: a row lock on their registration."""
from sqlalchemy import select

from ..extensions import db
from .models import Registration


def lock_registration(registration: Registration) -> Registration:
    """Lock the registration's row until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's
    POST transactions hold the database's write lock already), and read it again under the lock."""
    statement = select(Registration).where(Registration.id == registration.id)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(of=Registration)
    return db.session.execute(statement.execution_options(populate_existing=True)).scalar_one()
