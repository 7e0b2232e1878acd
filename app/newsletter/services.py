"""Subscribing, confirming and unsubscribing: the rules of the newsletter."""
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..database import lock_row
from ..email_address import canonical_email
from ..events.models import Event
from ..extensions import db
from ..timestamps import utcnow
from . import notify
from .models import Subscriber

def subscribe(event: Event, email: str, language: str) -> Subscriber | None:
    """Record a sign-up and queue the confirmation email; returns the subscriber who was asked
    to confirm, or None if the address is confirmed already."""
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
    subscriber = lock_row(subscriber)  # sign-ups of one address at once count confirmations one by one
    subscriber.status = Subscriber.PENDING
    subscriber.language = language
    db.session.flush()
    if may_email(subscriber):
        notify.queue_confirmation(event, subscriber)
    return subscriber


def may_email(subscriber: Subscriber) -> bool:
    """Whether this address may get another confirmation email now (RATELIMIT_SUBSCRIBE_PER_ADDRESS),
    however many clients or workers ask; counted in the outbox under the subscriber's row lock."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    return mail.within_limits(current_app.config["RATELIMIT_SUBSCRIBE_PER_ADDRESS"], subscriber.email,
                              ("newsletter_confirm",))


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
    subscribes (and asks for a confirmation by email, returning who was asked); unticked, it unsubscribes."""
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
