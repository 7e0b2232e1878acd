"""Views of «Stay informed»: sign up, confirm by email, unsubscribe."""
from flask import current_app, redirect, render_template, request, url_for
from flask_babel import get_locale

from .. import mail
from ..events.services import current_event
from ..extensions import csrf, db, limiter
from ..htmx import is_htmx, vary_on_htmx
from . import bp, services
from .forms import SubscribeForm


@bp.route("/<lang>/subscribe", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SUBSCRIBE"], methods=["POST"])
@vary_on_htmx
def subscribe():
    """The newsletter sign-up form; a valid address gets a confirmation email."""
    event = current_event()
    form = SubscribeForm(language=str(get_locale()))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        template = "newsletter/_subscribe_form.html" if is_htmx() else "newsletter/subscribe.html"
        return render_template(template, event=event, form=form), status
    subscriber = services.subscribe(event, form.email.data, form.language.data)
    db.session.commit()
    mail_failed = False
    if subscriber is not None:
        mail_failed = not send_confirmation(event, subscriber)
    if is_htmx():
        return render_template("newsletter/_subscribe_sent.html", event=event, mail_failed=mail_failed)
    return redirect(url_for("newsletter.sent", failed=int(mail_failed) or None), code=303)


@bp.get("/<lang>/subscribe/sent")
def sent():
    """«Check your inbox»."""
    return render_template(
        "newsletter/sent.html", event=current_event(), mail_failed=request.args.get("failed") == "1"
    )


@bp.route("/<lang>/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """A confirmation link: a button confirms (mail scanners that open links confirm nothing)."""
    event = current_event()
    subscriber = services.subscriber_from(token, "confirm", services.CONFIRM_MAX_AGE)
    if request.method == "POST":
        services.confirm(subscriber)
        db.session.commit()
    return render_template("newsletter/confirm.html", event=event, subscriber=subscriber)


@bp.route("/<lang>/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients post here for one-click unsubscribe
def unsubscribe(token):
    """The unsubscribe link in every message."""
    event = current_event()
    subscriber = services.subscriber_from(token, "unsubscribe")
    if request.method == "POST":
        services.unsubscribe(subscriber)
        db.session.commit()
    return render_template("newsletter/unsubscribe.html", event=event, subscriber=subscriber)


@bp.errorhandler(services.InvalidLink)
def invalid_link(error):
    """A forged, expired or stale link: say so, and offer to sign up again."""
    return render_template("newsletter/invalid_link.html", event=current_event()), 400


def send_confirmation(event, subscriber) -> bool:
    """Email the confirmation link in the subscriber's language; False if the mail server refused."""
    unsubscribe_url = url_for(
        "newsletter.unsubscribe", lang=subscriber.language,
        token=services.token_for(subscriber, "unsubscribe"), _external=True,
    )
    try:
        mail.send(
            subscriber.email,
            "newsletter_confirm",
            subscriber.language,
            headers={"List-Unsubscribe": f"<{unsubscribe_url}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            event=event,
            confirm_url=url_for(
                "newsletter.confirm", lang=subscriber.language,
                token=services.token_for(subscriber, "confirm"), _external=True,
            ),
            unsubscribe_url=unsubscribe_url,
        )
    except mail.MailNotSent:
        return False
    return True
