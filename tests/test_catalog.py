"""The catalog check: every message in every catalog translated, none fuzzy, placeholders kept."""
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from app.config import ROOT

CATALOGS = sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def catalog_problems(path) -> list[str]:
    """What is wrong with one catalog, one line a message."""
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        label = ids[0][:60]
        if message.fuzzy:
            problems.append(f"fuzzy: {label}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {label}")
            continue
        expected = placeholders(ids[-1])
        for string in strings:
            if placeholders(string) != expected and placeholders(string) != placeholders(ids[0]):
                problems.append(f"placeholders differ: {label!r} -> {string[:60]!r}")
    return problems


def test_there_is_a_catalog_for_mongolian():
    assert ROOT / "translations" / "mn" / "LC_MESSAGES" / "messages.po" in CATALOGS


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_is_complete(path):
    assert catalog_problems(path) == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_holds_every_message_in_the_code(path, tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_ngettext:1,2", "-o", str(pot), "app"],
        check=True, cwd=ROOT,
    )
    with open(pot, "rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with open(path, "rb") as handle:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = sorted(wanted - have)
    assert missing == [], "run `make update-catalogs` and translate: " + "; ".join(missing[:10])


def test_the_check_catches_what_it_should(tmp_path):
    bad = tmp_path / "messages.po"
    bad.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Hello %(name)s"\nmsgstr "Сайн байна уу %(nom)s"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Fuzzy"\nmsgstr "Бүдэг"\n',
        encoding="utf-8",
    )
    problems = catalog_problems(bad)
    assert any(p.startswith("placeholders differ") for p in problems)
    assert "untranslated: Empty" in problems
    assert "fuzzy: Fuzzy" in problems
