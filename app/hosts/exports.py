"""The console's exports: the list of registrations and a session's roster, as CSV (UTF-8 with a
BOM, so that Excel opens Cyrillic intact) or XLSX (typed cells), headed in the reader's language."""
import csv
import io
from functools import lru_cache
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Callable

from flask_babel import get_locale, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..events.models import Event
from ..i18n.collation import country_name
from ..i18n.languages import language_name
from ..i18n.templating import localize
from ..program.models import Seat
from . import audit, registrations
from .forms import GENDER_NAMES, ROOM_NAMES, STATUS_NAMES
from .models import Host

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell beginning with one of these is read as a formula by a spreadsheet (or is a control
# character that hides one): the CSV gets an apostrophe in front, which the spreadsheet shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Column:
    header: object  # a lazy text: translated when the export is written, in the reader's language
    value: Callable


@lru_cache(maxsize=1024)
def _country_in(code: str, lang: str) -> str:
    return country_name(code, lang)


def _country(code: str) -> str:
    return _country_in(code, str(get_locale())) if code else ""


@lru_cache(maxsize=64)
def _language(code: str) -> str:
    return language_name(code) if code else ""


REGISTRATION_COLUMNS = (
    Column(_l("Number"), lambda r: r.id),
    Column(_l("Status"), lambda r: STATUS_NAMES.get(r.status, r.status)),
    Column(_l("Given name"), lambda r: r.given_name),
    Column(_l("Family name"), lambda r: r.family_name),
    Column(_l("Email address"), lambda r: r.email),
    Column(_l("Mobile phone"), lambda r: r.phone),
    Column(_l("Country"), lambda r: _country(r.country)),
    Column(_l("Party or organisation"), lambda r: r.organisation),
    Column(_l("Position"), lambda r: r.position),
    Column(_l("Gender"), lambda r: GENDER_NAMES.get(r.gender, r.gender)),
    Column(_l("Language for messages"), lambda r: _language(r.language)),
    Column(_l("Days you will attend"), lambda r: " ".join(r.days or [])),
    Column(_l("Arrival date"), lambda r: r.arrival_date),
    Column(_l("Arrival time"), lambda r: r.arrival_time),
    Column(_l("Arrival flight number"), lambda r: r.arrival_flight),
    Column(_l("Checked bags"), lambda r: r.luggage),
    Column(_l("Departure date"), lambda r: r.departure_date),
    Column(_l("Departure time"), lambda r: r.departure_time),
    Column(_l("Departure flight number"), lambda r: r.departure_flight),
    Column(_l("Hotel"), lambda r: r.hotel_needed),
    Column(_l("Hotel check-in"), lambda r: r.hotel_check_in),
    Column(_l("Hotel check-out"), lambda r: r.hotel_check_out),
    Column(_l("Room type"), lambda r: ROOM_NAMES.get(r.room_type, r.room_type)),
    Column(_l("Dietary needs"), lambda r: r.dietary_needs),
    Column(_l("Accessibility needs"), lambda r: r.accessibility_needs),
    Column(_l("Interpretation"), lambda r: r.interpretation),
    Column(_l("Visa invitation letter"), lambda r: r.visa_letter),
    Column(_l("Registered"), lambda r: r.created_at),
)
# Only in the export a coordinator asks for explicitly (and the audit log records).
PASSPORT_COLUMNS = (
    Column(_l("Given name as in your passport"), lambda r: r.passport_given_name),
    Column(_l("Family name as in your passport"), lambda r: r.passport_family_name),
    Column(_l("Nationality"), lambda r: _country(r.nationality)),
    Column(_l("Passport number"), lambda r: r.passport_number),
    Column(_l("Date of birth"), lambda r: r.date_of_birth),
    Column(_l("Passport expiry date"), lambda r: r.passport_expiry),
)
PLACE_NAMES = {Seat.SEATED: _l("Seat"), Seat.WAITING: _l("Waiting list")}
YES, NO = _l("Yes"), _l("No")
# A roster's lines are registrations.RosterLine: a seat or waitlist place and its delegate.
ROSTER_COLUMNS = (
    Column(_l("Seat or waiting list"), lambda line: PLACE_NAMES[line.seat.status]),
    Column(_l("Number in line"), lambda line: line.position),
    Column(_l("Given name"), lambda line: line.registration.given_name),
    Column(_l("Family name"), lambda line: line.registration.family_name),
    Column(_l("Email address"), lambda line: line.registration.email),
    Column(_l("Country"), lambda line: _country(line.registration.country)),
    Column(_l("Party or organisation"), lambda line: line.registration.organisation),
    Column(_l("Status"), lambda line: STATUS_NAMES.get(line.registration.status, line.registration.status)),
    Column(_l("Since"), lambda line: line.seat.created_at),
    Column(_l("Number"), lambda line: line.registration.id),
)


def registrations_file(actor: Host, event: Event, filters: registrations.Filters, passport: bool,
                       kind: str) -> tuple[str, bytes]:
    """The list as filtered, as `kind` (csv, xlsx): its file name and content. An export with the
    passport details is recorded in the audit log (only coordinators are let to ask for one)."""
    rows = registrations.matching(event, filters)
    if passport:
        audit.record(actor, "registrations.exported_passports", "export", None, None,
                     {"filters": filters.query_args, "rows": len(rows), "format": kind})
    columns = registration_columns(passport)
    name = "registrations-passports" if passport else "registrations"
    return name, _write(kind, columns, rows, event, str(_l("Registrations")))


def roster_file(event: Event, slug: str, kind: str) -> tuple[str, bytes] | None:
    """A session's roster as `kind` (csv, xlsx): its file name and content; None for no such session."""
    found = registrations.roster(event, slug)
    if found is None:
        return None
    session, lines = found
    return f"roster-{session.slug}", _write(kind, ROSTER_COLUMNS, lines, event, localize(session.title).text)


def _write(kind: str, columns, rows, event: Event, title: str) -> bytes:
    return to_csv(columns, rows, event.tz) if kind == "csv" else to_xlsx(columns, rows, event.tz, title)


def registration_columns(passport: bool = False) -> tuple[Column, ...]:
    """The list's columns; with the passport details when a coordinator asked for them."""
    return REGISTRATION_COLUMNS + (PASSPORT_COLUMNS if passport else ())


def inert(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(columns, rows, tz) -> bytes:
    """UTF-8 with a byte-order mark; dates ISO 8601, times HH:MM, moments in the event's time."""
    plain = _Plain(tz)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([inert(str(column.header)) for column in columns])
    for row in rows:
        writer.writerow([inert(_as_text(plain(column.value(row)), plain)) for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns, rows, tz, title: str) -> bytes:
    """One sheet with typed cells: numbers as numbers, dates as dates, yes/no as booleans, text as
    text (never a formula, whatever it begins with)."""
    plain = _Plain(tz)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, plain(column.value(row))) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Plain:
    """Values as a spreadsheet can hold them, for one export: lazy texts translated (each once:
    two thousand rows name the same few statuses), moments in the event's time without a zone
    (Excel has none)."""

    def __init__(self, tz):
        self.tz = tz
        self.texts = {}  # id of a lazy text -> (the lazy text, kept so that its id stays its own; its translation)

    def __call__(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(self.tz).replace(tzinfo=None, microsecond=0)
        if isinstance(value, LazyString):
            return self.text(value)
        return value

    def text(self, lazy: LazyString) -> str:
        kept = self.texts.get(id(lazy))
        if kept is None:
            kept = self.texts[id(lazy)] = (lazy, str(lazy))
        return kept[1]


def _as_text(value, plain: _Plain) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return plain.text(YES if value else NO)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cell(sheet, value):
    """A value as the sheet takes it: plain values as they are (openpyxl types them; an empty text
    is an empty cell), a cell of our own where the value needs a format or must not be read as a
    formula or an error code (building a cell for each value was most of an export's time)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if not value.startswith(("=", "#")):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text stays text: "=1+1" is not a formula here, "#N/A" not an error
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, time):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "hh:mm"
        return cell
    return value  # numbers, yes/no and dates (openpyxl formats a date yyyy-mm-dd)


def _sheet_title(title: str) -> str:
    """A sheet's name: at most 31 characters, none of those Excel refuses."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return cleaned[:31] or "Sheet"
