"""Logs: to standard error at INFO, each line with the request's id (the front proxy's
X-Request-ID, so a line can be found beside nginx's). Nothing here writes an email address or
a passport detail; callers log ids and kinds of errors, never personal data."""
import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(message)s"
# An id a front proxy gives (nginx: $request_id) is kept if it looks like one.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class StandardError(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged (a process manager, or a test, may swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() if has_request_context() else "-"
        return True


def request_id() -> str:
    """The request's id: the front proxy's, else one made when the request first logs a line
    (a request that logs nothing costs nothing)."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
    return g.request_id


def init_app(app: Flask) -> None:
    handler = StandardError()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    app.logger.handlers = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False
