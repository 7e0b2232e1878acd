"""Which delegate a device is signed in as. The device's cookie (Flask's signed, HttpOnly
session) carries a random token; the sign-in it names is stored, so it can be ended."""
from functools import wraps

from flask import after_this_request, current_app, g, redirect, session, url_for
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db
from ..registration import services
from ..registration.models import Registration, SignIn
from .reading import Reader, reader, reader_values

SESSION_KEY = "delegate"


def sign_in_registered(registration: Registration) -> None:
    """The device that filled in the form is signed in, until the address's owner proves it."""
    _keep(services.sign_in(registration, SignIn.FORM))


def sign_in_with_link(token: str, now) -> Registration:
    """The device whose owner pressed «Sign in on this device» on an emailed link (raises InvalidLink)."""
    registration, device = services.sign_in_with_link(token, current_app.config["DELEGATE_LINK_MAX_AGE"], now)
    _keep(device)
    return registration


def sign_out(now, everywhere: bool = False) -> None:
    """Sign this device out; `everywhere`: every device of this delegate."""
    services.sign_out(session.pop(SESSION_KEY, None), now, everywhere)
    g.delegate = g.reader = g.reader_values = None


def current_delegate() -> Registration | None:
    """The signed-in delegate's registration, looked up once per request. A page shown to a
    signed-in delegate is theirs alone: no cache between them and the portal keeps it."""
    if "delegate" not in g:
        g.delegate = services.signed_in(session.get(SESSION_KEY))
        if g.delegate is not None:
            after_this_request(private)
    return g.delegate


def current_reader(every_column: bool = False) -> Reader | None:
    """The signed-in delegate as the pages they read on every request need them (their places,
    and with `every_column` their registration as stored), in one statement, once per request;
    the response is theirs alone, as with current_delegate. Actions use current_delegate."""
    name = "reader_values" if every_column else "reader"
    if name not in g:
        read = reader_values if every_column else reader
        g.setdefault(name, read(session.get(SESSION_KEY), current_app.config["SIGN_IN_MAX_AGE"]))
        if g.get(name) is not None:
            after_this_request(private)
    return g.get(name)


def delegate_to_lock() -> Registration | None:
    """The signed-in delegate's registration for an action that locks it before anything else (a
    join, a leave): found by current_reader, through the driver, and not read here. The action's
    lock reads it, so the write transaction starts there and the sign-in was checked before it."""
    found = current_reader()
    if found is None:
        return None
    registration = Registration(id=found.id)
    make_transient_to_detached(registration)  # a row known to exist, its columns not loaded yet
    db.session.add(registration)
    return registration


def delegate_required(view):
    """Send a device that is not signed in to the page that emails a private link."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_delegate() is None:
            return redirect(url_for("registration.request_link"), code=303)
        return view(*args, **kwargs)

    return wrapper


def _keep(token: str) -> None:
    """This device's cookie names the new sign-in; a sign-in it held before ends."""
    previous = session.get(SESSION_KEY)
    if previous:
        services.end_device(previous)
    session[SESSION_KEY] = token
    session.permanent = True
    for name in ("delegate", "reader", "reader_values"):
        g.pop(name, None)


def private(response):
    """Keep the response out of every cache (a delegate's own pages)."""
    response.headers["Cache-Control"] = "private, no-store"
    return response
