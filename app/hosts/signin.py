"""Which host a console is signed in as: Flask-Login, under its own key in the session cookie
(`_user_id`, never the delegates' `delegate`), checked against the account on every request."""
from functools import wraps

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import login
from ..security import local_path
from ..timestamps import utcnow
from . import rules, services
from .models import Host

SEEN_KEY = "host_seen"  # when this console was last used (seconds since the epoch)
SEEN_EVERY = 60  # the cookie is rewritten at most this often


def sign_in(host: Host) -> None:
    """Sign this console in as `host` (never remembered beyond the session)."""
    login_user(host, remember=False)
    session[SEEN_KEY] = utcnow().timestamp()


def sign_out() -> None:
    logout_user()
    session.pop(SEEN_KEY, None)


def current_host() -> Host | None:
    """The signed-in host, if the account is still active, its cookie current and not idle 8 hours."""
    if "host" in g:
        return g.host
    host = current_user if current_user.is_authenticated else None
    now = utcnow()
    if host is not None and rules.is_idle(session.get(SEEN_KEY), now):
        sign_out()
        host = None
    if host is not None and now.timestamp() - session[SEEN_KEY] > SEEN_EVERY:
        session[SEEN_KEY] = now.timestamp()
    g.host = host
    return host


def host_required(permission: str = "console"):
    """Signed out (or signed in only as a delegate): 303 to the login page with `next`;
    signed in without the permission: 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            host = current_host()
            if host is None:
                # Back to the page after signing in; a form sent while signed out must be sent again.
                back = local_path(request.full_path.rstrip("?")) if request.method == "GET" else None
                return redirect(url_for("hosts.login", next=back), code=303)
            if not rules.may(host.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _load(value) -> Host | None:
    return services.host_for_cookie(value)


def init_app(app: Flask) -> None:
    # What LoginManager.init_app does, without its two hooks on every response: a context
    # processor and the «remember me» cookie's refresh both read the session, so every public page
    # would say `Vary: Cookie` and no shared cache could keep it. The console needs neither.
    app.login_manager = login
    login.user_loader(_load)
