"""Registration and the delegate's own pages: the form, the private link, `/LANG/me`."""
from flask import Blueprint, Response, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale

from .. import clock
from ..delegates import reading, services as delegates
from ..delegates.signin import (current_delegate, current_reader, delegate_required, private, sign_in_registered,
                                sign_in_with_link, sign_out)
from ..cookies import form_token
from ..email_address import masked
from ..events.services import current_event, current_versions
from ..extensions import db, limiter
from ..htmx import is_htmx, render, see_other
from ..registration import services
from ..registration.forms import EditForm, LinkRequestForm, RegistrationForm
from ..registration.links import InvalidLink, registration_from_link
from ..page_cache import TOKEN_SLOT, fill, own_pages, remembered
from ..security import local_path
from .caching import kept_page, made_from

bp = Blueprint("registration", __name__, url_prefix="/<lang>")
# The delegate's own pages, and the redirects that stand in for them, are kept by no cache.
bp.after_request(private)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """The registration form; a valid one is stored, signs the delegate in and is confirmed by email."""
    if request.method == "GET" and not request.args and not is_htmx():
        return blank_form()
    return registration_form()


@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
def registration_form():
    """The form as sent (or asked for with arguments); the limit counts the register view's POSTs
    only, and the blank form is not slowed by looking it up."""
    event = current_event()
    if not event.registration_is_open(clock.now()):
        return closed(event, url_for("registration.register"))
    form = RegistrationForm(event, language=str(get_locale()), days=[day for day, _ in RegistrationForm.day_choices(event)])
    if not form.validate_on_submit():
        return render_form(event, form)
    try:
        registration = delegates.register(event, form.registration_data(), clock.now())
    except services.AlreadyRegistered as already:
        db.session.commit()  # the link email, queued
        return see_other(url_for("registration.link_sent", reason="registered" if already.emailed else "recent"))
    except services.RegistrationClosed:
        return closed(event, url_for("registration.register"))
    sign_in_registered(registration)
    db.session.commit()
    return see_other(local_path(request.args.get("next")) or url_for("registration.me"))


def blank_form():
    """The empty form, the same for every reader but for its token: kept per content version and
    language (app/page_cache.py), with the reader's own token filled in."""
    versions = current_versions()
    if clock.now() > closing(versions):
        return closed(current_event(), url_for("registration.register"))
    return kept_page("register", render_blank_form, fill=lambda body: fill(body, form_token()), versions=versions)


def closing(versions):
    """When registration closes, worked out once per worker and content version."""
    return remembered(("closes", versions.event_id, versions.content), lambda: current_event().registration_closes_at)


def render_blank_form() -> str:
    event = current_event()
    form = RegistrationForm(event, language=str(get_locale()), days=[day for day, _ in RegistrationForm.day_choices(event)])
    return render_template("registration/register.html", event=event, form=form, editing=False).replace(
        form_token(), TOKEN_SLOT)


@bp.post("/register/check")
@limiter.limit(lambda: current_app.config["RATELIMIT_CHECK"])
def check_field():
    """HTMX: check the one field the delegate just left, with the rest of the form as context."""
    form = RegistrationForm(current_event())
    name = request.headers.get("HX-Trigger-Name", "")
    if name not in form._fields or name == "csrf_token":
        return "", 204
    suggestions = form.check(name, request.form)
    return render_template("registration/_checked_field.html", form=form, field=form[name], suggestions=suggestions)


@bp.get("/me")
def me():
    """The signed-in delegate's registration; elsewhere, how to get a private link."""
    reader = current_reader(every_column=True)
    if reader is None:
        return redirect(url_for("registration.request_link"), code=303)
    return make_response(fill(own_page(reader), form_token()))


def own_page(reader) -> str:
    """The delegate's page, kept in this worker under everything it shows (their registration as
    stored, their places, the event's versions, whether registration is open, the notices asked
    for): read in one statement per request, rendered again only when one of those changed."""
    versions = current_versions()
    now = clock.now()
    is_open = now <= closing(versions)
    asked = (is_open, bool(request.args.get("saved")), bool(request.args.get("reinstated")),
             *made_from(program=True, versions=versions), request.host)
    page = own_pages().get((*asked, reading.own_page_key(reader.values, reader.places)))
    if page is None:
        # Kept under what it was made from, read again with the page: a change in between is not
        # kept under the key read before it.
        overview, shown = reading.own_page(reader.id, now)
        page = render_template("registration/me.html", **overview).replace(form_token(), TOKEN_SLOT)
        own_pages().put((*asked, shown), page)
    return page


@bp.route("/me/link/<token>", methods=["GET", "POST"])
def follow_link(token):
    """A delegate's emailed link: a page with one button; pressing it signs this device in (once).

    Opening the link signs nobody in: a mail scanner, or a link planted by someone else, changes nothing."""
    try:
        if request.method == "GET":
            registration = registration_from_link(token, current_app.config["DELEGATE_LINK_MAX_AGE"])
            signed_in_as = current_delegate()
            return render_template("registration/follow_link.html", event=current_event(), token=token,
                                   address=masked(registration.email),
                                   replaces=signed_in_as is not None and signed_in_as.id != registration.id)
        sign_in_with_link(token, clock.now())
    except InvalidLink:
        db.session.rollback()
        return render_template("registration/invalid_link.html", event=current_event(), form=LinkRequestForm()), 400
    db.session.commit()
    return redirect(local_path(request.args.get("next")) or url_for("registration.me"), code=303)


@bp.route("/me/link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LINK"], methods=["POST"])
def request_link():
    """Email a fresh private link to a registered address (the answer is the same for any address)."""
    event = current_event()
    form = LinkRequestForm()
    if not form.validate_on_submit():
        return render_template("registration/request_link.html", event=event, form=form), (
            422 if form.is_submitted() else 200)
    # The link brings the delegate back to where they were (a session they wanted to join).
    services.request_link(event, form.email.data, local_path(request.args.get("next")))
    db.session.commit()
    return redirect(url_for("registration.link_sent"), code=303)


@bp.get("/me/link/sent")
def link_sent():
    """«We have emailed your private link» (never saying whether the address is known)."""
    return render_template("registration/link_sent.html", event=current_event(), reason=request.args.get("reason"))


@bp.route("/me/edit", methods=["GET", "POST"])
@delegate_required
def edit():
    """Change the registration until the deadline."""
    event = current_event()
    registration = current_delegate()
    if not services.may_edit(event, registration, clock.now()):
        return closed(event, url_for("registration.me"), 403)
    form = EditForm(event, registration, subscribed=delegates.is_subscribed(registration))
    if not form.validate_on_submit():
        return render_form(event, form, editing=True)
    try:
        delegates.update(registration, form.registration_data(), clock.now())
    except services.RegistrationClosed:
        db.session.rollback()
        return closed(event, url_for("registration.me"), 403)
    db.session.commit()
    return see_other(url_for("registration.me", saved=1))


@bp.route("/me/cancel", methods=["GET", "POST"])
@delegate_required
def cancel():
    """Cancel the registration, after a confirmation."""
    registration = current_delegate()
    if request.method == "POST":
        delegates.cancel(registration, clock.now())
        db.session.commit()
        return redirect(url_for("registration.me"), code=303)
    return render_template("registration/cancel.html", event=current_event(), registration=registration)


@bp.post("/me/reinstate")
@delegate_required
def reinstate():
    """Undo a cancellation (until the deadline)."""
    try:
        restored = services.reinstate(current_delegate(), clock.now())
    except services.RegistrationClosed:
        db.session.rollback()
        return render_template("registration/closed.html", event=current_event()), 403
    db.session.commit()
    # A second tap (or a registration that was never cancelled) changes nothing and says nothing.
    return redirect(url_for("registration.me", reinstated=1 if restored else None), code=303)


@bp.get("/me/data.json")
@delegate_required
def export():
    """Download everything stored about the delegate."""
    return Response(delegates.export_json(current_delegate()), mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-registration.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/me/delete", methods=["GET", "POST"])
@delegate_required
def delete():
    """Erase the delegate's personal data, after a confirmation."""
    registration = current_delegate()
    if request.method == "POST":
        delegates.erase(registration, clock.now())
        sign_out(clock.now())
        db.session.commit()
        return render_template("registration/deleted.html", event=current_event())
    return render_template("registration/delete.html", event=current_event(), registration=registration)


@bp.post("/me/signout")
def signout():
    """Sign this device out; with `everywhere=1`, every device of this delegate."""
    sign_out(clock.now(), everywhere=request.form.get("everywhere") == "1")
    db.session.commit()
    return redirect(url_for("public.home"), code=303)


def closed(event, back: str, status: int | None = None):
    """Registration is closed (or this registration cannot change): htmx goes back to `back`."""
    if is_htmx():
        return see_other(back)
    return render_template("registration/closed.html", event=event), status or (403 if request.method == "POST" else 200)


def render_form(event, form, editing=False):
    """The form (422 with its errors once sent): the fragment for htmx, else the page."""
    return render("registration/register.html", "registration/_form.html", 422 if form.is_submitted() else 200,
                  event=event, form=form, editing=editing)
