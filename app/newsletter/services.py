"""Subscribing, confirming and unsubscribing: the rules of the newsletter."""
from itsdangerous import BadData, URLSafeTimedSerializer
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..email_address import address_fingerprint, canonical_email
from ..events.models import Event
from ..extensions import db
from ..timestamps import utcnow
from .models import Subscriber

CONFIRM_MAX_AGE = 7 * 24 * 3600


class InvalidLink(ValueError):
    """A confirmation or unsubscribe link that is forged, expired or for someone gone."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"newsletter-{purpose}")


def token_for(subscriber: Subscriber, purpose: str) -> str:
    """A signed link token bound to the subscriber and their address."""
    return _serializer(purpose).dumps([subscriber.id, address_fingerprint(subscriber.email_key)])


def subscriber_from(token: str, purpose: str, max_age: int | None = None) -> Subscriber:
    """The subscriber a link token names, if it is genuine (and, for confirmations, fresh)."""
    try:
        subscriber_id, fingerprint = _serializer(purpose).loads(token, max_age=max_age)
    except (BadData, TypeError, ValueError) as error:
        raise InvalidLink() from error
    subscriber = db.session.get(Subscriber, subscriber_id) if isinstance(subscriber_id, int) else None
    if subscriber is None or address_fingerprint(subscriber.email_key) != fingerprint:
        raise InvalidLink()
    return subscriber


def subscribe(event: Event, email: str, language: str) -> Subscriber | None:
    """Record a sign-up; returns the subscriber who needs a confirmation email, or None if confirmed already."""
    subscriber = find(event, email)
    if subscriber is None:
        subscriber = Subscriber(event_id=event.id, email=email, email_key=canonical_email(email), language=language)
        try:
            with db.session.begin_nested():
                db.session.add(subscriber)
        except IntegrityError:
            # The same address signed up in a request running alongside this one.
            subscriber = find(event, email)
    if subscriber.is_confirmed:
        return None
    subscriber.status = Subscriber.PENDING
    subscriber.language = language
    db.session.flush()
    return subscriber


def confirm(subscriber: Subscriber) -> None:
    """The subscriber confirmed their address: they will get the newsletter.

    An old confirmation link does not undo a later unsubscribe."""
    if subscriber.status == Subscriber.PENDING:
        subscriber.status = Subscriber.CONFIRMED
        subscriber.confirmed_at = utcnow()
    db.session.flush()


def unsubscribe(subscriber: Subscriber) -> None:
    """Stop sending to this subscriber."""
    subscriber.status = Subscriber.UNSUBSCRIBED
    db.session.flush()


def find(event: Event, email: str) -> Subscriber | None:
    """The subscription of an address, if any."""
    return db.session.scalar(select(Subscriber).filter_by(event_id=event.id, email_key=canonical_email(email)))


def is_subscribed(event: Event, email: str) -> bool:
    """Whether the address gets the newsletter or has asked for it (confirmed or pending)."""
    subscriber = find(event, email)
    return subscriber is not None and subscriber.status != Subscriber.UNSUBSCRIBED


def choose(event: Event, email: str, language: str, wanted: bool) -> Subscriber | None:
    """The newsletter box on the delegate's own form, which shows `is_subscribed`: ticked, it
    subscribes (returns who needs a confirmation email); unticked, it unsubscribes."""
    if wanted and not is_subscribed(event, email):
        return subscribe(event, email, language)
    if not wanted and is_subscribed(event, email):
        unsubscribe(find(event, email))
    return None


def forget(event: Event, email: str) -> None:
    """Delete the subscription of an address (the person erased their data)."""
    subscriber = find(event, email)
    if subscriber is not None:
        db.session.delete(subscriber)
        db.session.flush()
