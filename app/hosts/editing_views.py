"""Coordinators edit the program, the content pages and the event, both languages side by side."""
from flask import Blueprint, abort, g, render_template, request, url_for

from .. import clock
from ..delegates.signin import private
from ..events.services import current_event
from ..extensions import db
from ..htmx import see_other
from ..markup import render
from ..program import services as program_services
from ..registration.models import Registration
from . import editing
from .editing_forms import SIGNUP_NAMES, EventForm, MemberForm, PageForm, SessionForm
from .signin import current_host, host_required

bp = Blueprint("hosts_editing", __name__, url_prefix="/<lang>/hosts")
# Every console page is private: no cache keeps it.
bp.after_request(private)

TEXTS = {"session": ("title", "description"), "page": ("title", "text"), "event": editing.EVENT_TEXTS}


@bp.get("/content")
@host_required("edit")
def content():
    """What coordinators can edit: the event, its pages and its sessions, with missing translations."""
    return render_template("hosts/content.html", items=editing.content_items(current_event()))


@bp.route("/program/<slug>/edit", methods=["GET", "POST"])
@host_required("edit")
def edit_session(slug):
    """A session's titles and descriptions side by side, its day, times, room, capacity and sign-up."""
    event = current_event()
    found = program_services.find(event, slug) or abort(404)
    form = SessionForm() if request.method == "POST" else SessionForm(formdata=None, data=editing.session_values(event, found))
    form.room.choices = editing.room_choices(event, g.lang)
    if request.method == "GET" or not form.validate():
        return _session_page(form, found, 200 if request.method == "GET" else 422)
    try:
        done = editing.edit_session(current_host(), event, found, editing.session_edit(form.data), clock.now())
    except editing.Refused as refused:
        return _refused(refused, form, lambda status: _session_page(form, found, status))
    db.session.commit()
    return see_other(url_for(".edit_session", slug=slug, saved=1, told=done.told or None))


@bp.post("/program/<slug>/members")
@host_required("edit")
def add_member(slug):
    """Give a registered delegate a place in an invitation-only session."""
    event = current_event()
    found = program_services.find(event, slug) or abort(404)
    form = MemberForm()
    if not form.validate():
        return _member_refused(event, found, form, editing.Refused({}))
    try:
        editing.add_member(current_host(), event, found, form.email.data)
    except editing.Refused as refused:
        return _member_refused(event, found, form, refused)
    db.session.commit()
    return see_other(url_for(".edit_session", slug=slug, _anchor="members"))


@bp.post("/program/<slug>/members/<int:registration_id>/remove")
@host_required("edit")
def remove_member(slug, registration_id):
    """Take a delegate's place in the session away."""
    event = current_event()
    found = program_services.find(event, slug) or abort(404)
    member = db.session.get(Registration, registration_id)
    if member is None or member.event_id != event.id:
        abort(404)
    editing.remove_member(current_host(), found, member)
    db.session.commit()
    return see_other(url_for(".edit_session", slug=slug, _anchor="members"))


@bp.route("/pages/<name>/edit", methods=["GET", "POST"])
@host_required("edit")
def edit_page(name):
    """A content page's Markdown in both languages side by side; `preview` shows it, stores nothing."""
    page = editing.find_page(current_event(), name) or abort(404)
    form = PageForm() if request.method == "POST" else PageForm(formdata=None, data=editing.page_values(page))
    if request.method == "GET" or not form.validate():
        return _page_page(form, page, 200 if request.method == "GET" else 422)
    if "preview" in request.form:
        return _page_page(form, page, 200, preview={code: render(form[f"text_{code}"].data or "")
                                                    for code in editing.LANGUAGES})
    try:
        editing.edit_page(current_host(), page, editing.page_edit(form.data))
    except editing.Refused as refused:
        return _refused(refused, form, lambda status: _page_page(form, page, status))
    db.session.commit()
    return see_other(url_for(".edit_page", name=name, saved=1))


@bp.route("/event", methods=["GET", "POST"])
@host_required("edit")
def edit_event():
    """The event's name, theme, city and visa letter text in both languages, its days and the registration deadline."""
    event = current_event()
    form = EventForm() if request.method == "POST" else EventForm(formdata=None, data=editing.event_values(event))
    if request.method == "GET" or not form.validate():
        return _event_page(form, 200 if request.method == "GET" else 422)
    try:
        editing.edit_event(current_host(), event, editing.event_edit(form.data))
    except editing.Refused as refused:
        return _refused(refused, form, lambda status: _event_page(form, status))
    db.session.commit()
    return see_other(url_for(".edit_event", saved=1))


def _refused(refused, form, page):
    """The form again with the rules' messages on their fields; nothing was stored."""
    db.session.rollback()
    for name, message in refused.problems.items():
        form[name].errors = [*form[name].errors, message]
    return page(422)


def _page_context(form, kind):
    return dict(form=form, missing=editing.untranslated(form.data, TEXTS[kind]), languages=editing.LANGUAGES,
                saved=request.args.get("saved"))


def _session_page(form, session, status, member_form=None):
    return render_template("hosts/edit_session.html", session=session, signup_names=SIGNUP_NAMES,
                           told=request.args.get("told", type=int), members=editing.members(session),
                           member_form=member_form or MemberForm(formdata=None), **_page_context(form, "session")), status


def _member_refused(event, session, member_form, refused):
    """The session's page again, the member form with its message; nothing was stored."""
    db.session.rollback()
    for name, message in refused.problems.items():
        member_form[name].errors = [*member_form[name].errors, message]
    form = SessionForm(formdata=None, data=editing.session_values(event, session))
    form.room.choices = editing.room_choices(event, g.lang)
    return _session_page(form, session, 422, member_form)


def _page_page(form, page, status, preview=None):
    return render_template("hosts/edit_page.html", page=page, preview=preview, **_page_context(form, "page")), status


def _event_page(form, status):
    return render_template("hosts/edit_event.html", **_page_context(form, "event")), status
