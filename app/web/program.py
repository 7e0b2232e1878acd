"""The program: the days at a glance, one session, the data feeds, joining and leaving."""
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from .. import pdf
from ..cookies import form_token
from ..delegates.signin import current_delegate, current_reader, delegate_to_lock, private
from ..events.pairing import pair_text
from ..events.services import current_event, current_versions
from ..extensions import db
from ..htmx import add_vary, current_path, is_htmx, render
from ..i18n import offers_side_by_side, second_language
from ..program import feeds, schedule, services
from ..program.names import FLOOR_LANGUAGE_NAMES, KIND_NAMES
from ..page_cache import TOKEN_SLOT, Frame, fill, kept, own_pages, pdfs, pieces, slot
from ..security import local_path
from .caching import kept_page, made_from
from .errors import render_error

bp = Blueprint("program", __name__, url_prefix="/<lang>")

MESSAGES = {
    services.NotRegistered: (403, _l("Your registration is cancelled, so you cannot join sessions.")),
    services.NoSignup: (403, _l("Sign-up for this session is closed.")),
    services.InvitationOnly: (403, _l("This session is by invitation only.")),
    services.SessionFull: (409, _l("This session is full.")),
    services.TimeConflict: (409, _l("You already have a seat in a session at this time.")),
    services.WaitlistConflict: (409, _l("You are already on the waiting list of a session at this time.")),
    services.NoPlace: (409, _l("You have no seat in this session.")),
}


@bp.app_context_processor
def names():
    return {"kind_names": KIND_NAMES, "floor_language_names": FLOOR_LANGUAGE_NAMES}


@bp.get("/program")
@offers_side_by_side
def program():
    """The program by day and time; parallel breakouts side by side (stacked on phones)."""
    reader = current_reader()
    if reader is None:
        response = kept_page("program", lambda: program_page(None), program=True)
    else:
        places = tuple(sorted((place.session_id, place.status, place.position) for place in reader.places))
        response = make_response(fill(kept(own_pages(), ("program", places, *page_key()),
                                           lambda: program_page(reader)), form_token()))
    add_vary(response, ["Cookie"])
    return response


@dataclass(frozen=True)
class Layout:
    """The program page for these versions and languages, with a slot for each card and the agenda
    count, and the facts that decide each card's state."""

    frame: Frame
    sessions: list[services.SessionFacts]


def page_key() -> tuple:
    """What every piece of the program page is kept under besides its own state (see made_from)."""
    return (*made_from(program=True), request.host)


def program_page(reader) -> str:
    """The program page for a reader (None: signed out), made from pieces kept for these versions:
    the frame, and each session's card in the state it has for this reader, from the places read
    with their sign-in (no query per card).

    The page depends on nothing else, so it is kept whole too: signed out (kept_page), only the
    version is read per request (any join or leave raises it, so seats shown are never stale);
    signed in, per the places held, so that readers who hold the same places share it (each
    reader's form token is filled in after)."""
    key, store = page_key(), pieces()
    layout = kept(store, ("program-frame", *key), program_layout)
    states = services.card_states(layout.sessions, reader, reader.places if reader else ())
    signed_in = reader is not None
    cards = {str(session_id): kept(store, ("card", session_id, state, signed_in, *key),
                                   lambda: session_card(session_id, state, signed_in))
             for session_id, state in states.items()}
    count = reader.agenda_count if reader else 0
    cards["agenda"] = kept(store, ("agenda-count", count, signed_in, *key), lambda: render_template(
        "program/_agenda_count.html", delegate=signed_in, agenda_count=count, oob=False))
    return layout.frame.fill(cards)


def program_layout() -> Layout:
    """The frame, rendered with a slot where each card and the agenda count go."""
    event = current_event()
    sessions = loaded_sessions()
    html = render_template("program/program.html", event=event, days=schedule.days(sessions, event.tz), piece=slot)
    return Layout(Frame(html), [services.SessionFacts.of(s) for s in sessions])


def session_card(session_id: int, state: services.CardState, signed_in: bool) -> str:
    """One card as the program page shows it in this state; a signed-in reader's form token is a slot."""
    by_id = {s.id: s for s in loaded_sessions()}
    if session_id not in by_id or (state.clash and state.clash[0] not in by_id):
        return ""  # removed since this request read the versions: the next request has a new frame
    current_event()  # texts fall back to the event's main language
    clash = services.PlaceFacts(*state.clash, session=by_id[state.clash[0]]) if state.clash else None
    html = render_template("program/_session_card.html", s=by_id[session_id], state=state.state, clash=clash,
                           position=state.position, delegate=signed_in, message=None, here=url_for("program.program"))
    return html.replace(form_token(), TOKEN_SLOT) if signed_in else html


def loaded_sessions() -> list:
    """The event's sessions, read once per request that renders cards."""
    if "sessions" not in g:
        g.sessions = services.sessions(current_event())
    return g.sessions


@bp.get("/program/print")
@offers_side_by_side
def print_program():
    """The program made for A4 paper: every day, time, room and session, and the breaks."""
    return kept_page("print", printed_program, program=True)


@bp.get("/program.pdf")
@offers_side_by_side
def program_pdf():
    """The printed program as a PDF, made from the same page."""
    if not pdf.available():
        return render_error(503, _l("The PDF cannot be made on this server. The printable page has the same program."))
    response = kept_page("pdf", lambda: pdf.render_pdf(
        printed_program(), request.url_root, current_app.static_folder, current_app.static_url_path),
        program=True, store=pdfs())
    response.mimetype = "application/pdf"
    pair = second_language()
    response.headers["Content-Disposition"] = f'inline; filename="program-{g.lang}{"-" + pair if pair else ""}.pdf"'
    return response


def printed_program() -> str:
    """The print page's HTML: what the browser prints and what WeasyPrint makes the PDF from."""
    event = current_event()
    return render_template("program/print.html", event=event, days=schedule.days(services.sessions(event), event.tz))


@bp.get("/program/<slug>")
@offers_side_by_side
def session(slug):
    """One session (with `?with=OTHER`, its texts beside their translation)."""
    event = current_event()
    found = session_or_404(event, slug)
    other = second_language()
    description = pair_text(found.description, g.lang, other, event.main_language) if other else None
    return render_template("program/session.html", **card_context(event, found, current_delegate()),
                           paired_description=description)


@bp.post("/program/<slug>/join")
@offers_side_by_side
def join(slug):
    """Take a seat (or a waitlist place); HTMX gets the card, a plain form a 303 back."""
    want = request.form.get("want") if request.form.get("want") in ("seat", "waitlist") else None
    switch = request.form.get("switch") == "1"
    return signup(slug, lambda delegate, found: services.join(delegate, found, want=want, switch=switch))


@bp.post("/program/<slug>/leave")
@offers_side_by_side
def leave(slug):
    """Give up a seat or a waitlist place; the first in line gets the seat."""
    return signup(slug, lambda delegate, found: services.leave(delegate, found))


def signup(slug, action):
    """Join or leave: the card again (and, on the program page, the cards beside it) for HTMX,
    a 303 back for a plain form; a refusal says why, with its status.

    The transaction that decides is short (on SQLite it holds the write lock from its first
    statement): the sign-in and the session are found before it, through the driver, and read
    under its locks; the event is read after it."""
    delegate = delegate_to_lock()
    found = services.find_to_lock(current_versions().event_id, slug) or abort(404)
    if delegate is None:
        return to_registration(slug)
    try:
        action(delegate, found)
    except services.SignupError as error:
        db.session.rollback()
        status, message = MESSAGES[type(error)]
        return render("program/session.html", "program/_signup_response.html", status,
                      **card_context(current_event(), found, delegate, message=message))
    db.session.commit()
    if not is_htmx():
        return redirect(back_to(slug), code=303)
    return render_template("program/_signup_response.html",
                           **card_context(current_event(), found, delegate, with_neighbours=True))


def to_registration(slug):
    """A signed-out reader who taps join registers first, and comes back to the session."""
    target = url_for("registration.register", next=url_for("program.session", slug=slug))
    if is_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


def card_context(event, found, delegate, message=None, with_neighbours=False):
    """A session's card for its reader. An htmx answer goes to the page htmx names (HX-Current-URL):
    on the session's own page the card has no heading (the page's h1) and no cards beside it."""
    held = services.places(delegate) if delegate else {}
    on_own_page = request.method == "GET" or not is_htmx() or sent_from_session_page(found.slug)
    neighbours = [] if on_own_page or not with_neighbours else [
        dict(s=other, **services.card_facts(other, delegate, held))
        for other in services.neighbours(found, services.sessions(event))
    ]
    here = url_for("program.session", slug=found.slug) if on_own_page else url_for("program.program")
    return dict(event=event, s=found, delegate=delegate, held=held, heading_level=0 if on_own_page else 3,
                **services.card_facts(found, delegate, held), message=message, neighbours=neighbours,
                here=here, agenda_count=services.agenda_count(held))


def sent_from_session_page(slug) -> bool:
    """Whether an htmx request came from the session's own page, as htmx reports the page's address."""
    path = local_path(current_path())
    if path is None:
        return False
    try:
        endpoint, args = current_app.url_map.bind(request.host).match(path.split("?")[0], method="GET")
    except HTTPException:
        return False
    return endpoint == "program.session" and args.get("slug") == slug


def session_or_404(event, slug: str):
    found = services.find(event, slug)
    if found is None:
        abort(404)
    return found


def back_to(slug) -> str:
    """Where a plain form returns: the page it came from on this site, at the session's card."""
    target = local_path(request.form.get("next")) or url_for("program.program")
    return f"{target.split('#')[0]}#session-{slug}"


@bp.get("/program.json")
def program_json():
    """The program as data, with texts in LANG."""
    response = kept_page("program.json", lambda: feeds.program_json(
        current_event(), services.sessions(current_event()), str(get_locale())), program=True)
    response.mimetype = "application/json"
    return response


@bp.get("/program.ics")
def program_ics():
    """The whole program as iCalendar."""
    event = current_event()
    return calendar_response(feeds.calendar(event, services.sessions(event)), "program.ics")


@bp.get("/me/agenda.ics")
def agenda_ics():
    """The signed-in delegate's own sessions (seats, not waitlist places) as iCalendar."""
    event = current_event()
    delegate = current_delegate()
    if delegate is None:
        return private(redirect(url_for("registration.request_link"), code=303))
    return calendar_response(feeds.calendar(event, services.agenda(delegate, services.sessions(event))), "my-agenda.ics")


def calendar_response(body: bytes, filename: str):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
