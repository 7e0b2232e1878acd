"""Names as written in a passport: Mongolian Cyrillic to Latin letters.

The table follows the romanisation Mongolian passports use (MNS 5217:2012): Ө→U, Ү→U,
Х→Kh, Ц→Ts, Ш→Sh, Я→Ya … The result is a suggestion the delegate corrects, never a rule.
"""
import unicodedata

TABLE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "ye", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "ө": "u", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "i", "ы": "y", "ь": "i",
    "э": "e", "ю": "yu", "я": "ya",
}


def is_latin(text: str) -> bool:
    """True when every letter is a Latin one (accents allowed): no passport spelling needed."""
    for char in text:
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True


def to_latin(text: str) -> str:
    """A Latin spelling of a Mongolian Cyrillic name: «Батбаяр Өлзий» → «Batbayar Ulzii»."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        latin = TABLE.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin[:1].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)


def passport_suggestion(own: str | None) -> str | None:
    """The Latin spelling to offer for a name in the delegate's own script, if one is needed
    and the table covers that script (Chinese or Korean names are typed by the delegate)."""
    if not own or is_latin(own):
        return None
    suggestion = to_latin(own)
    return suggestion if is_latin(suggestion) else None
