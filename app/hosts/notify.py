"""The emails of the hosts' decisions, composed in the delegate's language and queued in the outbox."""
from .. import mail
from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration

TEMPLATES = {"confirmed": "registration_confirmed", "declined": "registration_declined"}


def queue_decision(registration: Registration, status: str, note: str = "") -> None:
    """Tell the delegate their registration is now `status` (confirmed or declined), with the
    hosts' note if one was given."""
    mail.queue(registration.email, TEMPLATES[status], registration.language,
               event=db.session.get(Event, registration.event_id), registration=registration, note=note)
