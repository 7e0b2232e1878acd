"""Every kind of page is valid HTML, checked by the Nu HTML Checker (vnu.jar from npm, on Java)."""
import shutil
import subprocess

import pytest

from app.config import ROOT
from tests.conftest import csrf_token, register

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.skipif(not VNU.exists() or not shutil.which("java"), reason="vnu.jar or java missing: run `make test`")
def test_pages_are_valid_html(app, client, open_registration, tmp_path):
    anonymous = app.test_client()
    pages = {
        "home-mn": anonymous.get("/mn/"),
        "info-en": anonymous.get("/en/info"),
        "privacy-mn": anonymous.get("/mn/privacy"),
        "program-mn": anonymous.get("/mn/program"),
        "session-en": anonymous.get("/en/program/gender-working-group"),
        "register-mn": anonymous.get("/mn/register"),
        "register-errors-mn": register(anonymous, lang="mn", email="bad", given_name="Цэцэг"),
        "subscribe-en": anonymous.get("/en/subscribe"),
        "link-mn": anonymous.get("/mn/me/link"),
        "not-found-mn": anonymous.get("/mn/nowhere"),
    }
    register(client)
    page = client.get("/en/program").get_data(as_text=True)
    client.post("/en/program/gender-working-group/join", data={"csrf_token": csrf_token(page)})
    pages.update({
        "me-en": client.get("/en/me"),
        "edit-en": client.get("/en/me/edit"),
        "program-signed-in-en": client.get("/en/program"),
        "session-signed-in-mn": client.get("/mn/program/gender-working-group"),
        "cancel-en": client.get("/en/me/cancel"),
        "me-unsent-mn": client.get("/mn/me?unsent=1"),
        "link-sent-unsent-en": client.get("/en/me/link/sent?reason=unsent"),
        "link-sent-recent-mn": client.get("/mn/me/link/sent?reason=recent"),
    })
    # A full session at the same time as a seat: its card offers the waitlist and names the seat kept.
    from app.extensions import db
    from app.program.models import Session
    from sqlalchemy import select

    with app.app_context():
        db.session.scalar(select(Session).filter_by(slug="overcoming-poverty-and-exclusion")).capacity = 0
        db.session.commit()
    pages["program-full-and-kept-mn"] = client.get("/mn/program")
    client.post("/en/me/cancel", data={"csrf_token": csrf_token(page)})
    pages["me-cancelled-en"] = client.get("/en/me")
    assert "хэвээр үлдэнэ" in pages["program-full-and-kept-mn"].get_data(as_text=True)
    assert "/en/me/reinstate" in pages["me-cancelled-en"].get_data(as_text=True)
    for name, response in pages.items():
        assert response.status_code in (200, 404, 422), name
        (tmp_path / f"{name}.html").write_bytes(response.data)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--filterpattern", ".*hx-.*", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr or result.stdout
