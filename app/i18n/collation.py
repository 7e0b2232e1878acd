"""Alphabetical order per language, and country names from Babel sorted in it."""
import unicodedata
from functools import lru_cache

from babel import Locale
from markupsafe import Markup

# Mongolian Cyrillic has Ө after О and Ү after У; code-point order would put them last.
MONGOLIAN = "абвгдеёжзийклмноөпрстуүфхцчшщъыьэюя"
ORDERS = {"mn": {letter: index for index, letter in enumerate(MONGOLIAN)}}
# Codes Babel lists that are not ISO 3166-1 countries: groupings, pseudo-locales, and territories
# with codes reserved for other uses (Ascension, Clipperton, Diego Garcia, Ceuta and Melilla,
# the Canary Islands, Tristan da Cunha, Sark). Kosovo keeps XK, the code in common use for it.
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "DG", "EA", "IC", "TA", "CQ"}


def sort_key(lang: str):
    """A key that sorts texts in the language's alphabetical order (accents after their letter)."""
    order = ORDERS.get(lang, {})

    def key(text: str):
        if order:
            letters = unicodedata.normalize("NFC", text.casefold())
            return [order.get(c, 1000 + ord(c)) for c in letters], text
        folded = unicodedata.normalize("NFD", text.casefold())
        return "".join(c for c in folded if not unicodedata.combining(c)), text

    return key


@lru_cache(maxsize=16)
def countries(lang: str) -> tuple[tuple[str, str], ...]:
    """(ISO code, name in `lang`), sorted in that language's order."""
    territories = Locale.parse(lang).territories
    pairs = [
        (code, name) for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    key = sort_key(lang)
    return tuple(sorted(pairs, key=lambda pair: key(pair[1])))


@lru_cache(maxsize=16)
def country_options(lang: str) -> Markup:
    """The `<option>`s of a country picker in `lang`, rendered once: 250 options are costly to build.
    Without their end tags, which HTML lets an option leave out: a tenth of the registration form's
    bytes (it has two pickers), sent to every first visitor."""
    return Markup("").join(
        Markup('<option value="{}">{}').format(code, name) for code, name in countries(lang)
    )


def country_name(code: str, lang: str) -> str:
    return Locale.parse(lang).territories.get(code, code)
