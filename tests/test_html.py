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
    })
    for name, response in pages.items():
        assert response.status_code in (200, 404, 422), name
        (tmp_path / f"{name}.html").write_bytes(response.data)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--filterpattern", ".*hx-.*", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr or result.stdout
