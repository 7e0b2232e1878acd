"""«Stay informed»: sign up, confirm by email, unsubscribe."""
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale

from ..events.services import current_event
from ..extensions import csrf, db, limiter
from ..htmx import is_htmx, render
from ..newsletter import services
from ..newsletter.forms import SubscribeForm
from ..newsletter.links import CONFIRM_MAX_AGE, InvalidLink, subscriber_from

bp = Blueprint("newsletter", __name__, url_prefix="/<lang>")


@bp.route("/subscribe", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SUBSCRIBE"], methods=["POST"])
def subscribe():
    """The newsletter sign-up form; a valid address gets a confirmation email."""
    event = current_event()
    form = SubscribeForm(language=str(get_locale()))
    if not form.validate_on_submit():
        return render("newsletter/subscribe.html", "newsletter/_subscribe_form.html",
                      422 if form.is_submitted() else 200, event=event, form=form)
    services.subscribe(event, form.email.data, form.language.data)
    db.session.commit()
    if is_htmx():
        return render_template("newsletter/_subscribe_sent.html", event=event)
    return redirect(url_for("newsletter.sent"), code=303)


@bp.get("/subscribe/sent")
def sent():
    """«Check your inbox»."""
    return render_template("newsletter/sent.html", event=current_event())


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """A confirmation link: a button confirms (mail scanners that open links confirm nothing)."""
    subscriber = subscriber_from(token, "confirm", CONFIRM_MAX_AGE)
    if request.method == "POST":
        services.confirm(subscriber)
        db.session.commit()
    return render_template("newsletter/confirm.html", event=current_event(), subscriber=subscriber)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients post here for one-click unsubscribe
def unsubscribe(token):
    """The unsubscribe link in every message."""
    subscriber = subscriber_from(token, "unsubscribe")
    if request.method == "POST":
        services.unsubscribe(subscriber)
        db.session.commit()
    return render_template("newsletter/unsubscribe.html", event=current_event(), subscriber=subscriber)


@bp.errorhandler(InvalidLink)
def invalid_link(error):
    """A forged, expired or stale link: say so, and offer to sign up again."""
    return render_template("newsletter/invalid_link.html", event=current_event()), 400
