"""The hosts' console: visa invitation letters and badges, as PDF."""
from io import BytesIO

from flask import Blueprint, abort, current_app, g, render_template, request, send_file, url_for
from flask_babel import format_number, get_locale, gettext as _, lazy_gettext as _l

from .. import clock, pdf
from ..delegates.signin import private
from ..events.services import current_event
from ..extensions import db
from ..htmx import see_other
from ..web.errors import render_error
from . import badges, letters, registrations
from .forms import RegistrationFilterForm
from .signin import current_host, host_required

bp = Blueprint("hosts_documents", __name__, url_prefix="/<lang>/hosts")
# Every console page is private: no cache keeps it.
bp.after_request(private)


# Visa invitation letters: issued, downloaded and withdrawn from the registration's page.

PDF_UNAVAILABLE = _l("The PDF cannot be made on this server (its PDF library is missing). Nothing was changed.")


@bp.record_once
def letter_names(state):
    """What the registration page's «Visa letter» needs: the registration's letters and what may be
    done with them, the refusals in words, and a letter's verification address."""
    state.app.jinja_env.globals.update(visa_letter_state=letters.letter_state, letter_refusals=letters.REFUSALS,
                                       verification_url=letters.verification_url)


@bp.post("/registrations/<int:registration_id>/visa-letter")
@host_required()
def issue_visa_letter(registration_id):
    """Issue the delegate's visa invitation letter (a new random reference), then back to their page."""
    event = current_event()
    return _letter_action(event, registration_id,
                          lambda registration: letters.issue(current_host(), event, registration, clock.now()))


@bp.post("/registrations/<int:registration_id>/visa-letter/withdraw")
@host_required()
def withdraw_visa_letter(registration_id):
    """Withdraw the valid letter: its verification page then says so, and when."""
    return _letter_action(current_event(), registration_id,
                          lambda registration: letters.withdraw(current_host(), registration, clock.now()))


@bp.get("/registrations/<int:registration_id>/visa-letter.pdf")
@host_required()
def visa_letter_pdf(registration_id):
    """The valid letter as an English A4 PDF on the hosts' letterhead (each download is logged)."""
    event = current_event()
    registration = registrations.find(event, registration_id) or abort(404)
    if not pdf.available():
        return _letter_refused(registration, 503, PDF_UNAVAILABLE)
    try:
        printed = letters.printed_letter(current_host(), event, registration)
    except letters.LetterRefused as refused:
        return _letter_refused(registration, refused.status, refused.message)
    data = pdf.render_pdf(render_template("hosts/visa_letter.html", printed=printed), request.url_root,
                          current_app.static_folder, current_app.static_url_path)
    db.session.commit()  # the download's audit entry, once the letter is made
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=printed.filename)


def _letter_action(event, registration_id: int, act):
    """Issue or withdraw (`act`, given the registration), then back to the registration's «Visa
    letter»; refused: why, and nothing stored."""
    registration = registrations.find(event, registration_id) or abort(404)
    try:
        act(registration)
    except letters.LetterRefused as refused:
        return _letter_refused(registration, refused.status, refused.message)
    db.session.commit()
    return _back_to(registration)


def _letter_refused(registration, status, message):
    """Why a letter action was not taken, with the way back to the registration; nothing was stored."""
    db.session.rollback()
    return render_template("hosts/visa_letter_refused.html", r=registration, message=message), status


def _back_to(registration):
    return see_other(url_for("hosts.registration_detail", registration_id=registration.id, _anchor="visa-letter"))


# Badges: the registrations list's filters choose whose.

BADGES_UNAVAILABLE = _l("The badges cannot be made on this server: its PDF library is missing.")
NO_BADGES = _l("No registration matches these filters, so there are no badges to print.")


@bp.get("/badges.pdf")
@host_required()
def badges_pdf():
    """Badges for the list as filtered (those coming, unless a status is chosen); `layout` a4 or a6."""
    form = RegistrationFilterForm.read(request.args, str(get_locale()))
    if not form.validate():
        return render_template("hosts/registrations.html", form=form, results=None), 422
    if not pdf.available():
        return render_error(503, BADGES_UNAVAILABLE)
    try:
        sheets = badges.badge_sheets(current_host(), current_event(), form.filters(),
                                     badges.layout_named(request.args.get("layout")), g.lang)
    except badges.NoBadges:
        return render_error(404, NO_BADGES)
    except badges.TooManyBadges as refused:
        return _too_many_badges(refused)
    data = pdf.render_pdf(render_template("hosts/badges.html", sheets=sheets), request.url_root,
                          current_app.static_folder, current_app.static_url_path, sheets.images)
    db.session.commit()  # the printing's audit entry, once the badges are made
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=sheets.filename)


def _too_many_badges(refused: badges.TooManyBadges):
    return render_error(422, _("The list as filtered has %(num)s delegates, and one PDF holds at most %(most)s badges "
                               "in this layout. Narrow the list (by status, country or arrival day) and print the "
                               "badges in parts.", num=format_number(refused.count), most=format_number(refused.most)))


