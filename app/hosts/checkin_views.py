"""The hosts' console: check-in at the door: search or a badge's QR, one tap, arrived against expected per day."""
from flask import Blueprint

from ..delegates.signin import private

bp = Blueprint("hosts_checkin", __name__, url_prefix="/<lang>/hosts")
# Every console page is private: no cache keeps it.
bp.after_request(private)
