"""Serialising what happens to one delegate: a row lock on their registration."""
from ..database import lock_row
from .models import Registration


def lock_registration(registration: Registration) -> Registration:
    """Lock the registration's row until the transaction ends, and read it again under the lock:
    a cancellation, sign-out or link use that just committed counts."""
    return lock_row(registration)
