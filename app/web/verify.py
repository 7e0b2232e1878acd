"""The public check of a visa invitation letter: an embassy opens /LANG/verify/REFERENCE (printed
on the letter, and its QR code) and sees whether the letter is genuine. The page shows the name,
the reference, the dates and who issued it for which event, or that it was withdrawn (and when);
nothing else. No sign-in; rate-limited per client, so that references cannot be tried in bulk."""
from flask import Blueprint, current_app, make_response, render_template

from ..events.services import current_event
from ..extensions import limiter
from ..registration.letters import verification

bp = Blueprint("verify", __name__, url_prefix="/<lang>")

# The answer may change (a letter is withdrawn): a browser may keep it a minute, a shared cache never.
CACHE = "private, max-age=60"


@bp.get("/verify/<reference>")
# Per client address (RATELIMIT_VERIFY): more than an embassy's desk needs, far too few to guess
# a reference (31^10 of them).
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"])
def letter(reference):
    """Genuine (the name, reference, dates of stay, issuer), withdrawn, or 404 for any reference no
    letter has, however it is typed (any case, spaces, with or without dashes)."""
    found = verification(reference)
    event = found.event if found else current_event()  # the hosts' address, in the footer
    response = make_response(render_template("verify.html", found=found, event=event), 200 if found else 404)
    response.headers["Cache-Control"] = CACHE
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
