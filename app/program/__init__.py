"""The program: sessions by day and time, and signing up for breakout sessions (seats, waitlists)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("program", __name__)

KIND_NAMES = {
    "plenary": _l("Plenary session"),
    "breakout": _l("Breakout session"),
    "meeting": _l("Meeting"),
    "break": _l("Break"),
    "social": _l("Social program"),
}
FLOOR_LANGUAGE_NAMES = {"en": _l("in English"), "mn": _l("in Mongolian")}


@bp.app_context_processor
def names():
    return {"kind_names": KIND_NAMES, "floor_language_names": FLOOR_LANGUAGE_NAMES}


from . import views  # noqa: E402,F401
