"""The public site: the invitation, the technical details, and the language routing around them."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import views  # noqa: E402,F401
