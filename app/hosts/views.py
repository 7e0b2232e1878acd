"""The hosts' console: sign-in, the dashboard, registrations and their exports, accounts and the audit log."""
from io import BytesIO

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for
from flask_babel import format_percent, get_locale

from .. import clock
from ..delegates.signin import private
from ..events.services import current_event
from ..extensions import db
from ..htmx import is_htmx, render, see_other
from ..security import local_path
from ..timestamps import utcnow
from . import audit, dashboard, decisions, exports, registrations, rules, services
from .editing_forms import SIGNUP_NAMES
from .forms import (ALL, ALREADY_A_HOST, AUDIT_ACTIONS, AUDIT_DATES, AUDIT_FIELDS, AUDIT_FILTERS, FILE_FORMATS,
                    GENDER_NAMES, REGISTRATION_ACTIONS, ROLE_NAMES, ROOM_NAMES, SEAT_NAMES, SORT_NAMES, STATUS_NAMES,
                    AddHostForm, AuditFilterForm, ChangeHostForm, DecisionForm, LoginForm, NoteForm,
                    RegistrationFilterForm)
from .signin import current_host, host_required, sign_in, sign_out

bp = Blueprint("hosts", __name__, url_prefix="/<lang>/hosts")
# What the audit log's template names: its actions, fields and their values' words.
AUDIT_WORDS = {"actions": AUDIT_ACTIONS, "labels": AUDIT_FIELDS, "date_fields": AUDIT_DATES, "filter_labels": AUDIT_FILTERS,
               "value_names": {"role": ROLE_NAMES, "signup": SIGNUP_NAMES, "format": FILE_FORMATS},
               "sort_names": SORT_NAMES, "seat_names": SEAT_NAMES}
# Every console page is private: no cache keeps it.
bp.after_request(private)


@bp.context_processor
def console_names():
    """What the console's templates name: roles, statuses, what a delegate chose, the registrations'
    history, and fractions as percentages."""
    return {"role_names": ROLE_NAMES, "status_names": STATUS_NAMES, "gender_names": GENDER_NAMES,
            "room_names": ROOM_NAMES, "registration_actions": REGISTRATION_ACTIONS, "format_percent": format_percent,
            "decisions_open": rules.decisions_open}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with an address and a password (throttled per account and per client)."""
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, 422 if form.is_submitted() else 200)
    try:
        host = services.authenticate(form.email.data, form.password.data, request.remote_addr or "", utcnow())
    except services.Throttled:
        db.session.commit()
        current_app.logger.warning("console sign-in locked for 15 minutes")
        return _login_page(form, 429, "throttled")
    except services.WrongCredentials:
        db.session.commit()  # the refusal counts towards the lock
        current_app.logger.info("console sign-in refused")
        return _login_page(form, 422, "wrong")
    sign_in(host)
    db.session.commit()
    return see_other(local_path(request.args.get("next")) or url_for("hosts.dashboard"))


@bp.post("/logout")
def logout():
    """Sign this console out."""
    sign_out()
    return see_other(url_for("hosts.login"))


@bp.get("/", endpoint="dashboard")
@host_required()
def dashboard_page():
    """Who is coming and what needs attention."""
    event = current_event()
    return render_template("hosts/dashboard.html", event=event, overview=dashboard.overview(event, clock.now()))


@bp.get("/registrations")
@host_required()
def registration_list():
    """The registrations, searched, filtered and sorted; as one types, htmx swaps only the rows."""
    form = RegistrationFilterForm.read(request.args, str(get_locale()))
    if not form.validate():
        return render("hosts/registrations.html", "hosts/_registration_rows.html", 422, form=form, results=None)
    filters = form.filters()
    results = registrations.search(current_event(), filters, form.page.data or 1)
    return render("hosts/registrations.html", "hosts/_registration_rows.html", form=form, filters=filters, results=results)


@bp.get("/registrations.csv", defaults={"kind": "csv"}, endpoint="registrations_csv")
@bp.get("/registrations.xlsx", defaults={"kind": "xlsx"}, endpoint="registrations_xlsx")
@host_required()
def export_registrations(kind):
    """The list as filtered, as a spreadsheet; the passport details only for a coordinator who asks."""
    form = RegistrationFilterForm.read(request.args, str(get_locale()))
    if not form.validate():
        return render_template("hosts/registrations.html", form=form, results=None), 422
    if form.passport.data and not rules.may(current_host().role, "passports"):
        abort(403)
    name, data = exports.registrations_file(current_host(), current_event(), form.filters(), form.passport.data, kind)
    db.session.commit()  # a passport export is in the audit log
    return _download(name, data, kind)


@bp.get("/program/<slug>/roster.csv", defaults={"kind": "csv"}, endpoint="roster_csv")
@bp.get("/program/<slug>/roster.xlsx", defaults={"kind": "xlsx"}, endpoint="roster_xlsx")
@host_required()
def roster(slug, kind):
    """A session's roster: seated delegates, then the waitlist in its order."""
    name, data = exports.roster_file(current_event(), slug, kind) or abort(404)
    return _download(name, data, kind)


@bp.get("/registrations/<int:registration_id>")
@host_required()
def registration_detail(registration_id):
    """Everything the delegate entered (passport details only here), places, notes and history."""
    return _detail_page(_record(registration_id) or abort(404))


@bp.post("/registrations/<int:registration_id>/confirm", defaults={"decision": "confirm"}, endpoint="confirm")
@bp.post("/registrations/<int:registration_id>/decline", defaults={"decision": "decline"}, endpoint="decline")
@host_required()
def decide(registration_id, decision):
    """Confirm or decline (the delegate is emailed); htmx swaps the row, a plain form goes back."""
    registration = registrations.find(current_event(), registration_id) or abort(404)
    form = DecisionForm()
    if not form.validate():
        return _decided(registration, 422, form=form)
    try:
        decisions.decide(current_host(), registration, decision, form.note.data or "", utcnow())
    except rules.DecisionRefused:
        return _decided(registration, 409, refused=decision)
    db.session.commit()
    if is_htmx():
        return render_template("hosts/_registration_row.html", r=registration, back=local_path(form.next.data))
    back = local_path(form.next.data) or url_for("hosts.registration_detail", registration_id=registration.id)
    return see_other(back)


@bp.post("/registrations/<int:registration_id>/note")
@host_required()
def add_note(registration_id):
    """A note the hosts keep on a registration."""
    registration = registrations.find(current_event(), registration_id) or abort(404)
    form = NoteForm()
    if not form.validate():
        return _detail_page(_record(registration_id), 422, note_form=form)
    decisions.add_note(current_host(), registration, form.text.data, utcnow())
    db.session.commit()
    return see_other(url_for("hosts.registration_detail", registration_id=registration.id, _anchor="notes"))


@bp.get("/accounts")
@host_required("accounts")
def accounts():
    """Every host's account, and a form to add one (coordinators only)."""
    return _accounts_page(AddHostForm(formdata=None))


@bp.post("/accounts")
@host_required("accounts")
def add_account():
    """Add a host's account, with a first password the coordinator passes on."""
    form = AddHostForm()
    if not form.validate():
        return _accounts_page(form, 422)
    try:
        services.create_host(form.email.data, form.role.data, form.password.data, current_host(), utcnow())
    except services.AlreadyAHost:
        form.email.errors = [*form.email.errors, ALREADY_A_HOST]
        return _accounts_page(form, 409)
    db.session.commit()
    return see_other(url_for("hosts.accounts", saved=1))


@bp.post("/accounts/<int:host_id>")
@host_required("accounts")
def change_account(host_id):
    """Re-role, disable or enable an account; its devices are signed out at once."""
    host = services.find_host(host_id) or abort(404)
    form = ChangeHostForm()
    if not form.validate():
        return _accounts_page(AddHostForm(formdata=None), 422, changing=host)
    try:
        services.change_host(current_host(), host, form.role.data, form.active.data)
    except services.OwnAccount:
        return _accounts_page(AddHostForm(formdata=None), 409, changing=host, own=True)
    db.session.commit()
    return see_other(url_for("hosts.accounts", saved=1))


@bp.get("/audit")
@host_required("audit")
def audit_log():
    """What hosts changed, newest first, by host or by registration (coordinators only)."""
    form = AuditFilterForm(request.args)
    form.host.choices = [("", ALL)] + [(host.id, host.email) for host in services.hosts()]
    if not form.validate():
        return render_template("hosts/audit.html", form=form, entries=[], more=False, **AUDIT_WORDS), 422
    entries, more = audit.entries(form.host.data, form.registration.data, form.page.data or 1)
    return render_template("hosts/audit.html", form=form, entries=entries, more=more,
                           subjects=audit.subjects(entries), rooms=audit.room_names(current_event().id),
                           **AUDIT_WORDS)


def _login_page(form, status, problem=None):
    return render_template("hosts/login.html", form=form, problem=problem), status


def _accounts_page(form, status=200, changing=None, own=False):
    return render_template("hosts/accounts.html", form=form, hosts=services.hosts(), me=current_host(),
                           changing=changing, own=own, saved=request.args.get("saved")), status




def _download(name: str, data: bytes, kind: str):
    mimetype = exports.CSV_TYPE if kind == "csv" else exports.XLSX_TYPE
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{name}.{kind}")


def _detail_page(record, status=200, note_form=None, decision_form=None, refused=None):
    return render_template("hosts/registration.html", record=record, r=record.registration,
                           note_form=note_form or NoteForm(formdata=None),
                           decision_form=decision_form or DecisionForm(formdata=None), refused=refused), status


def _record(registration_id):
    """The detail page's record; its showing of passport details is logged at once."""
    found = registrations.record(current_event(), registration_id, current_host())
    db.session.commit()
    return found


def _decided(registration, status, form=None, refused=None):
    """A decision not taken: the row again (htmx) or the detail page, saying why."""
    if is_htmx():
        return render_template("hosts/_registration_row.html", r=registration, refused=refused,
                               invalid=form is not None, back=None), status
    return _detail_page(_record(registration.id), status, decision_form=form,
                        refused=refused)
