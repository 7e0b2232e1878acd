"""Check-in at the door: the rules (which day, who is let in, what is expected), and the console's
pages through Flask's client: a badge's card, one tap, warnings, refusals, unknown badges, the
search in any script, the counts, forged and doubled forms, two hosts tapping at once."""
import re
import threading
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select, update

from app.events.models import Event
from app.extensions import db
from app.hosts import checkin
from app.hosts.models import AuditEntry, CheckIn, Host
from app.registration.models import Registration, new_checkin_code
from app.registration.services import erase_personal_data
from tests.conftest import at, csrf_token, register, sign_in_host
from tests.test_hosts import COORDINATOR, HOST, coordinator, plain_host  # noqa: F401 (fixtures)
from tests.test_program import statements_of_get

HTMX = {"HX-Request": "true"}
FIRST, LAST = date(2017, 5, 25), date(2017, 5, 26)
ON_THE_FIRST_DAY = "2017-05-25T08:40:00+08:00"


# The rules

@pytest.mark.parametrize("today, day", [
    (date(2017, 5, 1), FIRST),  # before the event: its first day
    (date(2017, 5, 24), FIRST),
    (FIRST, FIRST),
    (LAST, LAST),
    (date(2017, 5, 27), LAST),  # after: its last day
    (date(2018, 1, 1), LAST),
])
def test_the_door_counts_for_today_or_the_nearest_event_day(today, day):
    assert checkin.door_day(FIRST, LAST, today) == day


def test_a_one_day_event_has_one_door_day():
    one = date(2017, 5, 25)
    assert {checkin.door_day(one, one, d) for d in (date(2017, 5, 1), one, date(2017, 6, 1))} == {one}


def test_a_code_is_what_new_checkin_code_makes():
    assert all(checkin.is_code(new_checkin_code()) for _ in range(200))
    for text in ("", "x" * 25, "a\x00b", "ab/cd", "ab cd", "ab%00", "аб", "ab\u202e", "1\n"):
        assert not checkin.is_code(text), text


@pytest.mark.parametrize("today, phase", [(date(2017, 5, 24), "before"), (FIRST, "during"), (LAST, "during"),
                                          (date(2017, 5, 27), "after")])
def test_where_the_event_stands(today, phase):
    assert checkin.event_phase(FIRST, LAST, today) == phase


def test_the_event_days_run_from_the_first_to_the_last():
    assert checkin.event_days(FIRST, LAST) == [FIRST, LAST]
    assert checkin.event_days(FIRST, FIRST) == [FIRST]
    assert len(checkin.event_days(date(2017, 5, 30), date(2017, 6, 2))) == 4


@pytest.mark.parametrize("moment, day", [
    ("2017-05-24T16:59:59+00:00", FIRST),  # 00:59 on the 25th in Ulaanbaatar, still the 24th in UTC
    ("2017-05-25T15:59:00+00:00", FIRST),  # 23:59 in Ulaanbaatar
    ("2017-05-25T16:00:00+00:00", LAST),  # midnight in Ulaanbaatar: the second day
    ("2017-05-26T08:00:00-10:00", LAST),  # the 27th in Ulaanbaatar: after the event
])
def test_the_day_is_the_one_in_the_events_time_zone(moment, day):
    event = Event(starts_on=FIRST, ends_on=LAST, timezone="Asia/Ulaanbaatar")
    assert checkin.today_at_door(event, datetime.fromisoformat(moment)) == day


def test_a_registration_attends_the_days_it_chose():
    assert checkin.attends(["2017-05-25", "2017-05-26"], LAST)
    assert not checkin.attends(["2017-05-25"], LAST)
    assert not checkin.attends(None, FIRST) and not checkin.attends("2017-05-25", FIRST)


@pytest.mark.parametrize("status, checked_in, verdict", [
    ("confirmed", False, checkin.WELCOME),
    ("pending", False, checkin.UNCONFIRMED),  # let in, with a warning
    ("declined", False, checkin.REFUSED),
    ("cancelled", False, checkin.REFUSED),
    ("anything else", False, checkin.REFUSED),
    ("confirmed", True, checkin.ALREADY_IN),
    ("pending", True, checkin.ALREADY_IN),
    ("declined", True, checkin.ALREADY_IN),  # in already: the door says so first
])
def test_what_the_door_does_with_a_delegate(status, checked_in, verdict):
    assert checkin.verdict(status, checked_in) == verdict


def test_the_door_shows_a_passport_spelling_only_where_it_says_more():
    def spelling(given, family, passport_given="", passport_family=""):
        return checkin.passport_spelling(Registration(given_name=given, family_name=family,
                                                      passport_given_name=passport_given,
                                                      passport_family_name=passport_family))

    assert spelling("Цэцэг", "Батбаяр", "TSETSEG", "BATBAYAR") == "TSETSEG BATBAYAR"
    assert spelling("Ana", "García") == ""  # none given
    assert spelling("Ana", "García", "Ana", "García") == ""  # the name as written
    assert spelling("Цэцэг", "Батбаяр", "", "BATBAYAR") == "BATBAYAR"


# Helpers for the pages

def delegate(app, make_delegate, name="tsetseg", status="confirmed", **fields):
    """A registered delegate (confirmed unless said), returned detached with its code."""
    fields = {"given_name": "Цэцэг", "family_name": "Батбаяр", "passport_given_name": "TSETSEG",
              "passport_family_name": "BATBAYAR", "country": "MN", "organisation": "Монгол Ардын Нам",
              "days": ["2017-05-25", "2017-05-26"], **fields}
    made = make_delegate(name, **fields)
    if status != "pending":
        with app.app_context():
            db.session.execute(update(Registration).where(Registration.id == made.id).values(status=status))
            db.session.commit()
    return made


def checkins(app):
    with app.app_context():
        return db.session.execute(select(CheckIn.registration_id, CheckIn.day, CheckIn.at, Host.email)
                                  .join(Host, Host.id == CheckIn.host_id).order_by(CheckIn.id)).all()


def checkin_audit(app):
    with app.app_context():
        return db.session.execute(select(AuditEntry.object_id, AuditEntry.after, AuditEntry.host_id)
                                  .where(AuditEntry.action == "registration.checked_in")).all()


def tap(client, code, lang="en", headers=None, **data):
    """What a host does: open the badge's card, then tap its button (a plain form unless headers say htmx)."""
    page = client.get(f"/{lang}/hosts/checkin/{code}").get_data(as_text=True)
    return client.post(f"/{lang}/hosts/checkin/{code}", data={"csrf_token": csrf_token(page), **data},
                       headers=headers or {})


def text_of(html: str) -> str:
    """What a reader sees: the markup gone, the spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("&amp;", "&").split())


@pytest.fixture
def on_the_first_day(app):
    app.config["PORTAL_NOW"] = ON_THE_FIRST_DAY


# A badge's card and one tap

def test_a_badge_opens_the_delegates_card_with_one_big_button(app, plain_host, make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    response = plain_host.get(f"/en/hosts/checkin/{ana.checkin_code}")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    seen = text_of(response.get_data(as_text=True))
    for shown in ("Цэцэг Батбаяр", "Passport: TSETSEG BATBAYAR", "Country Mongolia", "Party or organisation Монгол Ардын Нам",
                  "Status Confirmed", "Check in", "Today: Thursday, May 25, 2017."):
        assert shown in seen, shown
    assert "Already checked in" not in seen and "Not yet confirmed" not in seen
    page = plain_host.get(f"/mn/hosts/checkin/{ana.checkin_code}").get_data(as_text=True)
    assert "Ирснийг бүртгэх" in page and "Баталгаажсан" in page and "Монгол" in page


def test_one_tap_checks_the_delegate_in_for_the_day_and_logs_it(app, plain_host, make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    response = tap(plain_host, ana.checkin_code)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/en/hosts/checkin/{ana.checkin_code}?done=1"
    assert [(r, d, h) for r, d, _at, h in checkins(app)] == [(ana.id, FIRST, HOST)]
    assert checkins(app)[0][2] == datetime.fromisoformat(ON_THE_FIRST_DAY)
    with app.app_context():
        host_id = db.session.scalar(select(Host.id).where(Host.email == HOST))
    assert checkin_audit(app) == [(ana.id, {"day": "2017-05-25", "status": "confirmed"}, host_id)]
    seen = text_of(plain_host.get(response.headers["Location"]).get_data(as_text=True))
    assert "Checked in. May 25, 2017, 08:40 (Ulaanbaatar time)" in seen
    assert "Already checked in" not in seen
    assert not re.search(r"<button[^>]*door-button", plain_host.get(response.headers["Location"]).get_data(as_text=True))


def test_a_second_try_warns_with_the_time_and_the_host_and_records_nothing(app, plain_host, coordinator,
                                                                           make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    page = plain_host.get(f"/mn/hosts/checkin/{ana.checkin_code}").get_data(as_text=True)  # the card, left open
    assert tap(coordinator, ana.checkin_code).status_code == 303
    again = plain_host.post(f"/mn/hosts/checkin/{ana.checkin_code}", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 409
    seen = text_of(again.get_data(as_text=True))
    assert "Аль хэдийн ирсэн гэж бүртгэгдсэн байна." in seen
    assert "08:40" in seen and COORDINATOR in seen
    english = text_of(plain_host.get(f"/en/hosts/checkin/{ana.checkin_code}").get_data(as_text=True))
    assert "Already checked in. When: May 25, 2017, 08:40 (Ulaanbaatar time) Who: coordinator@example.org" in english
    assert len(checkins(app)) == 1 and len(checkin_audit(app)) == 1
    # «done» in the address says nothing for someone else's check-in: the warning stays.
    assert "Already checked in" in plain_host.get(f"/en/hosts/checkin/{ana.checkin_code}?done=1").get_data(as_text=True)


def test_a_doubled_post_records_one_check_in(app, plain_host, make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    token = csrf_token(plain_host.get(f"/en/hosts/checkin/{ana.checkin_code}").get_data(as_text=True))
    answers = [plain_host.post(f"/en/hosts/checkin/{ana.checkin_code}", data={"csrf_token": token}).status_code
               for _ in range(2)]
    assert answers == [303, 409]
    assert len(checkins(app)) == 1 and len(checkin_audit(app)) == 1


def test_htmx_swaps_the_card_and_the_counts(app, plain_host, make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    response = tap(plain_host, ana.checkin_code, headers=HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="door-card"' in body
    assert "Checked in." in body and "08:40" in body
    counts = re.search(r'<section id="door-counts"[^>]*hx-swap-oob="true".*?</section>', body, re.S).group(0)
    assert "May 25, 2017</th><td>1</td><td>1</td>" in counts, counts
    again = tap(plain_host, ana.checkin_code, headers=HTMX)
    assert again.status_code == 409  # htmx swaps it too (the portal's htmx config swaps 4xx)
    assert "<html" not in again.get_data(as_text=True) and "Already checked in." in again.get_data(as_text=True)
    assert "Accept-Encoding" not in response.headers.get("Vary", "") and "HX-Request" in response.headers["Vary"]


def test_the_day_follows_the_events_clock(app, plain_host, make_delegate):
    ana = delegate(app, make_delegate)
    app.config["PORTAL_NOW"] = "2017-05-26T00:30:00+08:00"  # the second day, just after midnight
    assert tap(plain_host, ana.checkin_code).status_code == 303
    assert [d for _r, d, _at, _h in checkins(app)] == [LAST]
    page = text_of(plain_host.get("/en/hosts/checkin").get_data(as_text=True))
    assert "Today: Friday, May 26, 2017." in page
    app.config["PORTAL_NOW"] = "2017-05-28T10:00:00+08:00"  # after the event: its last day, already done
    assert tap(plain_host, ana.checkin_code).status_code == 409
    assert "The event is over: check-ins count for its last day, May 26, 2017." in text_of(
        plain_host.get("/en/hosts/checkin").get_data(as_text=True))


def test_before_the_event_check_ins_count_for_its_first_day(app, plain_host, make_delegate):
    ana = delegate(app, make_delegate)
    app.config["PORTAL_NOW"] = "2017-05-01T10:00:00+08:00"
    assert tap(plain_host, ana.checkin_code).status_code == 303
    assert [d for _r, d, _at, _h in checkins(app)] == [FIRST]
    page = text_of(plain_host.get("/mn/hosts/checkin").get_data(as_text=True))
    assert "Арга хэмжээ эхлээгүй байна." in page
    record = text_of(plain_host.get(f"/en/hosts/registrations/{ana.id}").get_data(as_text=True))
    assert "May 25, 2017: checked in at 10:00 (Ulaanbaatar time) (May 1, 2017) Who: dorj@example.org" in record


# Warnings and refusals

def test_a_pending_registration_is_let_in_with_a_warning_the_host_sees(app, plain_host, make_delegate,
                                                                       on_the_first_day):
    bat = delegate(app, make_delegate, "bat", status="pending")
    page = plain_host.get(f"/en/hosts/checkin/{bat.checkin_code}").get_data(as_text=True)
    seen = text_of(page)
    assert "Not yet confirmed." in seen and "Check in though not confirmed" in seen
    assert re.search(r'class="door-card door-warn"', page)
    assert 'role="alert"' in page
    mongolian = text_of(plain_host.get(f"/mn/hosts/checkin/{bat.checkin_code}").get_data(as_text=True))
    assert "Баталгаажаагүй байна." in mongolian and "Хүлээгдэж буй" in mongolian
    assert tap(plain_host, bat.checkin_code).status_code == 303
    assert checkin_audit(app)[0][1] == {"day": "2017-05-25", "status": "pending"}


@pytest.mark.parametrize("status, why, why_mn", [
    ("declined", "Do not check in: the hosts declined this registration.",
     "Ирцийг бүртгэж болохгүй: зохион байгуулагчид энэ бүртгэлээс татгалзсан."),
    ("cancelled", "Do not check in: the delegate cancelled this registration.",
     "Ирцийг бүртгэж болохгүй: төлөөлөгч энэ бүртгэлээ цуцалсан."),
])
def test_a_declined_or_cancelled_registration_is_refused_saying_why_and_whom_to_ask(
        app, plain_host, make_host, make_delegate, on_the_first_day, status, why, why_mn):
    make_host()  # the coordinator
    make_host(email="gone@example.org", active=False)
    bat = delegate(app, make_delegate, "bat", status=status)
    page = plain_host.get(f"/en/hosts/checkin/{bat.checkin_code}").get_data(as_text=True)
    seen = text_of(page)
    assert why in seen and "Ask a coordinator before letting the delegate in:" in seen
    assert f'href="mailto:{COORDINATOR}"' in page and "gone@example.org" not in page
    assert f'href="/en/hosts/registrations/{bat.id}"' in page
    assert "door-button" not in page
    assert why_mn in text_of(plain_host.get(f"/mn/hosts/checkin/{bat.checkin_code}").get_data(as_text=True))
    token = csrf_token(plain_host.get("/en/hosts/checkin").get_data(as_text=True) + page)
    refused = plain_host.post(f"/en/hosts/checkin/{bat.checkin_code}", data={"csrf_token": token})
    assert refused.status_code == 409 and why in text_of(refused.get_data(as_text=True))
    assert checkins(app) == [] and checkin_audit(app) == []


def test_without_a_coordinator_the_door_names_the_hosts_address(app, plain_host, make_delegate, on_the_first_day):
    bat = delegate(app, make_delegate, "bat", status="declined")
    page = plain_host.get(f"/en/hosts/checkin/{bat.checkin_code}").get_data(as_text=True)
    with app.app_context():
        contact = db.session.scalar(select(Event.contact_email))
    assert f'href="mailto:{contact}"' in page


def test_a_delegate_who_did_not_register_for_the_day_is_let_in_with_a_note(app, plain_host, make_delegate,
                                                                           on_the_first_day):
    ana = delegate(app, make_delegate, days=["2017-05-26"])
    assert "Not registered for this day." in plain_host.get(f"/en/hosts/checkin/{ana.checkin_code}").get_data(as_text=True)
    assert tap(plain_host, ana.checkin_code).status_code == 303


# Unknown, erased and hostile codes

def test_an_unknown_badge_is_a_404_in_the_readers_language_naming_no_one(app, plain_host, make_delegate):
    ana = delegate(app, make_delegate)
    for lang, words in (("en", "This badge is not known"), ("mn", "Энэ үнэмлэх танигдсангүй")):
        response = plain_host.get(f"/{lang}/hosts/checkin/{ana.checkin_code[:-1]}x")
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert words in body
        assert ana.checkin_code not in body and "Цэцэг" not in body and "tsetseg" not in body
    token = csrf_token(plain_host.get("/en/hosts/checkin").get_data(as_text=True))
    assert plain_host.post("/en/hosts/checkin/nobody", data={"csrf_token": token}).status_code == 404
    assert checkins(app) == []


@pytest.mark.parametrize("code", ["x" * 5000, "%00", "..%2F..%2Fetc", "%E2%80%AE", "💥", "' OR 1=1 --", "A" * 25, "1"])
def test_a_hostile_code_is_a_404_never_a_500(plain_host, make_delegate, code):
    make_delegate("ana")
    response = plain_host.get(f"/mn/hosts/checkin/{code}")
    assert response.status_code == 404, code


def test_the_registration_number_is_not_a_badge(app, plain_host, make_delegate):
    ana = delegate(app, make_delegate)
    assert plain_host.get(f"/en/hosts/checkin/{ana.id}").status_code == 404


def test_an_erased_registration_is_not_found(app, plain_host, make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    token = csrf_token(plain_host.get(f"/en/hosts/checkin/{ana.checkin_code}").get_data(as_text=True))
    with app.app_context():
        erase_personal_data(db.session.get(Registration, ana.id), datetime.now(timezone.utc))
        db.session.commit()
    assert plain_host.get(f"/en/hosts/checkin/{ana.checkin_code}").status_code == 404
    answer = plain_host.post(f"/en/hosts/checkin/{ana.checkin_code}", data={"csrf_token": token}, headers=HTMX)
    assert answer.status_code == 404 and answer.headers["HX-Retarget"] == "body"
    assert checkins(app) == []
    found = plain_host.get("/en/hosts/checkin?q=erased").get_data(as_text=True)  # its address is erased-ID
    assert "No delegate matches." in found and f"/en/hosts/checkin/{ana.checkin_code}" not in found


# Forged and garbled forms

def test_a_forged_or_missing_csrf_token_is_a_400_and_nothing_is_stored(app, plain_host, make_delegate,
                                                                      on_the_first_day):
    ana = delegate(app, make_delegate)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": csrf_token(
            app.test_client().get("/en/hosts/login").get_data(as_text=True))}):
        response = plain_host.post(f"/mn/hosts/checkin/{ana.checkin_code}", data=data)
        assert response.status_code == 400
        assert "Маягтын хугацаа дууссан" in response.get_data(as_text=True)
    assert checkins(app) == [] and checkin_audit(app) == []


def test_a_doubled_token_field_is_refused_and_nothing_is_stored(app, plain_host, make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    token = csrf_token(plain_host.get(f"/en/hosts/checkin/{ana.checkin_code}").get_data(as_text=True))
    response = plain_host.post(f"/en/hosts/checkin/{ana.checkin_code}", data={"csrf_token": [token, token]})
    assert response.status_code == 422
    assert "The form could not be read. Please tap again." in response.get_data(as_text=True)
    assert checkins(app) == []


# Who may open the door

def test_signed_out_the_door_sends_to_login_and_back(app, event, make_host, make_delegate):
    make_host()
    ana = make_delegate("ana")
    client = app.test_client()
    response = client.get(f"/mn/hosts/checkin/{ana.checkin_code}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/mn/hosts/login?next=/mn/hosts/checkin/{ana.checkin_code}"
    assert "ana" not in response.get_data(as_text=True)
    assert sign_in_host(client, lang="mn", next_path=f"/mn/hosts/checkin/{ana.checkin_code}").headers["Location"] == \
        f"/mn/hosts/checkin/{ana.checkin_code}"


def door_routes(app):
    """(method, path) for every route of the door, from the URL map (a real badge's code in place)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("hosts_checkin."):
            found += [(method, rule.rule.replace("<lang>", "mn")) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_the_route_list_covers_the_door(app):
    assert set(door_routes(app)) == {("GET", "/mn/hosts/checkin"), ("GET", "/mn/hosts/checkin/<code>"),
                                     ("POST", "/mn/hosts/checkin/<code>")}


def test_no_route_of_the_door_opens_to_a_stranger_or_a_delegate(app, open_registration, make_host):
    make_host()
    delegate_device = app.test_client()
    assert register(delegate_device).status_code == 303
    with app.app_context():
        code = db.session.scalar(select(Registration.checkin_code))
    for client in (app.test_client(), delegate_device):
        token = csrf_token(client.get("/mn/hosts/login").get_data(as_text=True))
        for method, path in door_routes(app):
            path = path.replace("<code>", code)
            response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
            assert response.status_code == 303 and "/hosts/login" in response.headers["Location"], (method, path)
            assert "ana@example.org" not in response.get_data(as_text=True) and "García" not in response.get_data(
                as_text=True)
    assert checkins(app) == []


def test_every_host_may_use_the_door_and_finds_it_in_the_menu(app, plain_host, make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    menu = plain_host.get("/mn/hosts/").get_data(as_text=True)
    assert '<a href="/mn/hosts/checkin">Ирц бүртгэл</a>' in menu
    for method, path in door_routes(app):
        path = path.replace("<code>", ana.checkin_code)
        response = plain_host.get(path) if method == "GET" else tap(plain_host, ana.checkin_code, "mn")
        assert response.status_code == (200 if method == "GET" else 303), (method, path)
    assert 'aria-current="page">Ирц бүртгэл' in plain_host.get("/mn/hosts/checkin").get_data(as_text=True)


# Two hosts at once

def signed_in_hosts(app, make_host, count):
    clients = []
    for number in range(count):
        email = f"door{number}@example.org"
        make_host(email=email, role="host")
        client = app.test_client()
        assert sign_in_host(client, email).status_code == 303
        clients.append(client)
    return clients


def test_hosts_tapping_at_once_record_one_check_in(app, make_host, make_delegate, on_the_first_day):
    """Eight hosts' phones tap the same badge at the same moment, each from its own thread, on the
    test's database file: one check-in, one log entry, and everyone else is told who did it."""
    ana = delegate(app, make_delegate)
    hosts = signed_in_hosts(app, make_host, 8)
    tokens = [csrf_token(client.get(f"/en/hosts/checkin/{ana.checkin_code}").get_data(as_text=True)) for client in hosts]
    start = threading.Barrier(len(hosts))
    answers = [None] * len(hosts)

    def tap_now(number):
        start.wait()
        response = hosts[number].post(f"/en/hosts/checkin/{ana.checkin_code}", data={"csrf_token": tokens[number]},
                                      headers=HTMX)
        answers[number] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=tap_now, args=(number,)) for number in range(len(hosts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _body in answers) == [200] + [409] * 7
    rows = checkins(app)
    assert len(rows) == 1 and len(checkin_audit(app)) == 1
    winner = rows[0][3]
    for status, body in answers:
        if status == 409:
            assert "Already checked in." in body and winner in body


def test_a_check_in_committed_between_the_look_and_the_insert_is_reported_not_doubled(
        app, make_host, make_delegate, monkeypatch):
    """The race the unique constraint settles (on PostgreSQL two transactions both look and find
    nothing): the insert fails, the transaction goes on, and the host is told who was first."""
    app.config["PORTAL_NOW"] = ON_THE_FIRST_DAY
    ana = delegate(app, make_delegate)
    first, second = make_host(email="first@example.org", role="host"), make_host(email="second@example.org")
    with app.app_context():
        db.session.add(CheckIn(registration_id=ana.id, day=FIRST, at=at("2017-05-25 08:39"), host_id=first.id))
        db.session.commit()
    looks = iter([None])  # the first look misses the other host's row, as it would have a moment earlier
    real = checkin._check_in_of
    monkeypatch.setattr(checkin, "_check_in_of", lambda *args: next(looks, None) or real(*args))
    with app.test_request_context("/en/hosts/checkin", method="POST"):
        event = db.session.scalar(select(Event))
        with pytest.raises(checkin.NotLetIn) as refused:
            checkin.check_in(db.session.get(Host, second.id), event, ana.checkin_code,
                             datetime.fromisoformat(ON_THE_FIRST_DAY))
        assert refused.value.door.card.check_in.host.email == "first@example.org"
        assert refused.value.door.card.is_in
        assert refused.value.door.counts[0].arrived == 1
        assert db.session.scalar(select(func.count(CheckIn.id))) == 1  # the transaction is still usable
        db.session.commit()
    assert checkin_audit(app) == []


# The search and the counts

def test_the_search_finds_a_name_in_cyrillic_or_latin_whatever_the_case(app, plain_host, make_delegate,
                                                                        on_the_first_day):
    ana = delegate(app, make_delegate)
    delegate(app, make_delegate, "decoy", given_name="Oyunaa", family_name="Decoy", passport_given_name="",
             passport_family_name="")
    for q in ("цэцэг", "ЦЭЦЭГ", "tsetseg", "Batbayar", "батбаяр", "tsetseg@example"):
        page = plain_host.get("/mn/hosts/checkin", query_string={"q": q}).get_data(as_text=True)
        assert f'href="/mn/hosts/checkin/{ana.checkin_code}"' in page and "Decoy" not in page, q
        assert "1 төлөөлөгч олдлоо" in page and "Ирээгүй" in page, q
    assert "No delegate matches." in plain_host.get("/en/hosts/checkin?q=nobody").get_data(as_text=True)


def test_the_search_says_who_is_in_already(app, plain_host, make_delegate, on_the_first_day):
    ana = delegate(app, make_delegate)
    tap(plain_host, ana.checkin_code)
    page = text_of(plain_host.get("/en/hosts/checkin?q=tsetseg").get_data(as_text=True))
    assert "Confirmed · Checked in: 08:40" in page


def test_htmx_gets_only_the_results_as_one_types(app, plain_host, make_delegate, on_the_first_day):
    delegate(app, make_delegate)
    fragment = plain_host.get("/en/hosts/checkin", query_string={"q": "Цэц"}, headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and "Цэцэг Батбаяр" in body
    assert "door-counts" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    whole = plain_host.get("/en/hosts/checkin", query_string={"q": "Цэц"}).get_data(as_text=True)
    assert "<html" in whole and 'id="door-results"' in whole and 'hx-get="/en/hosts/checkin"' in whole


@pytest.mark.parametrize("q", ["x\x00y", "\u202eevil", "x" * 101])
def test_a_garbled_search_is_a_422_in_the_readers_language(plain_host, make_delegate, q):
    make_delegate("ana")
    response = plain_host.get("/mn/hosts/checkin", query_string={"q": q})
    assert response.status_code == 422
    assert "Доорх алдааг засна уу" in response.get_data(as_text=True) or "алдаа" in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ["%", "_", "\\", "' OR 1=1 --", "🙂", "e\u0301"])
def test_search_characters_are_taken_literally(plain_host, make_delegate, q):
    make_delegate("ana")
    response = plain_host.get("/en/hosts/checkin", query_string={"q": q})
    assert response.status_code == 200 and "No delegate matches." in response.get_data(as_text=True)


def test_a_hostile_name_stays_text(app, plain_host, make_delegate, on_the_first_day):
    evil = delegate(app, make_delegate, "evil", given_name="<script>alert(1)</script>", family_name="\u05e9\u05dc\u05d5\u05dd",
                    passport_given_name="A" * 100, passport_family_name="e\u0301\u0301\u0301")
    card = plain_host.get(f"/en/hosts/checkin/{evil.checkin_code}").get_data(as_text=True)
    results = plain_host.get("/en/hosts/checkin?q=script").get_data(as_text=True)
    for page in (card, results):
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_arrived_and_expected_per_day(app, plain_host, make_delegate, on_the_first_day):
    both = delegate(app, make_delegate, "both")
    first_only = delegate(app, make_delegate, "first", days=["2017-05-25"])
    delegate(app, make_delegate, "second", status="pending", days=["2017-05-26"])
    delegate(app, make_delegate, "twice", days=["2017-05-25", "2017-05-25"])  # one delegate, counted once
    delegate(app, make_delegate, "declined", status="declined")  # not expected
    delegate(app, make_delegate, "cancelled", status="cancelled")
    delegate(app, make_delegate, "nearby", days=["2017-05-24", "2017-05-27", "2017-05-255"])  # no event day
    gone = delegate(app, make_delegate, "gone")
    with app.app_context():
        erase_personal_data(db.session.get(Registration, gone.id), datetime.now(timezone.utc))
        db.session.commit()
    page = plain_host.get("/en/hosts/checkin").get_data(as_text=True)
    assert "May 25, 2017</th><td>0</td><td>3</td>" in page
    assert "May 26, 2017</th><td>0</td><td>2</td>" in page
    for person in (both, first_only):
        tap(plain_host, person.checkin_code)
    page = plain_host.get("/mn/hosts/checkin").get_data(as_text=True)
    assert 'aria-current="date"><th scope="row">2017\u202fоны 5-р сарын 25</th><td>2</td><td>3</td>' in page
    assert "2017\u202fоны 5-р сарын 26</th><td>0</td><td>2</td>" in page


def test_the_door_needs_the_same_queries_for_3_or_30_delegates(app, plain_host, make_delegate, on_the_first_day):
    counts = []
    made = 0
    for total in (3, 30):
        for number in range(made, total):
            person = delegate(app, make_delegate, f"p{number}", given_name=f"Цэцэг{number}")
            if number % 2:
                tap(plain_host, person.checkin_code)
        made = total
        counts.append(statements_of_get(app, plain_host, "/en/hosts/checkin?q=цэцэг"))
    assert counts[0] == counts[1] and counts[0] <= 12, counts


# The registration's page and the audit log

def test_the_registration_page_links_the_card_and_lists_the_check_ins(app, plain_host, coordinator, make_delegate,
                                                                      on_the_first_day):
    ana = delegate(app, make_delegate)
    record = plain_host.get(f"/en/hosts/registrations/{ana.id}").get_data(as_text=True)
    assert f'<a href="/en/hosts/checkin/{ana.checkin_code}">' in record and "Not checked in yet." in record
    tap(plain_host, ana.checkin_code)
    app.config["PORTAL_NOW"] = "2017-05-26T09:05:00+08:00"
    tap(coordinator, ana.checkin_code)
    seen = text_of(plain_host.get(f"/en/hosts/registrations/{ana.id}").get_data(as_text=True))
    assert "May 25, 2017: checked in at 08:40 (Ulaanbaatar time) Who: dorj@example.org" in seen
    assert "May 26, 2017: checked in at 09:05 (Ulaanbaatar time) Who: coordinator@example.org" in seen
    assert "Checked in at the door" in seen  # the history
    log = text_of(coordinator.get("/mn/hosts/audit").get_data(as_text=True))
    assert "Ирцийг бүртгэсэн" in log and "2017 оны 5-р сарын 26" in log, log
