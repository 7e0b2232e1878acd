"""What happens to a delegate across registration, the program and the newsletter."""
import json
from dataclasses import dataclass
from datetime import datetime

from ..events.models import Event
from ..extensions import db
from ..newsletter import services as newsletter
from ..program import services as program
from ..program.models import Seat
from ..registration import services as registration_rules
from ..registration.models import Registration


@dataclass(frozen=True)
class Place:
    """A seat or a waitlist place, with the delegate's number in line on a waitlist."""

    seat: Seat
    position: int | None


def register(event: Event, data: dict, now: datetime, next_path: str | None = None) -> Registration:
    """A new registration (its link emailed), and the newsletter asked for confirmation if
    ticked. Raises what registration.services.register raises."""
    registration = registration_rules.register(event, data, now, next_path)
    if registration.newsletter:
        newsletter.subscribe(event, registration.email, registration.language)  # double opt-in
    return registration


def update(registration: Registration, data: dict, now: datetime) -> Registration:
    """Change a registration, and the newsletter box with it (ticked subscribes, unticked unsubscribes)."""
    registration_rules.update(registration, data, now)
    newsletter.choose(_event(registration), registration.email, registration.language, registration.newsletter)
    return registration


def is_subscribed(registration: Registration) -> bool:
    """What the newsletter box on the delegate's form shows."""
    return newsletter.is_subscribed(_event(registration), registration.email)


def cancel(registration: Registration, now: datetime) -> list[program.Promotion]:
    """The delegate withdraws: their seats go to the first on each waitlist, who are emailed.

    Only an active registration is cancelled; returns the promotions."""
    if not registration_rules.may_cancel(registration):
        return []
    program.lock_delegate(registration)  # no sign-up of this delegate runs alongside
    registration_rules.mark_cancelled(registration, now)
    return program.release_all(registration)


def erase(registration: Registration, now: datetime) -> list[program.Promotion]:
    """Delete the delegate's personal data (seats freed, subscription forgotten), keeping only
    anonymous counts for the hosts; returns the promotions."""
    promoted = program.release_all(registration)
    newsletter.forget(_event(registration), registration.email)
    registration_rules.erase_personal_data(registration, now)
    return promoted


def places(registration: Registration) -> list[Place]:
    """The delegate's seats and waitlist places in time order, with their number in line."""
    held = sorted(program.places(registration).values(), key=lambda seat: seat.session.starts_at)
    return [Place(seat, program.waitlist_position(seat) if seat.status == Seat.WAITING else None) for seat in held]


def overview(registration: Registration, now: datetime) -> dict:
    """What the delegate's own page shows: the registration, what they may do with it, their places."""
    event = _event(registration)
    return dict(event=event, registration=registration, places=places(registration),
                can_edit=registration_rules.may_edit(event, registration, now),
                can_reinstate=registration_rules.can_reinstate(registration, now))


def export_json(registration: Registration) -> str:
    """`export` as the JSON file the delegate downloads."""
    return json.dumps(export(registration), ensure_ascii=False, indent=2)


def export(registration: Registration) -> dict:
    """Everything stored about the delegate, as plain data (their right to a copy)."""
    data = registration_rules.export(registration)
    data["sessions"] = [
        {"session": place.seat.session.slug, "status": place.seat.status,
         "since": registration_rules.plain(place.seat.created_at), "waiting_list_position": place.position}
        for place in places(registration)
    ]
    subscriber = newsletter.find(_event(registration), registration.email)
    data["newsletter_subscription"] = None if subscriber is None else {
        "status": subscriber.status, "language": subscriber.language,
        "created_at": registration_rules.plain(subscriber.created_at),
        "confirmed_at": registration_rules.plain(subscriber.confirmed_at),
    }
    return data


def _event(registration: Registration) -> Event:
    return db.session.get(Event, registration.event_id)
