"""The hosts' console: visa invitation letters and badges, as PDF."""
from flask import Blueprint

from ..delegates.signin import private

bp = Blueprint("hosts_documents", __name__, url_prefix="/<lang>/hosts")
# Every console page is private: no cache keeps it.
bp.after_request(private)
