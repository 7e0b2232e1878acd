"""Many delegates at once, as real servers see them: signed-in browsers' cookies and form tokens,
and requests sent at the same moment, each from its own thread."""
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.program.models import Seat, Session


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in_cookie(app, device_token: str, csrf_raw: str) -> str:
    """The cookie a delegate's browser holds after signing in (Flask's signed session)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"delegate": device_token, "csrf_token": csrf_raw})


def signup_request(app, server: str, device_token: str, tag, slug: str, action: str = "join", **fields):
    """A signed-in delegate's join or leave form for session `slug`, as a browser posts it
    (`tag` makes the form token differ between requests)."""
    raw = f"raw-token-{action}-{tag}"
    csrf = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    body = urllib.parse.urlencode({"csrf_token": csrf.dumps(raw), **fields}).encode()
    return urllib.request.Request(f"{server}/en/program/{slug}/{action}", data=body, method="POST", headers={
        "Cookie": f"session={signed_in_cookie(app, device_token, raw)}",
        "Content-Type": "application/x-www-form-urlencoded", "Referer": f"{server}/en/program"})


def status_of(request, opener=None, timeout: float = 120) -> int:
    """The status of one request, redirects not followed (a connection that failed: 0)."""
    try:
        return (opener or urllib.request.build_opener(NoRedirect)).open(request, timeout=timeout).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def fire_all(requests) -> list[int]:
    """Send every request at the same moment, each from its own thread; their statuses."""
    opener = urllib.request.build_opener(NoRedirect)
    start = threading.Barrier(len(requests))

    def fire(request):
        start.wait()
        return status_of(request, opener)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(fire, requests))


def posts_at_once(url: str, page: str, fields: dict, count: int) -> list[int]:
    """`count` copies of the form on `page`, sent at the same moment from one browser; their statuses."""
    form = urllib.request.urlopen(url + page)
    cookie = "; ".join(header.split(";", 1)[0] for header in form.headers.get_all("Set-Cookie"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.read().decode()).group(1)
    body = urllib.parse.urlencode({**fields, "csrf_token": token}, doseq=True).encode()
    return fire_all([urllib.request.Request(url + page, data=body, method="POST", headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}) for _ in range(count)])


def queue_of(slug: str) -> tuple[int, int]:
    """(seated, waiting) in session `slug`, checked as a rush must leave them (inside an app
    context): the counters match the rows, one place per delegate, everyone seated asked before
    anyone who waits, and the waitlist keeps arrival order."""
    target = db.session.scalar(select(Session).filter_by(slug=slug).execution_options(populate_existing=True))
    seated = db.session.scalars(select(Seat).filter_by(session_id=target.id, status=Seat.SEATED)).all()
    waiting = db.session.scalars(select(Seat).filter_by(session_id=target.id, status=Seat.WAITING)
                                 .order_by(Seat.created_at, Seat.id)).all()
    assert (target.seats_taken, target.waitlist_length) == (len(seated), len(waiting))
    assert len({seat.registration_id for seat in seated + waiting}) == len(seated) + len(waiting)
    if seated and waiting:
        assert max(s.created_at for s in seated) <= min(w.created_at for w in waiting)
    assert [w.id for w in waiting] == sorted(w.id for w in waiting)
    return len(seated), len(waiting)
