"""The hosts' console: arrivals and pickup waves, driver sheets and placards; hotel nights, dietary and access needs, interpretation headsets."""
from datetime import date
from io import BytesIO

from flask import Blueprint, abort, current_app, make_response, render_template, request, send_file
from flask_babel import lazy_gettext as _l

from .. import pdf
from ..delegates.signin import private
from ..events.services import current_event
from ..htmx import render
from ..web.errors import render_error
from . import arrivals, badges, exports, needs
from .forms import ROOM_NAMES, STATUS_NAMES
from .needs import NO_ROOM_TYPE
from .signin import host_required

bp = Blueprint("hosts_logistics", __name__, url_prefix="/<lang>/hosts")
# Every console page is private: no cache keeps it.
bp.after_request(private)
NO_PDF = _l("The PDF cannot be made on this server. The printable page has the same content.")


@bp.context_processor
def logistics_names():
    """What these pages name: statuses (also translated once per page, for its many lines), room
    types and languages."""
    return {"status_names": STATUS_NAMES, "statuses": {key: str(name) for key, name in STATUS_NAMES.items()},
            "room_names": ROOM_NAMES, "no_room_type": NO_ROOM_TYPE, "language_called": needs.language_called}


@bp.get("/arrivals", endpoint="arrivals")
@host_required()
def arrivals_page():
    """Arrivals and departures by day, arrivals in pickup waves; `window` (minutes) sets the waves."""
    window, refused = arrivals.read_window(request.args.getlist("window"))
    return render("hosts/arrivals.html", "hosts/_arrivals_board.html", 422 if refused else 200,
                  board=arrivals.board(current_event(), window), refused=refused)


@bp.get("/arrivals/<day>/waves/<int:number>", defaults={"as_pdf": False}, endpoint="driver_sheet")
@bp.get("/arrivals/<day>/waves/<int:number>/driver-sheet.pdf", defaults={"as_pdf": True}, endpoint="driver_sheet_pdf")
@host_required()
def driver_sheet(day, number, as_pdf):
    """A pickup wave's driver sheet, for A4 paper or as a PDF."""
    wave, window = _wave(day, number)
    return _paper("hosts/driver_sheet.html", as_pdf, f"driver-sheet-{wave.day.isoformat()}-{number}",
                  wave=wave, window=window)


@bp.get("/arrivals/<day>/waves/<int:number>/placards", defaults={"as_pdf": False}, endpoint="wave_placards")
@bp.get("/arrivals/<day>/waves/<int:number>/placards.pdf", defaults={"as_pdf": True}, endpoint="wave_placards_pdf")
@host_required()
def wave_placards(day, number, as_pdf):
    """Name placards for everyone in a pickup wave, one A4 landscape sheet each."""
    wave, window = _wave(day, number)
    return _paper("hosts/placards.html", as_pdf, f"placards-{wave.day.isoformat()}-{number}",
                  people=wave.people, day=wave.day, wave=wave, window=window)


@bp.get("/arrivals/<day>/placards", defaults={"as_pdf": False}, endpoint="day_placards")
@bp.get("/arrivals/<day>/placards.pdf", defaults={"as_pdf": True}, endpoint="day_placards_pdf")
@host_required()
def day_placards(day, as_pdf):
    """Name placards for everyone landing on a day."""
    landing = _day(day)
    people = arrivals.arriving_on(current_event(), landing) or abort(404)
    return _paper("hosts/placards.html", as_pdf, f"placards-{landing.isoformat()}",
                  people=people, day=landing, wave=None, window=None)


@bp.get("/needs", endpoint="needs")
@host_required()
def needs_page():
    """Hotel nights per night and room type, dietary and accessibility needs, headsets per session."""
    return render_template("hosts/needs.html", needs=needs.needs(current_event()))


@bp.get("/needs/<part>.csv", defaults={"kind": "csv"}, endpoint="needs_csv")
@bp.get("/needs/<part>.xlsx", defaults={"kind": "xlsx"}, endpoint="needs_xlsx")
@host_required()
def needs_export(part, kind):
    """One part of the needs page as a spreadsheet: nights, guests, people or headsets."""
    name, data = needs.needs_file(current_event(), part, kind) or abort(404)
    mimetype = exports.CSV_TYPE if kind == "csv" else exports.XLSX_TYPE
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{name}.{kind}")


def _day(text: str) -> date:
    """A day from the address, written YYYY-MM-DD; anything else (another ISO spelling, such as
    2017-W21-3, included) is no page."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(404)
    return day if day.isoformat() == text else abort(404)


def _wave(day: str, number: int) -> tuple[arrivals.Wave, int]:
    """The pickup wave the address names, and the window it was counted with (the page's links
    carry it; a window the arrivals page refuses gives the default here too); no such wave: 404."""
    window, _refused = arrivals.read_window(request.args.getlist("window"))
    return arrivals.wave(current_event(), _day(day), number, window) or abort(404), window


def _paper(template: str, as_pdf: bool, name: str, **context):
    """The page for A4 as it is, or laid out as a PDF by its print stylesheet. The PDF has only
    the server's font: an own-script name in letters it lacks is left off (the Latin one stays),
    where a browser printing the page uses the reader's own fonts."""
    if not as_pdf:
        return render_template(template, in_font=None, **context)
    if not pdf.available():
        return render_error(503, NO_PDF)
    html = render_template(template, in_font=badges.covered, **context)
    response = make_response(pdf.render_pdf(html, request.url_root, current_app.static_folder,
                                            current_app.static_url_path))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
