"""Badges for the door: what each badge prints, and its QR code.

A badge carries the name in Latin letters as in the passport (large), the name in the delegate's
own script beneath where that says more, the organisation, the country in English and in Mongolian,
the event's name (English and Mongolian), place and dates, and a QR code that opens the badge's
check-in page (/LANG/hosts/checkin/CODE). The code is the registration's random `checkin_code`:
the QR names nothing else, no name and no number. The badge's own words are the same whatever the
console's language (everybody at the conference reads them); only the QR's LANG is the console's.

Badges are printed in DejaVu Sans (Debian's fonts-dejavu-core, scripts/install-pdf-libs.sh):
Latin, Cyrillic, Greek, Armenian, Georgian, Hebrew and Arabic, but no Chinese, Japanese, Korean,
Thai or Devanagari. The font's own table of characters (read once per process with fontTools)
decides: a name with a letter the font lacks is printed in its Latin passport spelling only.
Emoji and other symbols are left off a badge; so are bidirectional controls (the name is laid
out by the Unicode rules alone) and more than three combining marks in a row.

Text is fitted by the font's advance widths, not by the browser: the largest size at which a line
fits on one line, else the largest at which it wraps into its few lines, else the smallest,
shortened with «…». So a name never leaves its badge, and WeasyPrint never measures twice.

Speed (docs/benchmarks.md, «Badges»): WeasyPrint's time grows with every box and line of text
(a millisecond or more a line, whatever its length) and every page, so a badge has few lines; the
event's band, the same on every badge, is one 600-dpi image the PDF holds once; the QR is a
1-pixel-per-module greyscale PNG the PDF scales without smoothing, made with a fixed mask (segno's
choice of the best of eight was most of a code's time, and any mask makes a valid code) and kept
per process. One PDF holds at most MOST_BADGES, so that it is made well inside gunicorn's timeout.
"""
import io
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from ..events.models import Event
from ..i18n.collation import country_name
from ..i18n.side_by_side import date_range_in
from ..mail import link
from ..registration.models import Registration
from . import audit, registrations
from .arrivals import differs, latin_parts, own_name
from .models import Host

LAYOUTS = ("a4", "a6")  # four A6 badges on an A4 sheet, or one badge per A6 page
DEFAULT_LAYOUT = "a4"
PER_SHEET = {"a4": 4, "a6": 1}
# The most badges one PDF holds, so that it is made well inside gunicorn's 30 s timeout
# (docs/benchmarks.md, «Badges»: the time grows with the badges, and an A6 page costs more).
MOST_BADGES = {"a4": 2000, "a6": 1000}
BADGE_LANGUAGES = ("en", "mn")  # the badge's own words: English, then Mongolian
FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
FACES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
# Without the font files (not Debian), only what every common sans-serif font has is trusted:
# Latin, Greek and Cyrillic letters, punctuation and currency signs.
FALLBACK_COVERAGE = frozenset([*range(0x20, 0x530), *range(0x2000, 0x2070), *range(0x20A0, 0x20C0)])
FALLBACK_ADVANCE = 0.62  # em, a wide guess

# The text column of a badge (105 mm wide, 7 mm inside each edge), in points; a little is kept
# back because the widths ignore kerning and the shapes Arabic letters take in a word.
COLUMN = (105 - 2 * 7) * 72 / 25.4 * 0.94
ELLIPSIS = "…"
BIG = 18  # pt: from this size up, a text wraps into two lines at most


@dataclass(frozen=True)
class Setting:
    """How a text may be set on a badge: its sizes (pt, largest first; badges.css has a class for
    each: s30, s27 …), the smallest at which one line is still preferred to a larger size on
    two, and how many lines it may take."""

    sizes: tuple[int, ...]
    one_line_from: int
    most_lines: int


NAME = Setting((30, 27, 24, 21, 18, 16, 14, 12), one_line_from=21, most_lines=3)
OWN_NAME = Setting((18, 16, 14, 12, 10), one_line_from=14, most_lines=2)
ORGANISATION = Setting((13, 12, 11, 10, 9), one_line_from=11, most_lines=3)
COUNTRY = Setting((13, 12, 11, 10, 9), one_line_from=11, most_lines=2)
EVENT_NAME = Setting((10, 9, 8), one_line_from=9, most_lines=2)
PLACE_AND_DATES = Setting((8, 7), one_line_from=7, most_lines=2)

# The event's band at the head of every badge: drawn once as a 600-dpi image that the PDF holds
# once and every badge shows (as text, its three lines were a third of WeasyPrint's time).
BAND_PATH = "/badges/event.png"
BAND_DPI = 600
BAND_WIDTH, BAND_PADDING, BAND_RADIUS = 105 - 2 * 7, 2.5, 2  # mm; the text column is COLUMN
BAND_COLOUR, BAND_TEXT = (0x7A, 0x0C, 0x20), (255, 255, 255)  # the portal's dark red, white letters
BAND_LINE_HEIGHT = 1.2

# QR codes: error correction M (15 % of a crumpled badge may be lost), mask 0 (what segno
# would choose most often for these addresses), a quiet zone of 4 modules as the standard asks.
QR_ERROR, QR_MASK, QR_BORDER = "m", 0, 4
GREYS = bytes([255, 0]) + bytes(254)  # a module's value (0 light, 1 dark) as a grey
KEPT_CODES = 4096  # a few hundred bytes each: every badge of a big event, printed again at once


@dataclass(frozen=True)
class Line:
    """A text fitted to the badge: its size (pt) and whether it wraps."""

    text: str
    size: int
    wraps: bool = False
    bold: bool = False
    lang: str = ""  # set where the words are the badge's own (the event's name), not a delegate's

    @property
    def rtl(self) -> bool:
        """Whether the text reads from right to left (its first strong letter is Arabic or Hebrew)."""
        for char in self.text:
            direction = unicodedata.bidirectional(char)
            if direction in ("L", "R", "AL"):
                return direction != "L"
        return False


@dataclass(frozen=True)
class Badge:
    """What one delegate's badge prints."""

    name: Line  # in Latin letters, as in the passport
    own: Line | None  # in the delegate's own script, where that says more and the font has it
    organisation: Line | None
    country: Line
    qr: str  # the QR image's path in the document (BadgeSheets.images)


@dataclass(frozen=True)
class BadgeSheets:
    """Everything the badges' document prints, and the images it holds."""

    layout: str
    event_lines: list[Line]  # the event's name in English and Mongolian, then place and dates
    badges: list[Badge]
    images: dict[str, bytes]
    band: str | None  # the path of the event's band (the same image on every badge); None: as text

    @property
    def sheets(self) -> list[list[Badge]]:
        """The badges as printed: four to an A4 sheet, or one to an A6 page."""
        size = PER_SHEET[self.layout]
        return [self.badges[start:start + size] for start in range(0, len(self.badges), size)]

    @property
    def filename(self) -> str:
        return f"badges-{self.layout}.pdf"


class NoBadges(Exception):
    """No registration matches the filters: there is nothing to print (and nothing is logged)."""


class TooManyBadges(Exception):
    """More badges than one PDF in this layout holds: the hosts print the list in parts."""

    def __init__(self, count: int, most: int):
        super().__init__(count, most)
        self.count, self.most = count, most


def layout_named(value: str | None) -> str:
    """The layout asked for; anything else gets the default."""
    return value if value in LAYOUTS else DEFAULT_LAYOUT


def badge_sheets(actor: Host, event: Event, filters: registrations.Filters, layout: str, lang: str) -> BadgeSheets:
    """Badges for the registrations the list's filters name, in the list's order: without a status
    filter, those coming (pending and confirmed). The printing is in the audit log, with the
    filters and the number of badges (raises NoBadges for none, TooManyBadges for more than the
    layout's MOST_BADGES). `lang` is the language of the check-in pages the QR codes open."""
    chosen = [r for r in registrations.matching(event, filters) if filters.status or r.is_active]
    if not chosen:
        raise NoBadges()
    if len(chosen) > MOST_BADGES[layout]:
        raise TooManyBadges(len(chosen), MOST_BADGES[layout])
    audit.record(actor, "badges.printed", "badges", None, None,
                 {"filters": filters.query_args, "rows": len(chosen), "format": layout})
    head = event_lines(event)
    band = event_band(tuple(head))
    images = {BAND_PATH: band} if band else {}
    badges = []
    for number, registration in enumerate(chosen, 1):
        path = f"/badges/qr-{number}.png"
        images[path] = qr_png(checkin_url(registration, lang))
        badges.append(badge(registration, path))
    return BadgeSheets(layout, head, badges, images, BAND_PATH if band else None)


def badge(registration: Registration, qr: str) -> Badge:
    """What one delegate's badge prints."""
    name = latin_line(registration)
    own = printable(own_name(registration))
    organisation = printable(registration.organisation)
    return Badge(
        name=fit(name, "bold", NAME),
        own=fit(own, "regular", OWN_NAME) if covered(own) and differs(name, own) else None,
        organisation=fit(organisation, "regular", ORGANISATION) if organisation and covered(organisation) else None,
        country=fit(country_line(registration.country), "regular", COUNTRY),
        qr=qr)


def checkin_url(registration: Registration, lang: str) -> str:
    """What the badge's QR code holds: the absolute address of its check-in page, nothing else."""
    return link("hosts_checkin.badge", lang=lang, code=registration.checkin_code)


def event_lines(event: Event) -> list[Line]:
    """The badge's head: the event's name in English and in Mongolian (where it has one), then its
    place and dates in English."""
    names = {}
    for code in BADGE_LANGUAGES:
        name = event.name.get(code, event.main_language)
        text = only_covered(printable(name.text))
        if text and text not in names.values():
            names[name.lang] = text
    english = BADGE_LANGUAGES[0]
    city = only_covered(printable(event.city.get(english, event.main_language).text))
    when = date_range_in(english, event.starts_on, event.ends_on)
    lines = [replace(fit(text, "bold", EVENT_NAME), lang=code) for code, text in names.items()]
    place = " · ".join(part for part in (city, when) if part)
    return [*lines, replace(fit(place, "regular", PLACE_AND_DATES), lang=english)]


def latin_line(registration: Registration) -> str:
    """The name in Latin letters as in the passport (the passport spelling, else the name as
    written or its transliteration), less any character the font lacks."""
    return only_covered(printable(" ".join(part for part in latin_parts(registration) if part)))


def country_line(code: str) -> str:
    """The country in English and in Mongolian («Mongolia · Монгол»)."""
    names = [country_name(code, lang) for lang in BADGE_LANGUAGES] if code else []
    return " · ".join(dict.fromkeys(name for name in names if name))


# Characters

# Bidirectional controls: a name is laid out by the Unicode rules alone, never overridden.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")
JOINERS = frozenset("\u200c\u200d")  # needed inside Persian and Indic words; no glyph of their own
LEFT_OFF = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "So", "Me"})
MAX_MARKS = 3  # combining marks in a row (Vietnamese, Arabic vowels and Hebrew points need up to 3)


def printable(text: str) -> str:
    """The text as a badge prints it: NFC; emoji, symbols, controls and bidirectional overrides
    left off; at most MAX_MARKS combining marks in a row; spaces collapsed."""
    kept, marks = [], 0
    for char in unicodedata.normalize("NFC", text or ""):
        kind = unicodedata.category(char)
        if char in JOINERS:
            kept.append(char)
            continue
        if char in BIDI_CONTROLS or kind in LEFT_OFF or _is_emoji_part(char):
            continue
        marks = marks + 1 if kind in ("Mn", "Mc") else 0
        if marks <= MAX_MARKS:
            kept.append(" " if kind.startswith("Z") else char)
    return " ".join("".join(kept).split())


def _is_emoji_part(char: str) -> bool:
    """Variation selectors and skin-tone modifiers: parts of an emoji, left off with it."""
    point = ord(char)
    return 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF or 0x1F3FB <= point <= 0x1F3FF


def covered(text: str) -> bool:
    """Whether the badge's font has every character of the text (both faces: names are bold)."""
    have = coverage()
    return all(ord(char) in have or char in JOINERS for char in text)


def only_covered(text: str) -> str:
    """The text less the characters the font lacks."""
    have = coverage()
    return " ".join("".join(char for char in text if ord(char) in have or char in JOINERS).split())


@cache
def coverage() -> frozenset[int]:
    """The code points both faces of the badge's font have (read once per process)."""
    faces = [_metrics(face) for face in FACES]
    if not all(faces):
        return FALLBACK_COVERAGE
    return frozenset.intersection(*(frozenset(widths) for widths, _per_em in faces))


def advances(face: str) -> tuple[dict[int, int], int, float]:
    """The face's advance width per code point, its units per em, and the width of a space."""
    widths, per_em = _metrics(face) or ({}, 1000)
    return widths, per_em, widths.get(0x20, FALLBACK_ADVANCE * per_em)


@cache
def _metrics(face: str) -> tuple[dict[int, int], int] | None:
    """The advance width of each code point the face has, and its units per em (None: no font file)."""
    path = FONT_FOLDER / FACES[face]
    if not path.is_file():
        return None
    with TTFont(path, lazy=True) as font:
        metrics = font["hmtx"].metrics
        widths = {point: metrics[glyph][0] for point, glyph in font.getBestCmap().items() if glyph in metrics}
        return widths, font["head"].unitsPerEm


# Fitting

def fit(text: str, face: str, setting: Setting) -> Line:
    """The text on one line at the largest size it fits, down to the setting's `one_line_from`;
    else wrapped at the largest size at which it takes at most its `most_lines` (two from BIG up);
    else at the smallest size, shortened with «…» to fit."""
    bold = face == "bold"
    for size in setting.sizes:
        if size >= setting.one_line_from and len(wrapped_lines(text, face, size)) == 1:
            return Line(text, size, bold=bold)
    for size in setting.sizes:
        lines = len(wrapped_lines(text, face, size))
        if lines <= (min(2, setting.most_lines) if size >= BIG else setting.most_lines):
            return Line(text, size, wraps=lines > 1, bold=bold)
    size = setting.sizes[-1]
    while len(text) > 1 and len(wrapped_lines(text + ELLIPSIS, face, size)) > setting.most_lines:
        text = text[:max(1, len(text) * 9 // 10 if len(text) > 40 else len(text) - 1)].rstrip()
    return Line(text + ELLIPSIS, size, wraps=True, bold=bold)


def wrapped_lines(text: str, face: str, size: float) -> list[str]:
    """The text in the badge's column at `size` points, line by line: wrapped between words, and
    inside a word too long for a line (as `overflow-wrap: anywhere` does)."""
    widths, per_em, space = advances(face)
    column = COLUMN * per_em / size
    fallback = FALLBACK_ADVANCE * per_em
    lines, line, used = [], "", 0.0
    for word in text.split(" "):
        width = sum(widths.get(ord(char), fallback) for char in word)
        if line and used + space + width <= column:
            line, used = f"{line} {word}", used + space + width
            continue
        if line:
            lines.append(line)
        line, used = "", 0.0
        for char in word:  # a word longer than the line is broken inside
            advance = widths.get(ord(char), fallback)
            if line and used + advance > column:
                lines.append(line)
                line, used = "", 0.0
            line, used = line + char, used + advance
    return lines + [line]


# QR codes

@lru_cache(maxsize=KEPT_CODES)
def qr_png(payload: str) -> bytes:
    """The QR code of `payload` as a greyscale PNG, one pixel per module with its quiet zone
    (the badge's stylesheet scales it up without smoothing). Greyscale, because WeasyPrint keeps
    such a PNG as it is; a black-and-white one it converts to colour first."""
    code = segno.make(payload, error=QR_ERROR, mask=QR_MASK, micro=False)
    size = len(code.matrix) + 2 * QR_BORDER
    margin = b"\xff" * QR_BORDER
    quiet = [b"\xff" * size] * QR_BORDER
    rows = quiet + [margin + bytes(row).translate(GREYS) + margin for row in code.matrix] + quiet
    out = io.BytesIO()
    Image.frombytes("L", (size, size), b"".join(rows)).save(out, format="PNG")
    return out.getvalue()


# The event's band

@lru_cache(maxsize=8)
def event_band(lines: tuple[Line, ...]) -> bytes | None:
    """The event's lines as the band a badge carries at its head: a PNG at BAND_DPI, white letters
    centred on the portal's dark red, each line wrapped as the badge's column wraps it. None
    without the font's files (the badge then prints the lines as text)."""
    if _metrics("regular") is None or _metrics("bold") is None:
        return None
    scale = BAND_DPI / 72  # pixels per point
    rows = [(part, line) for line in lines for part in wrapped_lines(line.text, "bold" if line.bold else "regular",
                                                                     line.size)]
    padding = _pixels(BAND_PADDING)
    height = 2 * padding + sum(round(line.size * BAND_LINE_HEIGHT * scale) for _part, line in rows)
    width = _pixels(BAND_WIDTH)
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=_pixels(BAND_RADIUS), fill=BAND_COLOUR)
    top = padding
    for part, line in rows:
        face = FONT_FOLDER / FACES["bold" if line.bold else "regular"]
        step = round(line.size * BAND_LINE_HEIGHT * scale)
        font = ImageFont.truetype(str(face), line.size * scale)
        draw.text((width / 2, top + step / 2), part, font=font, fill=BAND_TEXT, anchor="mm")
        top += step
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(BAND_DPI, BAND_DPI))
    return out.getvalue()


def _pixels(mm: float) -> int:
    return round(mm / 25.4 * BAND_DPI)
