"""Answering with a kept page (app/page_cache.py): a 304 for a reader who has this version, else
the page rendered once per worker for its versions and languages, then reused."""
from flask import g, make_response, request

from .. import clock
from ..events.services import current_versions
from ..i18n import second_language
from ..page_cache import PageCache, pages


def made_from(program: bool = False, versions=None) -> tuple:
    """What a page the same for every reader is made from: the event, its content version, its
    program version and the day (`program=True`: a page that shows the program also shows which
    sessions moved in the last days, Session.recently_changed), the language and second language."""
    versions = versions or current_versions()
    return (versions.event_id, versions.program if program else None, versions.content,
            clock.today().isoformat() if program else None, g.lang, second_language())


def kept_page(kind: str, render, program: bool = False, store: PageCache | None = None, fill=None, versions=None):
    """The response for a page the same for every reader; `render()` makes it when this worker has
    no copy of this version. A page that shows the program (`program=True`) is kept per program
    version too; every page per content version. `fill(body)` puts in what differs per reader."""
    key = made_from(program, versions)
    etag = f"{kind}-" + "-".join(str(part) for part in key if part is not None)
    if fill is None and request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    else:
        store = store or pages()
        body = store.get((kind, *key, request.host))
        if body is None:
            body = render()
            if isinstance(body, str):  # kept as the bytes sent: a page of Cyrillic costs ~50 µs to encode
                body = body.encode()
            store.put((kind, *key, request.host), body)
        response = make_response(fill(body) if fill else body)
    if fill is None:  # a page with the reader's own token is theirs alone
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = "no-cache"
    return response
