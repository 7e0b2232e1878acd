"""Error pages in the reader's language: a clear message, the right status, never a stack trace."""
from flask import Flask, current_app, g, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from ..database import end_session
from ..events.services import NoEvent
from ..htmx import is_htmx
from ..security import UnreadableForm

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have moved, or the address may be mistyped.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too much data"), _l("What you sent is too large. Please shorten it and try again.")),
    414: (_l("Address too long"), _l("The address is too long. Please go back and try again.")),
    429: (_l("Please wait"), _l("Too many attempts. Try again later.")),
    431: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    503: (_l("Not ready yet"), _l("The portal is not ready yet. Please try again in a few minutes.")),
}
DATABASE_AWAY = (_l("Try again in a minute"),
                 _l("The portal cannot reach its database for a moment. Nothing was changed: please try again in a minute."))
FALLBACK = (_l("Something went wrong"), _l("Something went wrong on our side. Please try again in a few minutes."))


def render_error(status: int, message=None, title=None):
    title, text = (title, message) if title else MESSAGES.get(status, FALLBACK)
    headers = {}
    if is_htmx():
        # An error page replaces the whole page, not the fragment htmx meant to swap.
        headers = {"HX-Retarget": "body", "HX-Reswap": "innerHTML"}
    body = render_template("errors/error.html", status=status, title=title, message=message or text)
    return body, status, headers


def _http_error(error: HTTPException):
    return render_error(error.code or 500)


def _untrusted_host(error: SecurityError):
    # No page can be built for a host the portal does not serve (its links would point there):
    # the message goes out as plain text, still in the reader's language.
    title, text = MESSAGES[400]
    return f"{title}. {text}", 400, {"Content-Type": "text/plain; charset=utf-8"}


def _csrf_error(error: CSRFError):
    return render_error(400, _l("The form has expired. Reload the page and try again."))


def _unreadable_form(error: UnreadableForm):
    return render_error(400, _l("Some of what you sent could not be read as text. Please check it and try again."))


def _no_event(error: NoEvent):
    return render_error(503)


def _database_away(error: OperationalError | InterfaceError):
    """The database did not answer (restarting, unreachable, locked too long): its transaction is
    rolled back whole, so nothing is half-written; the reader is told to try again."""
    current_app.logger.warning("database unavailable: %s", type(error.orig).__name__)
    end_session()
    g.pop("event", None)  # the page must not ask the database for the event's name
    body, status, headers = render_error(503, DATABASE_AWAY[1], DATABASE_AWAY[0])
    return body, status, {**headers, "Retry-After": "60"}


def _server_error(error: Exception):
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(UnreadableForm, _unreadable_form)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NoEvent, _no_event)
    app.register_error_handler(OperationalError, _database_away)
    app.register_error_handler(InterfaceError, _database_away)
    app.register_error_handler(InternalServerError, _server_error)
