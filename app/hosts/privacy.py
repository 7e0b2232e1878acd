"""What the console keeps about a delegate goes when the delegate's data is erased: the hosts'
notes on the registration, and the notes and details its audit entries carried (who changed its
status, and when, stays); their visa letters are withdrawn and lose the name, so that an
embassy checking one is told it was withdrawn, and nothing more."""
from flask import Flask
from sqlalchemy import delete, update

from .. import clock
from ..extensions import db
from ..registration import letters
from ..registration.models import Registration
from ..registration.services import erased
from .models import AuditEntry, HostNote


def forget(registration: Registration, **_) -> None:
    """Called in the transaction that erases `registration` (registration.services.erased)."""
    db.session.execute(delete(HostNote).where(HostNote.registration_id == registration.id))
    db.session.execute(update(AuditEntry).where(AuditEntry.object_kind == "registration",
                                                AuditEntry.object_id == registration.id)
                       .values(before=None, after=None))
    letters.forget(registration, clock.now())


def init_app(app: Flask) -> None:
    erased.connect(forget)  # once for the process, however many apps are made (blinker keeps one)
