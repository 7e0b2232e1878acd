"""A delegate's private link: a signed token bound to the registration, its address and its
version; and the cap on how many link emails one address receives."""
import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from .. import mail
from ..email_address import address_fingerprint
from ..extensions import db
from .locking import lock_registration
from .models import Registration, SignIn


class InvalidLink(Exception):
    """A private link that is forged, expired, used already, or for a registration that changed or is gone."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="delegate-link")


def link_token(registration: Registration) -> str:
    """The token in a delegate's private link: bound to this registration, its address and version,
    with a nonce of its own (a link signs in once)."""
    return _serializer().dumps([registration.id, address_fingerprint(registration.email_key),
                                registration.link_version, secrets.token_hex(8)])


def read_link(token: str, max_age: int) -> tuple[Registration, str]:
    """The registration a private link names and the link's nonce, if the link is genuine, fresh,
    still current and not used yet."""
    try:
        registration_id, fingerprint, version, nonce = _serializer().loads(token, max_age=max_age)
    except (BadData, TypeError, ValueError) as error:
        raise InvalidLink() from error
    registration = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if (
        registration is None
        or not isinstance(nonce, str)
        or address_fingerprint(registration.email_key) != fingerprint
        or registration.link_version != version
        or registration.is_erased
        or db.session.scalar(select(SignIn.id).where(SignIn.link_nonce == nonce)) is not None
    ):
        raise InvalidLink()
    return registration, nonce


def registration_from_link(token: str, max_age: int) -> Registration:
    """The registration a private link names, if the link is genuine, fresh, current and unused."""
    return read_link(token, max_age)[0]


LINK_TEMPLATES = ("registration_received", "registration_link")


def may_email_link(registration: Registration) -> bool:
    """Whether this address may get a link email now: not erased, and within
    RATELIMIT_LINK_PER_ADDRESS however many clients or workers ask (an inbox is not flooded).

    Counted in the outbox under a lock on the registration, so two requests at once cannot
    both pass the last free place."""
    if registration.is_erased:
        return False
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    lock_registration(registration)
    return mail.within_limits(current_app.config["RATELIMIT_LINK_PER_ADDRESS"], registration.email, LINK_TEMPLATES)
