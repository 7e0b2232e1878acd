"""Telling a delegate from the waitlist that a seat is now theirs, in their language."""
from flask import url_for

from .. import mail
from ..events.services import current_event
from ..extensions import db
from ..registration.models import Registration
from .models import Seat


def tell_promoted(seats: list[Seat]) -> None:
    """Email each promoted delegate (after the commit: a 2xx means stored, mail or not)."""
    event = current_event() if seats else None
    for seat in seats:
        registration = db.session.get(Registration, seat.registration_id)
        if registration is None or not registration.is_active:
            continue
        try:
            mail.send(
                registration.email, "seat_promoted", registration.language,
                event=event, registration=registration, session=seat.session,
                gave_up=getattr(seat, "gave_up", []),
                link=url_for("program.session", lang=registration.language, slug=seat.session.slug, _external=True),
            )
        except mail.MailNotSent:
            pass  # logged by mail.deliver; the seat is theirs either way and /LANG/me shows it
