"""The audit log: every change a host makes, recorded by the service that makes it."""
from sqlalchemy import select

from ..events.models import Event, Page
from ..extensions import db
from ..program.models import Room, Session
from ..registration.models import Registration
from ..timestamps import utcnow
from .models import AuditEntry, Host

PAGE_SIZE = 50


def record(actor: Host | None, action: str, kind: str, object_id: int | None, before: dict | None = None,
           after: dict | None = None) -> AuditEntry:
    """Note a change in the same transaction as the change itself (actor None: the command line)."""
    entry = AuditEntry(host_id=actor.id if actor else None, at=utcnow(), action=action, object_kind=kind,
                       object_id=object_id, before=before, after=after)
    db.session.add(entry)
    return entry


def entries(host_id: int | None = None, registration_id: int | None = None, page: int = 1) -> tuple[list[AuditEntry], bool]:
    """One page of the log, newest first, filtered by who made the change or by the registration it
    touched; and whether an older page follows."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if host_id is not None:
        query = query.where(AuditEntry.host_id == host_id)
    if registration_id is not None:
        query = query.where(AuditEntry.object_kind == "registration", AuditEntry.object_id == registration_id)
    rows = db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


KINDS = {"registration": Registration, "session": Session, "page": Page, "event": Event, "host": Host}


def subjects(entries: list[AuditEntry]) -> dict[tuple[str, int], object]:
    """What each entry changed, by (kind, id): the registration, session, page, event or account,
    one query per kind on the page (one that is gone since is missing)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_kind in KINDS and entry.object_id is not None:
            wanted.setdefault(entry.object_kind, set()).add(entry.object_id)
    found = {}
    for kind, ids in wanted.items():
        model = KINDS[kind]
        for thing in db.session.scalars(select(model).where(model.id.in_(ids))):
            found[kind, thing.id] = thing
    return found


def room_names(event_id: int) -> dict[str, object]:
    """The event's rooms by slug, for the log's sessions (it keeps a room by its slug)."""
    return {room.slug: room.name for room in db.session.scalars(select(Room).where(Room.event_id == event_id))}
