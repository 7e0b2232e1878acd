"""Language routing: `/` picks a language, every page says which one it is in and links the others."""
import pytest


def test_root_defaults_to_english(client, event):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"


def test_root_follows_accept_language(client, event):
    response = client.get("/", headers={"Accept-Language": "mn-MN,mn;q=0.9,en;q=0.5"})
    assert response.headers["Location"] == "/mn/"
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize(
    "header, expected",
    [
        ("mn-MN,en;q=0.5", "/mn/"),  # a regional Mongolian ranked first beats a plain English ranked lower
        ("en-US,mn;q=0.9", "/en/"),
        ("de-DE,mn;q=0.8,en;q=0.7", "/mn/"),
        ("MN_mn", "/mn/"),
        ("fr,de;q=0.9", "/en/"),
        ("mn;q=0,en-GB;q=0.3", "/en/"),
    ],
)
def test_root_ranks_accept_language_by_quality(client, event, header, expected):
    assert client.get("/", headers={"Accept-Language": header}).headers["Location"] == expected


def test_language_cookie_beats_accept_language(client, event):
    client.set_cookie("lang", "mn")
    response = client.get("/", headers={"Accept-Language": "en-GB,en"})
    assert response.headers["Location"] == "/mn/"


def test_reading_a_language_remembers_it(client, event):
    response = client.get("/mn/info")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=mn;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").headers["Location"] == "/mn/"
    # Once remembered, pages stop setting it (cacheable responses).
    assert "Set-Cookie" not in client.get("/mn/").headers


@pytest.mark.parametrize(
    "header",
    ["*;q=abc,,,;;", "mn;q=2,en;q=-1", "x" * 8000, "ﬀ-𝔘𝔫𝔦,mn", "\u202emn", "en;q=0.1, mn;q=0.1"],
)
def test_malformed_accept_language_still_redirects(client, event, header):
    response = client.get("/", headers={"Accept-Language": header.encode("utf-8").decode("latin-1")})
    assert response.status_code == 302
    assert response.headers["Location"] in {"/en/", "/mn/"}


def test_garbage_language_cookie_is_ignored(client, event):
    client.set_cookie("lang", "<script>")
    assert client.get("/").headers["Location"] == "/en/"


@pytest.mark.parametrize("lang", ["en", "mn"])
def test_html_lang_matches_the_url(client, event, lang):
    html = client.get(f"/{lang}/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html


def test_switcher_keeps_the_reader_on_the_same_page(client, event):
    html = client.get("/en/info").get_data(as_text=True)
    assert 'href="/mn/info" lang="mn" hreflang="mn">Монгол</a>' in html
    assert 'href="/en/info" lang="en" hreflang="en" aria-current="true">English</a>' in html


def test_pages_list_their_alternates(client, event):
    html = client.get("/mn/info").get_data(as_text=True)
    assert '<link rel="alternate" hreflang="en" href="http://localhost/en/info">' in html
    assert '<link rel="alternate" hreflang="mn" href="http://localhost/mn/info">' in html


def test_unknown_language_is_a_404_in_the_readers_language(client, event):
    response = client.get("/fr/info", headers={"Accept-Language": "mn"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="mn">' in html
    assert "Хуудас олдсонгүй" in html
    assert 'href="/mn/"' in html


def test_unknown_page_is_a_404_in_the_pages_language(client, event):
    response = client.get("/mn/no-such-page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert '<html lang="mn">' in response.get_data(as_text=True)


def test_languages_come_from_the_catalogs(app):
    assert app.config["LANGUAGES"] == ["en", "mn"]
