"""The public site: the invitation, the technical details, the privacy notice; `/` and `/healthz`."""
from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, url_for

from ..database import schema_is_current
from ..events.pairing import pair_text
from ..events.services import current_event
from ..extensions import db
from ..i18n import negotiate_language, offers_side_by_side, second_language
from ..mail.sender import oldest_unsent_age
from ..registration.services import oldest_link_request
from .caching import kept_page

root = Blueprint("root", __name__)
bp = Blueprint("public", __name__, url_prefix="/<lang>")


@root.get("/")
def home_in_my_language():
    """Send the reader to the invitation in their language."""
    response = redirect(url_for("public.home", lang=negotiate_language()), code=302)
    response.vary.update(["Accept-Language", "Cookie"])
    return response


@root.get("/healthz")
def healthz():
    """200 once the database answers with the schema this code expects, 503 otherwise; and how
    long the oldest email (or link request) still waiting has waited, once that is a minute."""
    try:
        if not schema_is_current():
            return jsonify(status="not migrated"), 503
        waiting = oldest_unsent_age(oldest_link_request())
    except Exception as error:  # any driver error means "not healthy", never a 500
        db.session.rollback()
        current_app.logger.warning("health check failed: %s", type(error).__name__)
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok", oldest_unsent_email_seconds=waiting)


@bp.get("/")
@offers_side_by_side
def home():
    """The invitation: the event's home page (with `?with=OTHER`, beside its translation)."""
    return kept_page("home", invitation)


def invitation() -> str:
    event = current_event()
    page = event.page("invitation")
    return render_template("public/home.html", event=event, page=page, paired=paired_body(event, page))


@bp.get("/info")
@offers_side_by_side
def info():
    """Technical details: venue, travel, visas, hotels, weather, money, contacts."""
    return content_page("info")


@bp.get("/privacy")
def privacy():
    """The privacy notice."""
    return content_page("privacy")


def content_page(slug: str):
    """One of the event's content pages, in the reader's language (the same for every reader)."""
    return kept_page(f"page-{slug}", lambda: rendered_page(slug))


def rendered_page(slug: str) -> str:
    event = current_event()
    page = event.page(slug)
    if page is None:
        abort(404)
    return render_template("public/page.html", event=event, page=page, paired=paired_body(event, page))


def paired_body(event, page):
    """The page's text paired block by block with its translation, when the page is read side by side."""
    other = second_language()
    if page is None or other is None:
        return None
    return pair_text(page.body, g.lang, other, event.main_language)
