"""The hosts' console through Flask's client: signing in and out, accounts, the audit log, the
dashboard and the list, and who may open what."""
import re
import time
from datetime import timedelta
from html import unescape

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from app.config import ROOT
from app.extensions import db
from app.hosts import audit, rules
from app.hosts.editing_forms import EventForm, PageForm, SessionForm
from app.hosts.forms import AUDIT_ACTIONS, AUDIT_FIELDS
from app.hosts.models import AuditEntry, Host, LoginFailure
from app.registration.models import Registration
from tests.conftest import HOST_PASSWORD, at, csrf_token, register, sign_in_host
from tests.test_program import QueryCounter

COORDINATOR = "coordinator@example.org"
HOST = "dorj@example.org"


@pytest.fixture
def coordinator(app, event, make_host):
    """A client signed in as a coordinator."""
    make_host()
    client = app.test_client()
    assert sign_in_host(client).status_code == 303
    return client


@pytest.fixture
def plain_host(app, event, make_host):
    """A client signed in as a host (not a coordinator)."""
    make_host(email=HOST, role="host")
    client = app.test_client()
    assert sign_in_host(client, HOST).status_code == 303
    return client


def token_of(client, path="/en/hosts/"):
    return csrf_token(client.get(path).get_data(as_text=True))


def host_row(app, email):
    with app.app_context():
        return db.session.scalar(select(Host).where(Host.email_key == email))


# Signing in and out

def test_a_host_signs_in_and_lands_on_the_dashboard(app, event, make_host):
    make_host()
    client = app.test_client()
    response = sign_in_host(client, lang="mn")
    assert response.status_code == 303 and response.headers["Location"] == "/mn/hosts/"
    page = client.get("/mn/hosts/")
    assert page.status_code == 200
    assert "Хяналтын самбар" in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]


@pytest.mark.parametrize("next_path, lands", [
    ("/en/hosts/audit", "/en/hosts/audit"),
    ("//evil.example/x", "/en/hosts/"),
    ("https://evil.example/", "/en/hosts/"),
    ("/\t/evil.example", "/en/hosts/"),
])
def test_after_signing_in_only_a_local_next_is_followed(app, event, make_host, next_path, lands):
    make_host()
    response = sign_in_host(app.test_client(), next_path=next_path)
    assert response.headers["Location"] == lands


def test_a_signed_out_host_is_sent_to_login_and_brought_back(app, event, make_host):
    make_host()
    client = app.test_client()
    response = client.get("/mn/hosts/audit?host=1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/mn/hosts/login?next=/mn/hosts/audit?host%3D1"
    assert sign_in_host(client, lang="mn", next_path="/mn/hosts/audit?host=1").headers["Location"] == "/mn/hosts/audit?host=1"


def strip_variable_parts(html: str, email: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html.replace(email, "EMAIL"))


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer_in_the_same_time(app, event, make_host):
    make_host()
    client = app.test_client()
    timings = {"known": [], "unknown": []}
    for _ in range(2):
        for kind, email in (("known", COORDINATOR), ("unknown", "nobody@example.org")):
            started = time.perf_counter()
            response = sign_in_host(client, email, "not the password at all", lang="mn")
            timings[kind].append(time.perf_counter() - started)
            assert response.status_code == 422
            assert "Цахим шуудангийн хаяг эсвэл нууц үг буруу байна." in response.get_data(as_text=True)
            timings.setdefault(kind + "-body", strip_variable_parts(response.get_data(as_text=True), email))
    assert timings["known-body"] == timings["unknown-body"]
    # The unknown address costs a password check too (scrypt dominates both).
    assert min(timings["unknown"]) > 0.5 * min(timings["known"]), timings


def test_five_failures_lock_the_account_for_15_minutes_whatever_the_client(app, event, make_host):
    make_host()
    for number in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        assert sign_in_host(client, password="not the password at all").status_code == 422
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    response = sign_in_host(other, lang="mn")
    assert response.status_code == 429
    assert "Хэт олон удаа оролдлоо" in response.get_data(as_text=True)
    assert other.get("/en/hosts/").status_code == 303  # not signed in
    with app.app_context():  # a quarter of an hour later
        for failure in db.session.scalars(select(LoginFailure)):
            failure.at -= timedelta(minutes=16)
        db.session.commit()
    assert sign_in_host(other).status_code == 303


def test_five_failures_from_one_client_lock_that_client_out_of_every_account(app, event, make_host):
    make_host()
    client = app.test_client()
    for number in range(5):
        assert sign_in_host(client, f"guess{number}@example.org", "not the password at all").status_code == 422
    assert sign_in_host(client).status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert sign_in_host(elsewhere).status_code == 303


def test_an_unknown_address_is_locked_like_a_known_one(app, event):
    for number in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        sign_in_host(client, "nobody@example.org", "not the password at all")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert sign_in_host(client, "nobody@example.org").status_code == 429


def test_signing_out_ends_the_console(coordinator):
    response = coordinator.post("/en/hosts/logout", data={"csrf_token": token_of(coordinator)})
    assert response.status_code == 303 and response.headers["Location"] == "/en/hosts/login"
    assert coordinator.get("/en/hosts/").status_code == 303


def test_a_console_left_alone_8_hours_signs_out(coordinator):
    with coordinator.session_transaction() as session:
        session["host_seen"] -= 7 * 3600 + 59 * 60
    assert coordinator.get("/en/hosts/").status_code == 200  # used again: the clock restarts
    with coordinator.session_transaction() as session:
        session["host_seen"] -= 8 * 3600 + 60
    assert coordinator.get("/en/hosts/").status_code == 303
    assert coordinator.get("/en/hosts/").status_code == 303


def test_the_consoles_sign_in_leaves_the_public_pages_alone(app, coordinator):
    """Public pages do not read the session for the console: they do not vary by cookie."""
    for client in (app.test_client(), coordinator):
        assert "Cookie" not in client.get("/en/info").headers.get("Vary", "")


# Accounts

def test_a_coordinator_adds_a_host_who_can_then_sign_in(app, coordinator):
    page = coordinator.get("/mn/hosts/accounts")
    assert page.status_code == 200 and COORDINATOR in page.get_data(as_text=True)
    response = coordinator.post("/mn/hosts/accounts", data={
        "email": HOST, "role": "host", "password": HOST_PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 303
    listed = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert HOST in listed and "Хадгалагдлаа" in listed
    assert sign_in_host(app.test_client(), HOST).status_code == 303
    entry = audit_entries(app)[0]
    assert (entry.action, entry.host.email, entry.after["email"]) == ("host.created", COORDINATOR, HOST)


def audit_entries(app):
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).unique().all()
        for entry in entries:
            db.session.expunge(entry)
        return entries


@pytest.mark.parametrize("password, message", [
    ("short", "хамгийн багадаа 12 тэмдэгттэй"),
    ("Password2017!", "таахад хялбар"),
])
def test_a_weak_first_password_is_refused_in_the_readers_language(app, coordinator, password, message):
    token = token_of(coordinator, "/mn/hosts/accounts")
    response = coordinator.post("/mn/hosts/accounts", data={"email": HOST, "role": "host", "password": password,
                                                             "csrf_token": token})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert host_row(app, HOST) is None


def test_an_address_with_an_account_is_not_added_twice(app, coordinator):
    token = token_of(coordinator, "/en/hosts/accounts")
    response = coordinator.post("/en/hosts/accounts", data={"email": "Coordinator@Example.ORG", "role": "host",
                                                            "password": HOST_PASSWORD, "csrf_token": token})
    assert response.status_code == 409
    assert "already has an account" in response.get_data(as_text=True)


def test_disabling_a_host_ends_their_sessions_at_once(app, coordinator, plain_host):
    assert plain_host.get("/en/hosts/").status_code == 200
    host_id = host_row(app, HOST).id
    response = coordinator.post(f"/en/hosts/accounts/{host_id}", data={"role": "host", "csrf_token": token_of(coordinator)})
    assert response.status_code == 303
    assert plain_host.get("/en/hosts/").status_code == 303
    assert sign_in_host(plain_host, HOST).status_code == 422  # the same answer as a wrong password
    assert "Disabled" in coordinator.get("/en/hosts/accounts").get_data(as_text=True)
    assert audit_entries(app)[0].action == "host.disabled"


def test_a_re_roled_host_signs_in_again_and_gets_the_new_role(app, coordinator, make_host):
    make_host(email="second@example.org")
    second = app.test_client()
    sign_in_host(second, "second@example.org")
    assert second.get("/en/hosts/accounts").status_code == 200
    host_id = host_row(app, "second@example.org").id
    coordinator.post(f"/en/hosts/accounts/{host_id}", data={"role": "host", "active": "y", "csrf_token": token_of(coordinator)})
    assert second.get("/en/hosts/accounts").status_code == 303  # the old cookie names the old role
    sign_in_host(second, "second@example.org")
    assert second.get("/en/hosts/accounts").status_code == 403
    assert second.get("/en/hosts/").status_code == 200


def test_a_coordinator_cannot_change_their_own_account(app, coordinator):
    host_id = host_row(app, COORDINATOR).id
    response = coordinator.post(f"/mn/hosts/accounts/{host_id}", data={"role": "host", "csrf_token": token_of(coordinator)})
    assert response.status_code == 409
    assert host_row(app, COORDINATOR).role == "coordinator"
    assert coordinator.get("/en/hosts/accounts").status_code == 200


@pytest.mark.parametrize("role", ["admin", "", "coordinator\x00"])
def test_an_unknown_role_is_refused(app, coordinator, make_host, role):
    make_host(email=HOST, role="host")
    host_id = host_row(app, HOST).id
    response = coordinator.post(f"/en/hosts/accounts/{host_id}", data={"role": role, "active": "y", "csrf_token": token_of(coordinator)})
    assert response.status_code == 422
    assert host_row(app, HOST).role == "host"


def test_an_unknown_account_is_a_404(coordinator):
    assert coordinator.post("/en/hosts/accounts/999", data={"role": "host", "csrf_token": token_of(coordinator)}).status_code == 404


# The audit log

def test_the_audit_log_filters_by_host_and_by_registration(app, coordinator, make_delegate, make_host):
    delegate = make_delegate()
    make_host(email=HOST, role="host")
    with app.app_context():
        dorj = db.session.scalar(select(Host).where(Host.email_key == HOST))
        audit.record(dorj, "registration.confirmed", "registration", delegate.id, {"status": "pending"},
                     {"status": "confirmed"})
        db.session.commit()
        dorj_id = dorj.id
    everything = coordinator.get("/en/hosts/audit").get_data(as_text=True)
    assert everything.count("<li><p><strong>") + everything.count('<strong>') >= 2
    by_host = coordinator.get(f"/en/hosts/audit?host={dorj_id}").get_data(as_text=True)
    assert "Registration confirmed" in by_host and "Account added" not in by_host
    by_registration = coordinator.get(f"/en/hosts/audit?registration={delegate.id}").get_data(as_text=True)
    assert "Registration confirmed" in by_registration and "Account added" not in by_registration
    assert "Registration confirmed" not in coordinator.get(f"/en/hosts/audit?registration={delegate.id + 1}").get_data(as_text=True)
    assert "the command line" in everything  # the accounts made with `flask portal create-host`


def recorded_actions() -> set[str]:
    """Every action name the console's code passes to audit.record (a decision's, one per status it leads to)."""
    found = set()
    for path in sorted((ROOT / "app" / "hosts").glob("*.py")):
        for action in re.findall(r'audit\.record\(\s*\w+,\s*(f?"[^"]+")', path.read_text()):
            if action.startswith('f"registration.{status}'):
                found |= {f"registration.{target}" for target, _ in rules.DECISIONS.values()}
            else:
                assert "{" not in action, action
                found.add(action.strip('"'))
    return found


def test_every_action_and_field_the_log_keeps_has_a_label_in_both_languages(app):
    actions = recorded_actions()
    assert {"session.edited", "page.edited", "event.edited", "host.created", "registration.confirmed"} <= actions
    assert actions - set(AUDIT_ACTIONS) == set()
    fields = {"email", "role", "active", "status", "note", "registration", "filters", "rows", "format"}
    for form in (SessionForm, PageForm, EventForm):
        fields |= {name for name, value in vars(form).items() if hasattr(value, "field_class")}
    assert fields - set(AUDIT_FIELDS) == set()
    with app.test_request_context("/mn/hosts/audit"), force_locale("mn"):
        for label in [*AUDIT_ACTIONS.values(), *AUDIT_FIELDS.values()]:
            assert str(label) != label._args[0] and not re.search("[A-Za-z]{3}", str(label)), label._args[0]


def text_of(html: str) -> str:
    """What a reader sees: the markup gone (a block or a line break leaves a space), the spaces collapsed."""
    html = re.sub(r"<(br|/?(p|li|ul|ol|div|h\d|dt|dd|td|th|tr|label))\b[^>]*>", " ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_the_audit_log_says_what_changed_in_words(app, coordinator, make_session):
    make_session(slug="wg", title={"en": "Working group", "mn": "Хуучин нэр"})
    edit = coordinator.get("/en/hosts/program/wg/edit").get_data(as_text=True)
    response = coordinator.post("/en/hosts/program/wg/edit", data={
        "csrf_token": csrf_token(edit), "title_en": "Working group", "title_mn": "Шинэ нэр", "description_en": "",
        "description_mn": "", "day": "2017-05-26", "start": "14:00", "end": "15:30", "room": "", "capacity": "",
        "signup": "closed"})
    assert response.status_code == 303
    long_text = "The hosts meet every delegate at the airport. " * 60
    edit = coordinator.get("/en/hosts/pages/info/edit").get_data(as_text=True)
    response = coordinator.post("/en/hosts/pages/info/edit", data={
        "csrf_token": csrf_token(edit), "title_en": "Practical information", "title_mn": "Практик мэдээлэл",
        "text_en": long_text, "text_mn": "Зочид буудал."})
    assert response.status_code == 303
    english = coordinator.get("/en/hosts/audit").get_data(as_text=True)
    seen = text_of(english)
    assert "Session edited: Working group" in seen
    assert "Title in Mongolian: Хуучин нэр → Шинэ нэр" in seen
    assert "Day: May 25, 2017 → May 26, 2017" in seen
    assert "Capacity: 2 → no limit" in seen
    assert "Sign-up: Open: delegates join → Closed: no more sign-ups" in seen
    assert "Title in English" not in seen.split("Page edited")[0]  # unchanged fields are not listed
    assert "Page edited: Practical information" in seen and "Title in English: " in seen
    assert "Text in English: " in seen and "…" in seen and long_text.strip() not in seen  # shortened
    for raw in ("session.edited", "page.edited", "title_mn", "text_en", "2017-05-26", "signup"):
        assert raw not in seen, raw
    assert 'lang="mn">Шинэ нэр' in english
    mongolian = text_of(coordinator.get("/mn/hosts/audit").get_data(as_text=True))
    assert "Хуралдааныг зассан: Шинэ нэр" in mongolian
    assert "Гарчиг (монгол хэлээр): Хуучин нэр → Шинэ нэр" in mongolian
    assert "Суудлын тоо: 2 → хязгааргүй" in mongolian and "Хуудсыг зассан" in mongolian
    assert "Хэрэглэгчийн эрх нэмсэн" in mongolian  # the coordinator's own account, from the command line


def test_the_audit_log_names_an_export_and_a_decision_in_words(app, coordinator, make_delegate):
    delegate = make_delegate("tsetseg", given_name="Цэцэг", family_name="Батаа")
    page = coordinator.get(f"/en/hosts/registrations/{delegate.id}").get_data(as_text=True)
    assert coordinator.post(f"/en/hosts/registrations/{delegate.id}/confirm",
                            data={"csrf_token": csrf_token(page), "note": "See you at the airport."}).status_code == 303
    assert coordinator.get("/en/hosts/registrations.xlsx?passport=1&status=confirmed&q=%D1%86").status_code == 200
    seen = text_of(coordinator.get("/en/hosts/audit").get_data(as_text=True))
    assert f"Registration confirmed: Цэцэг Батаа, Registration number {delegate.id}" in seen
    assert "Status: Pending → Confirmed" in seen and "Note: See you at the airport." in seen
    assert "Exported with passport details" in seen
    assert "Search and filters: Search: «ц»; Status: Confirmed" in seen and "File format: Excel (XLSX)" in seen
    assert "Rows: 1" in seen


@pytest.mark.parametrize("query", ["host=abc", "registration=-1", "registration=x", "host=99999",
                                   "registration=" + "9" * 30])
def test_a_garbled_audit_filter_is_a_422_not_a_500(coordinator, query):
    response = coordinator.get("/mn/hosts/audit?" + query)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Доорх алдааг засна уу" in body and "Number must be" not in body


@pytest.mark.parametrize("page", ["0", "abc", "-3", "99999999"])
def test_a_garbled_page_number_in_a_link_opens_the_first_page(coordinator, page):
    """The page number comes from the lists' own links: there is no field to show a message beside."""
    for path in ("/mn/hosts/audit", "/mn/hosts/registrations"):
        response = coordinator.get(f"{path}?page={page}")
        assert response.status_code == 200 and "Доорх алдааг засна уу" not in response.get_data(as_text=True)


# The dashboard and the list

def test_the_dashboard_counts_who_is_coming(app, coordinator, make_delegate, make_session, mailbox):
    app.config["PORTAL_NOW"] = "2017-05-01T10:00:00+08:00"
    session = make_session(capacity=4, title={"en": "Working group", "mn": "Ажлын хэсэг"})
    for number, (status, country, gender) in enumerate([
        ("pending", "ES", "woman"), ("pending", "MN", "man"), ("confirmed", "MN", "woman"),
        ("declined", "DE", "man"), ("cancelled", "SE", "")]):
        make_delegate(f"d{number}", country=country, gender=gender, organisation="МАН" if country == "MN" else "SPD")
    with app.app_context():
        for number, status in enumerate(["pending", "pending", "confirmed", "declined", "cancelled"]):
            db.session.execute(update(Registration).where(Registration.email_key == f"d{number}@example.org").values(status=status))
        db.session.execute(update(Registration).where(Registration.email_key == "d0@example.org")
                           .values(email_proven_at=at("2017-05-01 12:00")))
        db.session.execute(update(type(session)).values(seats_taken=3, waitlist_length=0))
        db.session.commit()
    page = coordinator.get("/en/hosts/").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "2 Pending" in text and "1 Confirmed" in text and "1 Declined" in text and "1 Cancelled" in text
    assert "Coming (pending and confirmed): 3" in text
    assert "2 Mongolia" in text and "1 Spain" in text and "Germany" not in text  # only those coming
    assert "2 МАН" in text and "1 SPD" in text
    assert "2 Woman" in text and "1 Man" in text
    assert "Working group" in text and "3 / 4" in text and "75%" in text
    assert "Delegates who have not yet used their emailed link: 2" in text
    assert "Emails not yet delivered: 5" in text  # each registration's link, not yet sent
    assert "Registration closes in 7 days." in text
    assert 'href="/en/hosts/registrations?status=pending"' in page
    assert 'href="/en/hosts/registrations?country=MN"' in page
    mailbox.deliver()
    assert "Emails not yet delivered: 0" in re.sub(r"<[^>]+>", " ", coordinator.get("/en/hosts/").get_data(as_text=True))


def test_the_dashboard_needs_the_same_queries_for_3_or_30_registrations(app, coordinator, make_delegate, make_session):
    make_session()
    counts = []
    for total in (3, 30):
        for number in range(len(counts) * 3, total):
            make_delegate(f"q{number}", country=["MN", "ES", "DE"][number % 3], organisation=f"Party {number}")
        counter = QueryCounter(app)
        try:
            assert coordinator.get("/mn/hosts/").status_code == 200
            counts.append(counter.count)
        finally:
            counter.close()
    assert counts[0] == counts[1] and counts[0] <= 15, counts


def test_the_list_finds_names_in_cyrillic_whatever_the_case(app, coordinator, make_delegate):
    make_delegate("tsetseg", given_name="Цэцэг", family_name="Батаа", passport_given_name="TSETSEG",
                  organisation="МАН", country="MN")
    make_delegate("ana", given_name="Ana", family_name="García", organisation="PSOE")
    for q in ("цэцэг", "ЦЭЦЭГ", "tsetseg", "Бат", "ман"):
        page = coordinator.get("/mn/hosts/registrations", query_string={"q": q}).get_data(as_text=True)
        assert "Цэцэг" in page and "García" not in page, q
    page = coordinator.get("/en/hosts/registrations", query_string={"q": "GARCÍA"}).get_data(as_text=True)
    assert "García" in page and "Цэцэг" not in page
    page = coordinator.get("/en/hosts/registrations?country=ES").get_data(as_text=True)
    assert "García" in page and "Цэцэг" not in page
    assert "1 registration" in page
    page = coordinator.get("/en/hosts/registrations?status=declined").get_data(as_text=True)
    assert "No registration matches." in page


@pytest.mark.parametrize("q", ["%", "_", "\\", "' OR 1=1 --"])
def test_search_characters_are_taken_literally(coordinator, make_delegate, q):
    make_delegate("ana")
    page = coordinator.get("/en/hosts/registrations", query_string={"q": q})
    assert page.status_code == 200
    assert "No registration matches." in page.get_data(as_text=True)


def test_the_list_pages_through_many_registrations(coordinator, make_delegate):
    for number in range(55):
        make_delegate(f"p{number:02}")
    first = coordinator.get("/en/hosts/registrations").get_data(as_text=True)
    assert "55 registrations" in first and "p54@example.org" in first and "p00@example.org" not in first
    assert "page=2" in first
    second = coordinator.get("/en/hosts/registrations?page=2").get_data(as_text=True)
    assert "p00@example.org" in second and "p54@example.org" not in second and "Next page" not in second


@pytest.mark.parametrize("query", ["status=gone", "country=XX", "q=%00", "q=%E2%80%AEx",
                                   "q=" + "x" * 101])
def test_a_garbled_list_filter_is_a_422_in_the_readers_language(coordinator, query):
    response = coordinator.get("/mn/hosts/registrations?" + query)
    assert response.status_code == 422
    assert "Доорх алдааг засна уу" in response.get_data(as_text=True)


# Who may open what

def console_routes(app, blueprints=("hosts", "hosts_editing", "hosts_logistics", "hosts_documents", "hosts_checkin")):
    """(method, path) for every route of the console's blueprints but login and logout, with a real
    account's id, registration 1, a real session and page, the first event day, the first pickup
    wave and a well-formed check-in code."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in blueprints or rule.endpoint in ("hosts.login", "hosts.logout"):
            continue
        path = (rule.rule.replace("<lang>", "mn").replace("<int:host_id>", "1").replace("<int:registration_id>", "1")
                .replace("<slug>", ROSTER_SESSION).replace("<name>", "info").replace("<day>", "2017-05-25")
                .replace("<int:number>", "1").replace("<part>", "headsets").replace("<code>", "A" * 16))
        assert "<" not in path, f"a placeholder the route list does not fill: {path}"
        found += [(method, path, rule.endpoint) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


COORDINATOR_PAGES = {"hosts.accounts", "hosts.add_account", "hosts.change_account", "hosts.audit_log",
                     "hosts_editing.content", "hosts_editing.edit_session", "hosts_editing.edit_page",
                     "hosts_editing.edit_event", "hosts_editing.add_member", "hosts_editing.remove_member"}
# Registrations and rosters: the paths name registration 1 and this session, made where a page must open.
ROSTER_SESSION = "roster-session"
REGISTRATION_PAGES = {"hosts.registration_detail", "hosts.confirm", "hosts.decline", "hosts.add_note",
                      "hosts.registrations_csv", "hosts.registrations_xlsx", "hosts.roster_csv", "hosts.roster_xlsx"}


def test_the_route_list_covers_the_console(app):
    endpoints = {endpoint for _method, _path, endpoint in console_routes(app)}
    assert {"hosts.dashboard", "hosts.registration_list", *COORDINATOR_PAGES, *REGISTRATION_PAGES} <= endpoints
    assert {"hosts_logistics.arrivals", "hosts_logistics.needs", "hosts_documents.badges_pdf",
            "hosts_documents.visa_letter_pdf", "hosts_checkin.door", "hosts_checkin.check_in"} <= endpoints


def open_route(client, method, path):
    token = csrf_token(client.get("/mn/hosts/login").get_data(as_text=True))
    data = {"csrf_token": token, "role": "host", "email": "x@example.org", "password": HOST_PASSWORD, "text": "A note"}
    return client.get(path) if method == "GET" else client.post(path, data=data)


def test_every_console_route_sends_a_stranger_to_login(app, event, make_host, make_delegate):
    make_host()
    make_delegate("secret-delegate", organisation="Secret Party")
    for method, path, _endpoint in console_routes(app):
        response = open_route(app.test_client(), method, path)
        assert response.status_code == 303, (method, path)
        assert response.headers["Location"].startswith("/mn/hosts/login"), (method, path)
        body = response.get_data(as_text=True)
        assert "example.org" not in body and "Secret Party" not in body, (method, path)
    assert host_row(app, "x@example.org") is None


def test_a_number_no_row_can_have_names_no_page(app, coordinator, make_host):
    """Every console address with a number in it (an account, a registration, a pickup wave): a
    number an id column cannot hold, zero or a negative one is a 404 in the reader's language,
    never a 500, and nothing is stored."""
    for method, path, endpoint in console_routes(app):
        if "/1" not in path:
            continue
        for number in ("9" * 30, str(2**31), "0", "-1"):
            hostile = path.replace("/1/", f"/{number}/", 1) if "/1/" in path else path.replace("/1", f"/{number}", 1)
            response = open_route(coordinator, method, hostile)
            assert response.status_code == 404, (method, hostile, response.status_code)
            assert "олдсонгүй" in response.get_data(as_text=True), (method, hostile)
    assert host_row(app, "x@example.org") is None


def test_a_delegates_cookie_opens_nothing_in_the_console(app, open_registration, make_host):
    make_host()
    delegate = app.test_client()
    assert register(delegate).status_code == 303
    assert delegate.get("/en/me").status_code == 200  # signed in as a delegate
    for method, path, _endpoint in console_routes(app):
        response = open_route(delegate, method, path)
        assert response.status_code == 303 and "/hosts/login" in response.headers["Location"], (method, path)
        assert "ana@example.org" not in response.get_data(as_text=True)
    assert host_row(app, "x@example.org") is None


@pytest.mark.parametrize("forged", ["1", "1:", "1:0123456789abcdef0123456789abcdef", "coordinator@example.org"])
def test_a_forged_console_id_in_the_cookie_opens_nothing(app, event, make_host, forged):
    make_host()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = forged
        session["host_seen"] = time.time()
    assert client.get("/en/hosts/").status_code == 303


def test_a_plain_host_is_refused_the_coordinators_pages(app, plain_host, make_host, make_delegate, make_session):
    make_host()  # the coordinator, whose address must not show
    make_delegate("ana")  # registration 1
    make_session(slug=ROSTER_SESSION)
    # The logistics, documents and door answer a plain host as any host: their own tests open them.
    for method, path, endpoint in console_routes(app, ("hosts", "hosts_editing")):
        response = open_route(plain_host, method, path)
        if endpoint in COORDINATOR_PAGES:
            assert response.status_code == 403, (method, path)
            body = response.get_data(as_text=True)
            assert COORDINATOR not in body and "Танд энэ үйлдлийг хийх эрх байхгүй" in body, (method, path)
        else:  # a form sent without htmx goes back with a 303
            assert response.status_code == (303 if method == "POST" else 200), (method, path)
    assert host_row(app, "x@example.org") is None
    assert host_row(app, COORDINATOR).role == "coordinator"
    nav = plain_host.get("/en/hosts/").get_data(as_text=True)
    assert "/en/hosts/accounts" not in nav and "/en/hosts/audit" not in nav


@pytest.mark.parametrize("path, data", [
    ("/en/hosts/login", {"email": COORDINATOR, "password": HOST_PASSWORD}),
    ("/en/hosts/accounts", {"email": HOST, "role": "host", "password": HOST_PASSWORD}),
    ("/en/hosts/accounts/2", {"role": "coordinator", "active": "y"}),
    ("/en/hosts/logout", {}),
])
def test_every_form_needs_its_csrf_token(app, coordinator, make_host, path, data):
    make_host(email=HOST, role="host")
    response = coordinator.post(path, data=data)
    assert response.status_code == 400
    assert host_row(app, HOST).role == "host"
    assert coordinator.get("/en/hosts/").status_code == 200  # still signed in


HOSTILE = ["<script>alert(1)</script>@example.org", "a" * 10_000, "dorj\x00@example.org", "dorj\u202e@example.org",
           "\u2066dorj@example.org", ""]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_at_login_is_a_clear_422(app, event, make_host, value):
    make_host()
    for fields in ({"email": value, "password": HOST_PASSWORD}, {"email": COORDINATOR, "password": value}):
        client = app.test_client()
        response = sign_in_host(client, fields["email"], fields["password"], lang="mn")
        assert response.status_code == 422, fields
        body = response.get_data(as_text=True)
        # A refused field, or (markup is a possible password) simply the wrong password.
        assert "Доорх алдааг засна уу" in body or "нууц үг буруу байна" in body, fields
        assert "<script>alert" not in body
        assert client.get("/en/hosts/").status_code == 303


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_in_the_account_form_is_a_clear_422(app, coordinator, value):
    token = token_of(coordinator, "/mn/hosts/accounts")
    # Markup is a possible password (it is only ever hashed): every other value is refused in either field.
    passwords = [] if value.startswith("<") else [{"email": HOST, "password": value}]
    for fields in ({"email": value, "password": HOST_PASSWORD}, *passwords):
        response = coordinator.post("/mn/hosts/accounts", data={**fields, "role": "host", "csrf_token": token})
        assert response.status_code == 422, fields
        body = response.get_data(as_text=True)
        assert "Доорх алдааг засна уу" in body and "<script>alert" not in body
    with app.app_context():
        assert db.session.scalar(select(Host).where(Host.email_key != COORDINATOR)) is None


def test_a_form_field_sent_twice_is_refused(app, coordinator):
    token = token_of(coordinator, "/en/hosts/accounts")
    response = coordinator.post("/en/hosts/accounts", data={"email": [HOST, "other@example.org"], "role": "host",
                                                            "password": HOST_PASSWORD, "csrf_token": token})
    assert response.status_code == 422


# The command line

def test_create_host_asks_for_the_password_twice(app, runner):
    result = runner.invoke(args=["portal", "create-host", "Dorj@Example.org", "--role", "host"],
                           input=f"{HOST_PASSWORD}\n{HOST_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Added Dorj@example.org as host." in result.output
    assert HOST_PASSWORD not in result.output
    assert sign_in_host(app.test_client(), "dorj@example.org").status_code == 303


def test_create_host_refuses_two_different_passwords(app, runner):
    result = runner.invoke(args=["portal", "create-host", HOST, "--role", "host"],
                           input=f"{HOST_PASSWORD}\nsomething else entirely\n{HOST_PASSWORD}\n{HOST_PASSWORD}\n")
    assert "do not match" in result.output
    assert result.exit_code == 0


@pytest.mark.parametrize("password, message", [("short", "at least 12"), ("qwerty123456", "too easy to guess")])
def test_create_host_refuses_a_weak_password(app, runner, password, message):
    result = runner.invoke(args=["portal", "create-host", HOST, "--role", "coordinator"],
                           env={"PORTAL_HOST_PASSWORD": password})
    assert result.exit_code == 1 and message in result.output
    assert host_row(app, HOST) is None


def test_create_host_reads_the_password_from_the_environment_and_refuses_a_second_account(app, runner):
    env = {"PORTAL_HOST_PASSWORD": HOST_PASSWORD}
    assert runner.invoke(args=["portal", "create-host", HOST, "--role", "coordinator"], env=env).exit_code == 0
    again = runner.invoke(args=["portal", "create-host", HOST.upper(), "--role", "host"], env=env)
    assert again.exit_code == 1 and "already has an account" in again.output
    assert runner.invoke(args=["portal", "create-host", "not an address", "--role", "host"], env=env).exit_code == 1
    assert runner.invoke(args=["portal", "create-host", "x@example.org", "--role", "admin"], env=env).exit_code == 2
