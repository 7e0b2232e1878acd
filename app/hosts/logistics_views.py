"""The hosts' console: arrivals and pickup waves, driver sheets and placards; hotel nights, dietary and access needs, interpretation headsets."""
from flask import Blueprint

from ..delegates.signin import private

bp = Blueprint("hosts_logistics", __name__, url_prefix="/<lang>/hosts")
# Every console page is private: no cache keeps it.
bp.after_request(private)
