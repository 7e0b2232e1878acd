"""Telling a delegate from the waitlist that a seat is now theirs, in their language."""
from .. import mail
from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration


def queue_promotions(promotions) -> None:
    """Queue an email for each promoted delegate who is still coming, naming any seat at the
    same time they gave up for it (program.services.Promotion)."""
    for promotion in promotions:
        registration = db.session.get(Registration, promotion.registration_id)
        if registration is None or not registration.is_active:
            continue
        session = promotion.seat.session
        mail.queue(
            registration.email, "seat_promoted", registration.language,
            event=db.session.get(Event, registration.event_id), registration=registration,
            session=session, gave_up=promotion.gave_up,
            link=mail.link("program.session", lang=registration.language, slug=session.slug),
        )
