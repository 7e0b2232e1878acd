"""Rendered anonymous program pages, kept per (event, program version, language).

Every change to the program or its seats raises the event's program_version in the same
transaction, so a page is reused only while it is right. Each worker keeps its own copy.
"""
from flask import current_app


class PageCache:
    def __init__(self, size: int = 32):
        self.size = size
        self.pages: dict[tuple, str] = {}

    def get(self, key):
        return self.pages.get(key)

    def put(self, key, body: str) -> None:
        if len(self.pages) >= self.size:
            self.pages.clear()
        self.pages[key] = body


def page_cache() -> PageCache:
    return current_app.extensions.setdefault("program_pages", PageCache())
