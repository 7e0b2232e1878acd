"""Signed links in newsletter emails: confirm (fresh for a week) and unsubscribe (for good)."""
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from ..email_address import address_fingerprint
from ..extensions import db
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
