"""Delegate registration: the form, the confirmation email, the private link and the delegate's own page."""
from flask import Blueprint

bp = Blueprint("registration", __name__)

from . import views  # noqa: E402,F401
from . import housekeeping  # noqa: E402,F401
