"""The hosts' console: check-in at the door: search or a badge's QR, one tap, arrived against expected per day."""
from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import SearchField
from wtforms.validators import Length, Optional

from .. import clock
from ..delegates.signin import private
from ..events.services import current_event
from ..extensions import db
from ..forms import PortalForm, clean_line, no_control_characters
from ..htmx import is_htmx, render, see_other
from . import checkin
from .forms import STATUS_NAMES, TOO_LONG
from .signin import current_host, host_required

bp = Blueprint("hosts_checkin", __name__, url_prefix="/<lang>/hosts")
# Every console page is private: no cache keeps it.
bp.after_request(private)
PAGE, RESULTS, CARD = "hosts/checkin.html", "hosts/_checkin_results.html", "hosts/_checkin_answer.html"


class DoorSearchForm(PortalForm):
    """The door's search: a name (as written or as in the passport, any script) or an address."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    q = SearchField(_l("Name or email address"), [Optional(), Length(max=100, message=TOO_LONG),
                                                 no_control_characters], filters=[clean_line])


class CheckInForm(PortalForm):
    """The one button: its CSRF token, nothing else."""


@bp.context_processor
def door_names():
    """What the door's templates name: the registrations' statuses, and a delegate's passport spelling."""
    return {"status_names": STATUS_NAMES, "passport_spelling": checkin.passport_spelling}


@bp.app_template_global()
def checkins_of(registration):
    """A delegate's check-ins, for their registration's page in the console."""
    return checkin.checkins(registration)


@bp.get("/checkin")
@host_required()
def door():
    """The door: a search by name, and who has arrived against who is expected, per day."""
    form = DoorSearchForm(request.args)
    valid = form.validate()
    page = checkin.door(current_event(), clock.now(), q=(form.q.data or "") if valid else "")
    return render(PAGE, RESULTS, 200 if valid else 422, form=form, door=page, invalid=not valid)


@bp.get("/checkin/<code>")
@host_required()
def badge(code):
    """The delegate a badge's QR code names, and the one button (`done`: this host just checked them in)."""
    page = checkin.door(current_event(), clock.now(), code=code)
    return _page(page, done=bool(request.args.get("done")) and page.card is not None
                 and page.card.checked_in_by(current_host()))


@bp.post("/checkin/<code>")
@host_required()
def check_in(code):
    """Check the delegate in (one tap); htmx swaps the card and the counts, a plain form comes back."""
    if not CheckInForm().validate():
        return _answer(checkin.door(current_event(), clock.now(), code=code), 422, garbled=True)
    try:
        page = checkin.check_in(current_host(), current_event(), code, clock.now())
    except checkin.NotLetIn as refusal:
        return _answer(refusal.door, 409)
    db.session.commit()
    if page.unknown or is_htmx():
        return _answer(page, 200, done=True)
    return see_other(url_for(".badge", code=code, done=1))


def _page(page, status=200, **flags):
    """The door's page: a delegate's card, or a code that names nobody (404: nothing about any
    other badge; for htmx, a tap on a card whose delegate was erased meanwhile, the whole page)."""
    headers = {}
    if page.unknown:
        status, headers = 404, {"HX-Retarget": "body", "HX-Reswap": "innerHTML"} if is_htmx() else {}
    body = render_template(PAGE, form=DoorSearchForm(formdata=None), door=page, card=page.card, **flags)
    return body, status, headers


def _answer(page, status, **flags):
    """The card after a tap: for htmx the card and the counts (out of band), else the whole page."""
    if is_htmx() and not page.unknown:
        return render_template(CARD, door=page, card=page.card, **flags), status
    return _page(page, status, **flags)
