"""Views of registration and the delegate's own page."""
import json

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext as _l

from .. import clock, mail
from ..events.services import current_event
from ..extensions import db, limiter
from ..htmx import is_htmx, see_other, vary_on_htmx
from ..newsletter import services as newsletter
from ..newsletter.views import send_confirmation
from ..program.notify import tell_promoted
from . import bp, services
from .delegates import current_delegate, delegate_required, local_path, sign_in, sign_out
from .forms import LinkRequestForm, RegistrationForm
from .transliteration import passport_suggestion


@bp.route("/<lang>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"], methods=["POST"])
@vary_on_htmx
def register():
    """The registration form; a valid one is stored, signs the delegate in and is confirmed by email."""
    event = current_event()
    if not event.registration_is_open(clock.now()):
        if is_htmx():
            return see_other(url_for("registration.register"))
        return render_template("registration/closed.html", event=event), 403 if request.method == "POST" else 200
    form = RegistrationForm(event, language=str(get_locale()),
                            days=[day for day, _ in RegistrationForm.day_choices(event)])
    if not form.validate_on_submit():
        return render_form(event, form)
    try:
        registration = services.register(event, form.registration_data(), clock.now())
    except services.AlreadyRegistered as already:
        db.session.commit()  # nothing to store; frees the write lock before the mail server is asked
        if not services.may_email_link(already.registration):
            return see_other(url_for("registration.link_sent", reason="recent"))
        sent = send_link(already.registration)
        return see_other(url_for("registration.link_sent", reason="registered" if sent else "unsent"))
    except services.RegistrationClosed:
        return render_template("registration/closed.html", event=event), 403
    subscriber = None
    if registration.newsletter:
        subscriber = newsletter.subscribe(event, registration.email, registration.language)
    db.session.commit()
    sign_in(registration)
    sent = send_link(registration, template="registration_received")
    if subscriber is not None:
        send_confirmation(event, subscriber)  # double opt-in, as for any subscriber
    if not sent:
        # Stored and signed in all the same; the delegate's page says the email did not go out.
        return see_other(url_for("registration.me", unsent=1))
    return see_other(local_path(request.args.get("next")) or url_for("registration.me"))


@bp.post("/<lang>/register/check")
@limiter.limit(lambda: current_app.config["RATELIMIT_CHECK"])
def check_field():
    """HTMX: check the one field the delegate just left, with the rest of the form as context."""
    event = current_event()
    form = RegistrationForm(event)
    form.validate()
    name = request.headers.get("HX-Trigger-Name", "")
    if name not in form._fields or name == "csrf_token":
        return "", 204
    note = None
    if name == "email" and not form.email.errors and services.find(event, form.email.data or ""):
        note = _l("This email address is already registered. Send the form and we will email you your private link.")
    suggestions = []
    for own, passport in (("given_name", "passport_given_name"), ("family_name", "passport_family_name")):
        suggestion = passport_suggestion(form[own].data) if name == own else None
        if suggestion and not request.form.get(passport):
            form[passport].data = suggestion
            form[passport].errors = []
            suggestions.append(form[passport])
    return render_template("registration/_checked_field.html", form=form, field=form[name],
                           note=note, suggestions=suggestions)


@bp.get("/<lang>/me")
def me():
    """The signed-in delegate's registration; elsewhere, how to get a private link."""
    registration = current_delegate()
    if registration is None:
        return redirect(url_for("registration.request_link"), code=303)
    event = current_event()
    return render_template("registration/me.html", event=event, registration=registration,
                           can_edit=event.registration_is_open(clock.now()) and registration.is_active,
                           can_reinstate=services.can_reinstate(registration, clock.now()),
                           places=my_places(registration))


@bp.get("/<lang>/me/link/<token>")
def follow_link(token):
    """A delegate's emailed link: signs this device in."""
    current_event()
    try:
        registration = services.registration_from_link(token, current_app.config["DELEGATE_LINK_MAX_AGE"])
    except services.InvalidLink:
        form = LinkRequestForm()
        return render_template("registration/invalid_link.html", event=current_event(), form=form), 400
    sign_in(registration)
    return redirect(local_path(request.args.get("next")) or url_for("registration.me"), code=303)


@bp.route("/<lang>/me/link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LINK"], methods=["POST"])
def request_link():
    """Email a fresh private link to a registered address (the answer is the same for any address)."""
    event = current_event()
    form = LinkRequestForm()
    if not form.validate_on_submit():
        return render_template("registration/request_link.html", event=event, form=form), (
            422 if form.is_submitted() else 200)
    registration = services.find(event, form.email.data)
    db.session.commit()  # only read; frees the write lock before the mail server is asked
    if registration is not None and not registration.is_erased and services.may_email_link(registration):
        # The link brings the delegate back to where they were (a session they wanted to join).
        # Sent or not (the mail server may refuse), the answer is the same as for an unknown
        # address: the page never tells whether an address is registered.
        send_link(registration, next_path=local_path(request.args.get("next")))
    return redirect(url_for("registration.link_sent"), code=303)


@bp.get("/<lang>/me/link/sent")
def link_sent():
    """«We have emailed your private link» (never saying whether the address is known)."""
    return render_template("registration/link_sent.html", event=current_event(),
                           reason=request.args.get("reason"))


@bp.route("/<lang>/me/edit", methods=["GET", "POST"])
@delegate_required
@vary_on_htmx
def edit():
    """Change the registration until the deadline."""
    event = current_event()
    registration = current_delegate()
    if not event.registration_is_open(clock.now()) or not registration.is_active:
        if is_htmx():
            return see_other(url_for("registration.me"))
        return render_template("registration/closed.html", event=event), 403
    form = RegistrationForm(event, obj=registration)
    # The address is the one the private link goes to, and consent was given at registration.
    del form.email
    del form.privacy_consent
    form.passport_on_file = registration.has_passport_data
    if not form.is_submitted():
        for name in ("nationality", "passport_number", "date_of_birth", "passport_expiry"):
            form[name].data = None
        # As it is now: an unsubscribe from an email counts.
        form.newsletter.data = newsletter.is_subscribed(event, registration.email)
    if not form.validate_on_submit():
        return render_form(event, form, editing=True)
    try:
        services.update(registration, form.registration_data(), clock.now())
    except services.RegistrationClosed:
        db.session.rollback()
        return render_template("registration/closed.html", event=event), 403
    confirm = newsletter.choose(event, registration.email, registration.language, registration.newsletter)
    db.session.commit()
    if confirm is not None:
        send_confirmation(event, confirm)  # double opt-in, as for any subscriber
    return see_other(url_for("registration.me", saved=1))


@bp.route("/<lang>/me/cancel", methods=["GET", "POST"])
@delegate_required
def cancel():
    """Cancel the registration, after a confirmation."""
    registration = current_delegate()
    if request.method == "POST" and registration.is_active:
        promoted = services.cancel(registration, clock.now())
        db.session.commit()
        tell_promoted(promoted)
        return redirect(url_for("registration.me"), code=303)
    return render_template("registration/cancel.html", event=current_event(), registration=registration)


@bp.post("/<lang>/me/reinstate")
@delegate_required
def reinstate():
    """Undo a cancellation (until the deadline)."""
    event = current_event()
    registration = current_delegate()
    restoring = services.can_reinstate(registration, clock.now())
    try:
        services.reinstate(registration, clock.now())
    except services.RegistrationClosed:
        db.session.rollback()
        return render_template("registration/closed.html", event=event), 403
    db.session.commit()
    # A second tap (or a registration that was never cancelled) changes nothing and says nothing.
    return redirect(url_for("registration.me", reinstated=1 if restoring else None), code=303)


@bp.get("/<lang>/me/data.json")
@delegate_required
def export():
    """Download everything stored about the delegate."""
    data = services.export(current_delegate())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-registration.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/<lang>/me/delete", methods=["GET", "POST"])
@delegate_required
def delete():
    """Erase the delegate's personal data, after a confirmation."""
    registration = current_delegate()
    if request.method == "POST":
        promoted = services.erase(registration, clock.now())
        db.session.commit()
        tell_promoted(promoted)
        sign_out()
        return render_template("registration/deleted.html", event=current_event())
    return render_template("registration/delete.html", event=current_event(), registration=registration)


@bp.post("/<lang>/me/signout")
def signout():
    """Forget the delegate on this device."""
    sign_out()
    return redirect(url_for("public.home"), code=303)


def my_places(registration):
    """The delegate's seats and waitlist places in time order, with their place in line."""
    from ..program.services import places, waitlist_position

    held = sorted(places(registration).values(), key=lambda seat: seat.session.starts_at)
    return [(seat, waitlist_position(seat) if seat.status == "waiting" else None) for seat in held]


def render_form(event, form, editing=False):
    status = 422 if form.is_submitted() else 200
    template = "registration/_form.html" if is_htmx() else "registration/register.html"
    return render_template(template, event=event, form=form, editing=editing), status


def send_link(registration, template="registration_link", next_path=None) -> bool:
    """Email the delegate their private link in their language; False if the mail server refused."""
    event = current_event()
    link = url_for("registration.follow_link", lang=registration.language,
                   token=services.link_token(registration), next=next_path, _external=True)
    try:
        mail.send(registration.email, template, registration.language, event=event,
                  registration=registration, link=link)
    except mail.MailNotSent:
        return False
    services.link_emailed(registration)
    return True
