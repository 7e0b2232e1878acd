"""Views of the public site."""
from flask import abort, current_app, jsonify, redirect, render_template, url_for
from sqlalchemy import text

from ..events.services import current_event
from ..extensions import db
from ..i18n import negotiate_language
from . import bp


@bp.get("/")
def root():
    """Send the reader to the invitation in their language."""
    response = redirect(url_for("public.home", lang=negotiate_language()), code=302)
    response.vary.update(["Accept-Language", "Cookie"])
    return response


@bp.get("/<lang>/")
def home():
    """The invitation: the event's home page."""
    event = current_event()
    return render_template("public/home.html", event=event, page=event.page("invitation"))


@bp.get("/<lang>/info")
def info():
    """Technical details: venue, travel, visas, hotels, weather, money, contacts."""
    return content_page("info")


@bp.get("/<lang>/privacy")
def privacy():
    """The privacy notice."""
    return content_page("privacy")


def content_page(slug: str):
    """One of the event's content pages, in the reader's language."""
    event = current_event()
    page = event.page(slug)
    if page is None:
        abort(404)
    return render_template("public/page.html", event=event, page=page)


@bp.get("/healthz")
def healthz():
    """200 once the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "not healthy", never a 500
        current_app.logger.warning("health check failed: %s", error)
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
