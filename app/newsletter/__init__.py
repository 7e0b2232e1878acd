"""«Stay informed»: the newsletter sign-up, with double opt-in and an unsubscribe link in every message."""
from flask import Blueprint

bp = Blueprint("newsletter", __name__)

from . import views  # noqa: E402,F401
