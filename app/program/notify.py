"""Telling delegates, in their language, that a seat is now theirs or that a session moved."""
from sqlalchemy import select

from .. import mail
from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration
from .models import Seat


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


def queue_session_moved(session, was_starts_at, was_ends_at, was_room) -> int:
    """Tell every delegate still coming who holds a seat or a waitlist place in `session` that
    hosts moved it (old → new day, time or room), each in their language; returns how many."""
    holders = db.session.execute(
        select(Registration, Seat.status).join(Seat, Seat.registration_id == Registration.id)
        .where(Seat.session_id == session.id).order_by(Registration.id))
    event = db.session.get(Event, session.event_id)
    told = 0
    for registration, status in holders:
        if not registration.is_active:
            continue
        mail.queue(
            registration.email, "session_moved", registration.language, event=event, registration=registration,
            session=session, waiting=status == Seat.WAITING, was_starts_at=was_starts_at, was_ends_at=was_ends_at,
            was_room=was_room, link=mail.link("program.session", lang=registration.language, slug=session.slug),
        )
        told += 1
    return told
