"""A delegate's private link: a signed token bound to the registration, its address and its
version; and the cap on how many link emails one address receives."""
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import parse_many

from ..email_address import address_fingerprint
from ..extensions import db, limiter
from .models import Registration


class InvalidLink(Exception):
    """A private link that is forged, expired, or for a registration that changed or is gone."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="delegate-link")


def link_token(registration: Registration) -> str:
    """The token in a delegate's private link: bound to this registration, its address and version."""
    return _serializer().dumps([registration.id, address_fingerprint(registration.email_key), registration.link_version])


def registration_from_link(token: str, max_age: int) -> Registration:
    """The registration a private link names, if genuine, fresh and still current."""
    try:
        payload = _serializer().loads(token, max_age=max_age)
        registration_id, fingerprint, version = payload
    except (BadData, TypeError, ValueError) as error:
        raise InvalidLink() from error
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if (
        registration is None
        or address_fingerprint(registration.email_key) != fingerprint
        or registration.link_version != version
        or registration.is_erased
    ):
        raise InvalidLink()
    return registration


def may_email_link(registration: Registration) -> bool:
    """Whether this address may get a link email now: not erased, and within
    RATELIMIT_LINK_PER_ADDRESS however many clients ask (an inbox is not flooded)."""
    if registration.is_erased:
        return False
    if not limiter.enabled:
        return True
    key = address_fingerprint(registration.email_key)
    return all(limiter.limiter.test(item, "link-to", key) for item in _link_limits())


def link_emailed(registration: Registration) -> None:
    """A link email was queued for this address: it counts towards RATELIMIT_LINK_PER_ADDRESS."""
    if limiter.enabled:
        key = address_fingerprint(registration.email_key)
        for item in _link_limits():
            limiter.limiter.hit(item, "link-to", key)


def _link_limits():
    return parse_many(current_app.config["RATELIMIT_LINK_PER_ADDRESS"])
