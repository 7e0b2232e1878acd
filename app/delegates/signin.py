"""Which delegate a device is signed in as: a signed, HttpOnly session cookie."""
from functools import wraps

from flask import g, redirect, session, url_for

from ..registration.models import Registration
from ..registration.services import signed_in

SESSION_KEY = "delegate"


def sign_in(registration: Registration) -> None:
    session[SESSION_KEY] = [registration.id, registration.link_version]
    session.permanent = True


def sign_out() -> None:
    session.pop(SESSION_KEY, None)


def current_delegate() -> Registration | None:
    """The signed-in delegate's registration, looked up once per request."""
    if "delegate" not in g:
        value = session.get(SESSION_KEY)
        registration = None
        if isinstance(value, list) and len(value) == 2:
            registration = signed_in(*value)
        g.delegate = registration
    return g.delegate


def delegate_required(view):
    """Send a device that is not signed in to the page that emails a private link."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_delegate() is None:
            return redirect(url_for("registration.request_link"), code=303)
        return view(*args, **kwargs)

    return wrapper
