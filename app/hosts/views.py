"""The hosts' console: sign-in, the dashboard, registrations, accounts and the audit log."""
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import format_percent, get_locale

from .. import clock
from ..delegates.signin import private
from ..events.services import current_event
from ..extensions import db
from ..htmx import see_other
from ..i18n.collation import countries
from ..security import local_path
from ..timestamps import utcnow
from . import audit, dashboard, registrations, services
from .forms import (ALL, ALREADY_A_HOST, ROLE_NAMES, STATUS_NAMES, AddHostForm, AuditFilterForm, ChangeHostForm, LoginForm,
                    RegistrationFilterForm)
from .signin import current_host, host_required, sign_in, sign_out

bp = Blueprint("hosts", __name__, url_prefix="/<lang>/hosts")
# Every console page is private: no cache keeps it.
bp.after_request(private)


@bp.context_processor
def console_names():
    """What the console's templates name: roles, statuses, and fractions as percentages."""
    return {"role_names": ROLE_NAMES, "status_names": STATUS_NAMES, "format_percent": format_percent}


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
    """The registrations, searched and filtered (a first version: no sorting or exports yet)."""
    form = RegistrationFilterForm(request.args)
    form.status.choices = [("", ALL), *STATUS_NAMES.items()]
    form.country.choices = [("", ALL), *countries(str(get_locale()))]
    if not form.validate():
        return render_template("hosts/registrations.html", form=form, page=None), 422
    page = registrations.search(current_event(), form.q.data or "", form.status.data or "", form.country.data or "",
                                form.page.data or 1)
    return render_template("hosts/registrations.html", form=form, page=page)


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
        return render_template("hosts/audit.html", form=form, entries=[], more=False), 422
    entries, more = audit.entries(form.host.data, form.registration.data, form.page.data or 1)
    return render_template("hosts/audit.html", form=form, entries=entries, more=more)


def _login_page(form, status, problem=None):
    return render_template("hosts/login.html", form=form, problem=problem), status


def _accounts_page(form, status=200, changing=None, own=False):
    return render_template("hosts/accounts.html", form=form, hosts=services.hosts(), me=current_host(),
                           changing=changing, own=own, saved=request.args.get("saved")), status
