"""The hosts' decisions on a registration: confirming, declining, and notes."""
from datetime import datetime

from ..extensions import db
from ..program import services as program
from ..registration import letters
from ..registration.locking import lock_registration
from ..registration.models import Registration
from . import audit, notify, rules
from .models import Host, HostNote


def decide(actor: Host, registration: Registration, decision: str, note: str, now: datetime) -> bool:
    """Confirm or decline a registration (`decision`: confirm, decline). The change goes to the audit
    log and the delegate is emailed in their language, with `note` if given; a declined delegate's
    seats go to the waitlists and their visa letter, if one was issued, is withdrawn. Under the registration's lock, so a doubled tap changes it once.
    Returns whether anything changed; raises rules.DecisionRefused."""
    registration = lock_registration(registration)
    status = rules.status_after(decision, registration.status, registration.is_erased)
    if status is None:
        return False
    before = {"status": registration.status}
    registration.status = status
    registration.updated_at = now
    if status == Registration.DECLINED:
        program.release_all(registration)
        withdrawn = letters.withdraw_on_leaving(registration, now)
        if withdrawn is not None:
            audit.record(actor, "registration.visa_letter_withdrawn", "registration", registration.id, None,
                         {"reference": withdrawn.reference})
    after = {"status": status}
    if note:
        db.session.add(HostNote(registration_id=registration.id, host_id=actor.id, at=now, text=note, emailed=True))
        after["note"] = note
    audit.record(actor, f"registration.{status}", "registration", registration.id, before, after)
    notify.queue_decision(registration, status, note)
    return True


def add_note(actor: Host, registration: Registration, text: str, now: datetime) -> HostNote:
    """A note the hosts keep on a registration (never sent to the delegate); in the audit log too."""
    note = HostNote(registration_id=registration.id, host_id=actor.id, at=now, text=text, emailed=False)
    db.session.add(note)
    audit.record(actor, "registration.noted", "registration", registration.id, None, {"note": text})
    return note
