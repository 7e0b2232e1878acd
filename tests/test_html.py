"""Every kind of page is valid HTML, checked by the Nu HTML Checker (vnu.jar from npm, on Java)."""
import os
import shutil
import subprocess

import pytest

from app.config import ROOT
from tests.conftest import at, csrf_token, links_in, register, sign_in_host

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_pages_are_valid_html(app, client, open_registration, make_room, make_session, make_host, mailbox, tmp_path):
    if not VNU.exists() or not shutil.which("java"):
        if os.environ.get("CI"):  # CI installs both: a missing checker is a failure there, never a skip
            pytest.fail("vnu.jar or java missing: .ci/run and `make test` install them")
        pytest.skip("vnu.jar or java missing: run `make test`")
    hall = make_room(name={"en": "Main hall", "mn": "Их танхим"})
    make_session(kind="plenary", starts_at=at("2017-05-25 09:30"), interpretation=True, room=hall,
                 speakers="To be announced")
    make_session(kind="break", starts_at=at("2017-05-25 12:30"), room=hall)
    make_session(kind="meeting", starts_at=at("2017-05-26 14:00"))
    seat = make_session(slug="working-group", starts_at=at("2017-05-26 09:00"), capacity=30, room=make_room(),
                        description="The working group meets for the first time.")
    # A full session at the same time as the delegate's seat: its card offers the waitlist and names the seat kept.
    make_session(starts_at=seat.starts_at, capacity=0, floor_language="mn", interpretation=True)
    anonymous = app.test_client()
    pages = {
        "home-mn": anonymous.get("/mn/"),
        "info-en": anonymous.get("/en/info"),
        "privacy-mn": anonymous.get("/mn/privacy"),
        "program-mn": anonymous.get("/mn/program"),
        "session-en": anonymous.get(f"/en/program/{seat.slug}"),
        "register-mn": anonymous.get("/mn/register"),
        "register-errors-mn": register(anonymous, lang="mn", email="bad", given_name="Цэцэг"),
        "subscribe-en": anonymous.get("/en/subscribe"),
        "link-mn": anonymous.get("/mn/me/link"),
        "not-found-mn": anonymous.get("/mn/nowhere"),
        "home-side-by-side-en": anonymous.get("/en/?with=mn"),
        "info-side-by-side-mn": anonymous.get("/mn/info?with=en"),
        "program-side-by-side-en": anonymous.get("/en/program?with=mn"),
        "session-side-by-side-mn": anonymous.get(f"/mn/program/{seat.slug}?with=en"),
        "print-en": anonymous.get("/en/program/print"),
        "print-side-by-side-mn": anonymous.get("/mn/program/print?with=en"),
    }
    register(client)
    page = client.get("/en/program").get_data(as_text=True)
    client.post(f"/en/program/{seat.slug}/join", data={"csrf_token": csrf_token(page)})
    pages.update({
        "me-en": client.get("/en/me"),
        "edit-en": client.get("/en/me/edit"),
        "program-signed-in-en": client.get("/en/program"),
        "program-signed-in-side-by-side-mn": client.get("/mn/program?with=en"),
        "session-signed-in-mn": client.get(f"/mn/program/{seat.slug}"),
        "cancel-en": client.get("/en/me/cancel"),
        "link-sent-recent-mn": client.get("/mn/me/link/sent?reason=recent"),
    })
    link = links_in(mailbox.text())[0].replace("/en/", "/mn/")
    pages["follow-link-mn"] = anonymous.get(link)
    pages["used-link-en"] = anonymous.get(link.replace("/mn/", "/en/") + "x")
    pages["program-full-and-kept-mn"] = client.get("/mn/program")
    client.post("/en/me/cancel", data={"csrf_token": csrf_token(page)})
    pages["me-cancelled-en"] = client.get("/en/me")
    make_host()
    make_host(email="dorj@example.org", role="host")
    console = app.test_client()
    pages["console-login-en"] = console.get("/en/hosts/login?next=/en/hosts/audit")
    pages["console-login-wrong-mn"] = sign_in_host(console, password="not the password at all", lang="mn")
    pages["console-login-errors-en"] = sign_in_host(console, email="not an address", password="")
    sign_in_host(console)
    pages.update({
        "console-dashboard-mn": console.get("/mn/hosts/"),
        "console-registrations-en": console.get("/en/hosts/registrations?q=a"),
        "console-registrations-errors-mn": console.get("/mn/hosts/registrations?status=gone"),
        "console-accounts-mn": console.get("/mn/hosts/accounts"),
        "console-audit-en": console.get("/en/hosts/audit"),
        "console-content-en": console.get("/en/hosts/content"),
        "console-edit-session-mn": console.get(f"/mn/hosts/program/{seat.slug}/edit"),
        "console-edit-event-mn": console.get("/mn/hosts/event"),
    })
    edit_page = console.get("/en/hosts/pages/info/edit")
    token = csrf_token(edit_page.get_data(as_text=True))
    pages.update({
        "console-edit-page-en": edit_page,
        "console-edit-page-preview-mn": console.post("/mn/hosts/pages/info/edit", data={
            "csrf_token": token, "title_en": "Info", "title_mn": "", "text_en": "# Hi\n\n<b>x</b>", "text_mn": "",
            "preview": "1"}),
        "console-edit-session-errors-en": console.post(f"/en/hosts/program/{seat.slug}/edit", data={
            "csrf_token": token, "title_en": "", "day": "2017-06-01", "start": "10:00", "end": "09:00", "signup": "x"}),
    })
    assert "хэвээр үлдэнэ" in pages["program-full-and-kept-mn"].get_data(as_text=True)
    assert "/en/me/reinstate" in pages["me-cancelled-en"].get_data(as_text=True)
    for name, response in pages.items():
        assert response.status_code in (200, 400, 404, 422), name
        (tmp_path / f"{name}.html").write_bytes(response.data)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--filterpattern", ".*hx-.*", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr or result.stdout
