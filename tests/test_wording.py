"""Mongolian wording: the mistakes found in review must not come back.

The rules live in one data file the hosts can extend, content/wording-rules.toml. The texts
checked are every Mongolian text the portal shows: the msgstr texts of the Mongolian catalog
(the emails take their text from it), the content pages (*.mn.md) and the `mn` texts of the
content's .toml files.
"""
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "content" / "wording-rules.toml"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
WORD = re.compile(r"[^\W\d_]+")  # a run of letters, whatever the script


def load_rules(path=RULES) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def mongolian_texts(root=ROOT) -> list[tuple[str, str]]:
    """(where, text) for every Mongolian text under root."""
    texts = []
    for po in sorted((root / "translations").glob("mn*/LC_MESSAGES/messages.po")):
        with open(po, "rb") as handle:
            catalog = read_po(handle)
        # Obsolete entries too: a catalog update can bring them back as suggestions.
        for message in [*catalog, *catalog.obsolete.values()]:
            if not message.id:
                continue
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            texts += [(f"{po.relative_to(root)}, msgid {msgid[:50]!r}", s) for s in strings if s]
    for page in sorted((root / "content").glob("*/*.mn.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            texts.append((f"{page.relative_to(root)}:{number}", line))
    for path in sorted((root / "content").glob("*/*.toml")):
        with open(path, "rb") as handle:
            texts += [(f"{path.relative_to(root)}, {key}", text) for key, text in mn_values(tomllib.load(handle))]
    return texts


def mn_values(data, key=""):
    """The `mn` strings of a parsed TOML file, with a readable key (sessions[opening].title)."""
    if isinstance(data, dict):
        for name, value in data.items():
            if name == "mn" and isinstance(value, str):
                yield key, value
            else:
                yield from mn_values(value, f"{key}.{name}" if key else name)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            label = item.get("slug", index) if isinstance(item, dict) else index
            yield from mn_values(item, f"{key}[{label}]")


def excerpt(text: str, match: re.Match) -> str:
    start, end = max(match.start() - 30, 0), match.end() + 30
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def address_problems(texts, rules) -> list[str]:
    """Lower-case forms of «Та», wherever they stand in the sentence."""
    forms = sorted(rules["address"]["forms"], key=len, reverse=True)
    lower = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, forms)) + r")(?![\w-])")
    return [
        f"{where}: lower-case «{m.group(1)}» addresses the reader; write «{m.group(1).capitalize()}»: {excerpt(text, m)}"
        for where, text in texts for m in lower.finditer(text)
    ]


def retired_problems(texts, rules) -> list[str]:
    """Retired words and phrases."""
    checks = []
    for rule in rules["retired"]:
        if "phrase" in rule:
            regex = re.compile(r"(?<!\w)" + re.escape(rule["phrase"]), re.IGNORECASE)
        else:
            regex = re.compile(rule["pattern"], re.MULTILINE)
        checks.append((regex, rule.get("phrase") or rule["pattern"], rule))
    return [
        f"{where}: retired «{name}» ({rule['why']}); write {rule['instead']}: {excerpt(text, m)}"
        for where, text in texts for regex, name, rule in checks for m in regex.finditer(text)
    ]


def lookalike_problems(texts) -> list[str]:
    """Latin letters inside Cyrillic words (Latin «a» for Cyrillic «а» and the like)."""
    problems = []
    for where, text in texts:
        for word in WORD.finditer(text):
            if CYRILLIC.search(word.group()) and LATIN.search(word.group()):
                letters = ", ".join(f"«{c}» U+{ord(c):04X}" for c in dict.fromkeys(LATIN.findall(word.group())))
                problems.append(f"{where}: Latin {letters} inside the Cyrillic word «{word.group()}»: {excerpt(text, word)}")
    return problems


@pytest.fixture(scope="module")
def texts():
    found = mongolian_texts()
    assert any(where.startswith("translations") for where, _ in found), "no Mongolian catalog found"
    assert any(where.endswith(".md:1") for where, _ in found), "no Mongolian content page found"
    return found


def test_the_reader_is_addressed_as_capitalised_ta(texts):
    problems = address_problems(texts, load_rules())
    assert not problems, "\n".join(problems)


def test_no_retired_words_or_phrases(texts):
    problems = retired_problems(texts, load_rules())
    assert not problems, "\n".join(problems)


def test_no_latin_letters_inside_cyrillic_words(texts):
    problems = lookalike_problems(texts)
    assert not problems, "\n".join(problems)


def test_the_checks_catch_what_they_should():
    rules = load_rules()
    bad = [
        ("mid-sentence", "Хэрэв таны нэр латин үсгээр бичигддэггүй бол"),
        ("after a capital Та", "Та бүртгэлээ хадгаллаа. Хэрэв та хүсвэл засаж болно."),
        ("sentence start", "та бүхнийг урьж байна"),
        ("comitative", "Бид тантай уулзана."),
    ]
    assert [p.split(":")[0] for p in address_problems(bad, rules)] == [w for w, _ in bad]
    fine = [("ok", "Таны тайлбар тав дахь танхимд. Хүндэт Бат танаа, суудал тань хэвээр. Та, Танд, Тантай.")]
    assert address_problems(fine, rules) == []

    retired = retired_problems([("r", "Энэ захидлыг үл хэрэгсэнэ үү. Аяллын мэдээлэл. Өдөр %(number)s: %(date)s")], rules)
    assert [p.split("«")[1].split("»")[0] for p in retired] == ["үл хэрэгс", "аялл", "Өдөр %(number)s"]
    assert retired_problems([("r", "Нэрийн бичиглэлийг шалгана уу. Шинэ мэдээ авах")], rules) == []
    assert len(retired_problems([("r", "Бүртгэл дараах өдрийн төгсгөлд хаагдсан: %(date)s.")], rules)) == 1

    assert len(lookalike_problems([("l", "Бид Танд шинэ холбоос илгээнэ. Энэ бaйна.")])) == 1  # Latin a
    assert lookalike_problems([("l", "A танхим, SocDem Asia сүлжээтэй, QR код, МАН-ын, OM 302")]) == []
