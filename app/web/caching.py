"""Answering with a kept page (app/page_cache.py): a 304 for a reader who has this version, else
the page rendered once per worker for its versions and languages, then reused."""
from flask import g, make_response, request

from .. import clock
from ..events.services import current_versions
from ..i18n import second_language
from ..page_cache import PageCache, pages


def kept_page(kind: str, render, program: bool = False, store: PageCache | None = None, fill=None):
    """The response for a page the same for every reader; `render()` makes it when this worker has
    no copy of this version. A page that shows the program (`program=True`) is kept per program
    version too; every page per content version. `fill(body)` puts in what differs per reader."""
    versions = current_versions()
    pair = second_language()
    # A program page also shows which sessions moved in the last days (Session.recently_changed).
    made_from = (versions.event_id, versions.program if program else None, versions.content,
                 clock.today().isoformat() if program else None)
    etag = f"{kind}-" + "-".join(str(part) for part in (*made_from, g.lang, pair) if part is not None)
    if fill is None and request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    else:
        store = store or pages()
        key = (kind, *made_from, g.lang, pair, request.host)
        body = store.get(key)
        if body is None:
            body = render()
            store.put(key, body)
        response = make_response(fill(body) if fill else body)
    if fill is None:  # a page with the reader's own token is theirs alone
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = "no-cache"
    return response
