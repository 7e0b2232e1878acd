"""Pages that are the same for every reader, kept rendered in each worker.

A page is kept under the versions it was made from (the event's program version, its content
version: app/events/models.py), its language and second language, and the host it was asked
at. Every change raises a version in the same transaction as the change, and every request
reads the versions first, so a kept page is served only while it is still right, from any
worker or instance. What differs per reader (a form's token) is filled in after (see `fill`).
"""
from flask import current_app

# Stands where a page's form token goes; replaced per request (fill).
TOKEN_SLOT = "\x00csrf-token\x00"


class PageCache:
    def __init__(self, size: int = 64):
        self.size = size
        self.pages: dict[tuple, object] = {}

    def get(self, key):
        return self.pages.get(key)

    def put(self, key, body) -> None:
        if len(self.pages) >= self.size:
            self.pages.clear()  # old versions go; the current ones are made again at once
        self.pages[key] = body


def pages() -> PageCache:
    return current_app.extensions.setdefault("page_cache", PageCache())


def pdfs() -> PageCache:
    """PDFs are larger than pages (about 50 KB each): a few languages and pairs for the newest version."""
    return current_app.extensions.setdefault("pdf_cache", PageCache(size=8))


def remembered(key: tuple, compute):
    """A value worked out once per worker for `key` (which names the versions it comes from)."""
    store = pages()
    value = store.get(("value", *key))
    if value is None:
        value = compute()
        store.put(("value", *key), value)
    return value


def fill(body: str, token: str) -> str:
    """A kept page with this reader's form token in its slots."""
    return body.replace(TOKEN_SLOT, token)
