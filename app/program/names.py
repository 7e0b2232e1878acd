"""What the program calls its kinds of sessions and floor languages, in the reader's language."""
from flask_babel import lazy_gettext as _l

KIND_NAMES = {
    "plenary": _l("Plenary session"),
    "breakout": _l("Breakout session"),
    "meeting": _l("Meeting"),
    "break": _l("Break"),
    "social": _l("Social program"),
}
FLOOR_LANGUAGE_NAMES = {"en": _l("in English"), "mn": _l("in Mongolian")}
