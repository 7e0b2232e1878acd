"""Which block of a text goes beside which block of its translation (app/events/pairing.py), and
which second language a page is asked for (app/i18n/side_by_side.py): plain functions."""
import pytest

from app.events.pairing import pair_blocks, pair_text, sections
from app.i18n import I18nText
from app.i18n.side_by_side import chosen_second_language
from app.markup import blocks

LANGUAGES = ["en", "mn"]


def side(found) -> str:
    return " | ".join(block.html.striptags() for block in found)


def texts(rows):
    """Each row as (first side's text, second side's text), tags stripped."""
    return [(side(row.first), side(row.second)) for row in rows]


def test_a_text_splits_into_its_top_level_blocks():
    found = blocks("# Title\n\nOne *two*.\n\n- a\n- b\n\n> quoted\n\n[the site][x]\n\n[x]: https://example.org\n")
    assert [b.kind for b in found] == ["heading", "paragraph", "bullet_list", "blockquote", "paragraph"]
    assert found[1].html == "<p>One <em>two</em>.</p>\n"
    assert 'href="https://example.org"' in found[4].html  # a reference defined further down still links
    assert blocks("<script>alert(1)</script>")[0].html.count("<script>") == 0  # raw HTML stays text


def test_the_same_shape_pairs_block_by_block_in_order():
    en = blocks("Dear friends,\n\n## Venue\n\nUlaanbaatar.\n\n- bring a jacket\n")
    mn = blocks("Эрхэм нөхөд өө,\n\n## Болох газар\n\nУлаанбаатар.\n\n- дулаан хүрэм авч ирнэ үү\n")
    assert texts(pair_blocks(en, mn)) == [
        ("Dear friends,", "Эрхэм нөхөд өө,"), ("Venue", "Болох газар"), ("Ulaanbaatar.", "Улаанбаатар."),
        ("bring a jacket", "дулаан хүрэм авч ирнэ үү"),
    ]


def test_two_paragraphs_merged_in_translation_stand_beside_the_one_paragraph():
    long, short = "a" * 300, "b" * 60
    en = blocks(f"{long}\n\n{short}\n\n{short}\n\nKind regards")
    mn = blocks(f"{'а' * 320}\n\n{'б' * 130}\n\nХүндэтгэсэн")
    assert texts(pair_blocks(en, mn)) == [(long, "а" * 320), (f"{short} | {short}", "б" * 130),
                                          ("Kind regards", "Хүндэтгэсэн")]


def test_within_matching_sections_only_the_uneven_section_is_aligned_by_length():
    en = blocks("## Hotels\n\nOne.\n\nTwo.\n\n## Money\n\nTugrik.\n\nCards.\n")
    mn = blocks("## Зочид буудал\n\nНэг. Хоёр.\n\n## Мөнгө\n\nТөгрөг.\n\nКарт.\n")
    assert texts(pair_blocks(en, mn)) == [
        ("Hotels", "Зочид буудал"), ("One. | Two.", "Нэг. Хоёр."),
        ("Money", "Мөнгө"), ("Tugrik.", "Төгрөг."), ("Cards.", "Карт."),
    ]


def test_a_heading_missing_in_translation_leaves_its_side_empty_and_headings_still_pair():
    en = blocks("## Venue\n\nSomewhere in the city centre.\n\n## Weather\n\nCool nights.\n")
    mn = blocks("## Болох газар\n\nХотын төвд байрлана.\n\nШөнөдөө сэрүүн.\n")
    rows = texts(pair_blocks(en, mn))
    assert rows[0] == ("Venue", "Болох газар")
    assert ("Weather", "") in rows
    assert [side for side, _ in rows if side] == ["Venue", "Somewhere in the city centre.", "Weather", "Cool nights."]
    assert [side for _, side in rows if side] == ["Болох газар", "Хотын төвд байрлана.", "Шөнөдөө сэрүүн."]


def test_a_short_paragraph_left_untranslated_joins_its_neighbour_and_the_rest_stays_aligned():
    en = blocks("Para one is long enough to weigh something.\n\nShort.\n\nPara three is long too, like one.")
    mn = blocks("Нэгдүгээр догол мөр хангалттай урт байна.\n\nГуравдугаар догол мөр ч мөн урт.")
    assert texts(pair_blocks(en, mn)) == [
        ("Para one is long enough to weigh something. | Short.", "Нэгдүгээр догол мөр хангалттай урт байна."),
        ("Para three is long too, like one.", "Гуравдугаар догол мөр ч мөн урт."),
    ]


@pytest.mark.parametrize("first, second", [
    ("Hello.\n\n" + "A long passage the translator left out. " * 20 + "\n\nGoodbye.", "Сайн байна уу.\n\nБаяртай."),
    ("## A\n\nx\n\n## B\n\ny\n\nz", "Өмнөх үг.\n\n## А\n\n## Б\n\nү\n\nз\n\nө"),
    ("one\n\ntwo\n\nthree\n\nfour", "нэг хоёр гурав дөрөв"),
    ("", "Ганц мөр."),
])
def test_every_block_appears_once_on_its_own_side_in_order(first, second):
    a, b = blocks(first), blocks(second)
    rows = pair_blocks(a, b)
    assert [x for row in rows for x in row.first] == list(a)
    assert [y for row in rows for y in row.second] == list(b)
    assert all(row.first or row.second for row in rows)


def test_sections_cut_before_each_heading():
    found = blocks("Intro.\n\n## A\n\nText.\n\n## B\n")
    assert [[b.kind for b in s] for s in sections(found)] == [["paragraph"], ["heading", "paragraph"], ["heading"]]


def test_a_missing_translation_falls_back_to_the_main_language_and_says_so():
    paired = pair_text(I18nText({"en": "Hello.\n\nWorld."}), "mn", "en", "en")
    assert (paired.first_lang, paired.second_lang) == ("en", "en")
    paired = pair_text(I18nText({"en": "Hello.", "mn": "Сайн уу."}), "mn", "en", "en")
    assert (paired.first_lang, paired.second_lang) == ("mn", "en")
    assert texts(paired.rows) == [("Сайн уу.", "Hello.")]


def test_empty_texts_pair_to_nothing():
    assert pair_blocks(blocks(""), blocks("")) == []
    assert texts(pair_blocks(blocks("Only English."), blocks(""))) == [("Only English.", "")]


@pytest.mark.parametrize("values", [
    [], ["xx"], ["en"], ["mn", "mn"], ["mn", "en"], ["MN"], [""], ["mn "], ["<script>alert(1)</script>"],
    ["../../etc/passwd"], ["mn\x00"], ["m" * 2000], ["mn,en"],
])
def test_only_one_other_language_with_a_catalog_is_a_second_language(values):
    assert chosen_second_language("en", values, LANGUAGES) is None


def test_the_other_language_is_the_second_language():
    assert chosen_second_language("en", ["mn"], LANGUAGES) == "mn"
    assert chosen_second_language("mn", ["en"], LANGUAGES) == "en"
