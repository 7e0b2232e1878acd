"""Rendered anonymous program pages, kept per (event, program version, language, second language),
and the printed program's PDFs, kept the same way.

Every change to the program or its seats raises the event's program_version in the same
transaction, so a page is reused only while it is right. Each worker keeps its own copy.
"""
from flask import current_app


class PageCache:
    def __init__(self, size: int = 32):
        self.size = size
        self.pages: dict[tuple, str | bytes] = {}

    def get(self, key):
        return self.pages.get(key)

    def put(self, key, body: str | bytes) -> None:
        if len(self.pages) >= self.size:
            self.pages.clear()
        self.pages[key] = body


def page_cache() -> PageCache:
    return current_app.extensions.setdefault("program_pages", PageCache())


def pdf_cache() -> PageCache:
    """PDFs are larger than pages (about 50 KB each): a few languages and pairs for the newest version."""
    return current_app.extensions.setdefault("program_pdfs", PageCache(size=8))
