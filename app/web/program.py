"""Views of the program: the days at a glance, one session, the data feeds, joining and leaving."""
from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext as _l
from sqlalchemy import select

from ..events.services import current_event, current_program_version
from ..extensions import db
from ..htmx import is_htmx, vary_on_htmx
from ..registration.delegates import current_delegate, local_path
from . import bp, feeds, schedule, services
from .cache import page_cache
from .models import Session
from .notify import tell_promoted

MESSAGES = {
    services.NotRegistered: (403, _l("Your registration is cancelled, so you cannot join sessions.")),
    services.NoSignup: (403, _l("Sign-up for this session is closed.")),
    services.InvitationOnly: (403, _l("This session is by invitation only.")),
    services.SessionFull: (409, _l("This session is full.")),
    services.TimeConflict: (409, _l("You already have a seat in a session at this time.")),
    services.WaitlistConflict: (409, _l("You are already on the waiting list of a session at this time.")),
    services.NoPlace: (409, _l("You have no seat in this session.")),
}


@bp.get("/<lang>/program")
def program():
    """The program by day and time; parallel breakouts side by side (stacked on phones)."""
    delegate = current_delegate()
    if delegate is None:
        return anonymous_program()
    return render_template("program/program.html", **program_context(current_event(), delegate))


def anonymous_program():
    """The same page for every signed-out reader: rendered once per program version and language.

    Only the version is read per request; any join or leave raises it in its own transaction,
    so the seats shown are never stale."""
    event_id, version = current_program_version()
    lang = g.lang
    etag = f"p{event_id}-{version}-{lang}"
    if request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    else:
        cache = page_cache()
        key = (event_id, version, lang, request.host)
        body = cache.get(key)
        if body is None:
            body = render_template("program/program.html", **program_context(current_event(), None))
            cache.put(key, body)
        response = make_response(body)
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    return response


def program_context(event, delegate):
    sessions = services.sessions(event)
    held = services.places(delegate) if delegate else {}
    return dict(event=event, days=schedule.days(sessions, event.tz), delegate=delegate, held=held,
                cards={s.id: card_facts(s, delegate, held) for s in sessions},
                agenda_count=sum(1 for seat in held.values() if seat.status == "seated"))


@bp.get("/<lang>/program/<slug>")
def session(slug):
    """One session."""
    event = current_event()
    found = find_session(event, slug)
    delegate = current_delegate()
    return render_template("program/session.html", **card_context(event, found, delegate))


@bp.post("/<lang>/program/<slug>/join")
@vary_on_htmx
def join(slug):
    """Take a seat (or a waitlist place); HTMX gets the card, a plain form a 303 back."""
    return signup(slug, lambda delegate, found: services.join(
        delegate, found, want=request.form.get("want") if request.form.get("want") in ("seat", "waitlist") else None,
        switch=request.form.get("switch") == "1",
    ))


@bp.post("/<lang>/program/<slug>/leave")
@vary_on_htmx
def leave(slug):
    """Give up a seat or a waitlist place; the first in line gets the seat."""
    return signup(slug, lambda delegate, found: (None, services.leave(delegate, found)))


def signup(slug, action):
    event = current_event()
    found = find_session(event, slug)
    delegate = current_delegate()
    if delegate is None:
        target = url_for("registration.register", next=url_for("program.session", slug=slug))
        if is_htmx():
            response = make_response("", 401)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target, code=303)
    try:
        _, promoted = action(delegate, found)
    except services.SignupError as error:
        db.session.rollback()
        status, message = MESSAGES[type(error)]
        context = card_context(event, found, delegate, error=error, message=message)
        template = "program/_signup_response.html" if is_htmx() else "program/session.html"
        return render_template(template, **context), status
    db.session.commit()
    tell_promoted(promoted)
    if is_htmx():
        context = card_context(event, found, delegate)
        return render_template("program/_signup_response.html", **context,
                               neighbours=neighbour_cards(event, found, context["held"]))
    return redirect(back_to(slug), code=303)


def heading_level(slug) -> int:
    """The card's heading where the form came from: none on the session's own page (its h1), h3 in the program."""
    return 0 if (request.form.get("next") or "").endswith(f"/program/{slug}") else 3


def neighbour_cards(event, found, held) -> list[dict]:
    """On the program page, the cards of sessions at the same time change with a join or leave
    (a switch offered or withdrawn, a seat freed): HTMX swaps them out of band too."""
    if heading_level(found.slug) == 0:
        return []  # the session's own page shows no other cards
    delegate = current_delegate()
    return [
        dict(s=other, **card_facts(other, delegate, held))
        for other in services.sessions(event)
        if other.id != found.id and other.signup == "open" and other.overlaps(found)
    ]


def card_facts(session, delegate, held) -> dict:
    """What a session's card shows its reader: what they can do, the place at the same time
    it concerns, and their number in line."""
    place = held.get(session.id)
    return dict(state=services.availability(session, delegate, held), clash=services.clash(session, held),
                position=services.waitlist_position(place) if place is not None and place.status == "waiting" else None)


def card_context(event, found, delegate, error=None, message=None):
    held = services.places(delegate) if delegate else {}
    return dict(event=event, s=found, delegate=delegate, held=held, heading_level=heading_level(found.slug),
                **card_facts(found, delegate, held), error=error, message=message,
                agenda_count=sum(1 for seat in held.values() if seat.status == "seated"))


def find_session(event, slug) -> Session:
    found = db.session.scalar(select(Session).filter_by(event_id=event.id, slug=slug))
    if found is None:
        abort(404)
    return found


def back_to(slug) -> str:
    """Where a plain form returns: the page it came from on this site, at the session's card."""
    target = local_path(request.form.get("next")) or url_for("program.program")
    return f"{target.split('#')[0]}#session-{slug}"


@bp.get("/<lang>/program.json")
def program_json():
    """The program as data, with texts in LANG."""
    event = current_event()
    response = current_app.response_class(feeds.program_json(event, services.sessions(event), str(get_locale())),
                                          mimetype="application/json")
    return response


@bp.get("/<lang>/program.ics")
def program_ics():
    """The whole program as iCalendar."""
    event = current_event()
    return calendar_response(feeds.calendar(event, services.sessions(event)), "program.ics")


@bp.get("/<lang>/me/agenda.ics")
def agenda_ics():
    """The signed-in delegate's own sessions (seats, not waitlist places) as iCalendar."""
    event = current_event()
    delegate = current_delegate()
    if delegate is None:
        return redirect(url_for("registration.request_link"), code=303)
    mine = services.agenda(delegate, services.sessions(event))
    return calendar_response(feeds.calendar(event, mine), "my-agenda.ics")


def calendar_response(body: bytes, filename: str):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
