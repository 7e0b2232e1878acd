"""Pages as PDF: WeasyPrint lays out HTML and CSS for paper (the printed program; the hosts'
badges and visa letters will share it).

WeasyPrint needs Debian's Pango and a font with Latin and Cyrillic letters (DejaVu Sans, named in
the print stylesheet): `scripts/install-pdf-libs.sh`, which `make install` runs. Without Pango the
portal still starts and a PDF answer says it is unavailable.

A PDF is made from the portal's own HTML, and WeasyPrint fetches nothing but the portal's own
static files for it, and the images made for that document (the badges' QR codes), handed over
in memory by path: an image a host's text names on another server is never fetched.
"""
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from werkzeug.security import safe_join

try:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse
except OSError:  # Pango is missing (scripts/install-pdf-libs.sh)
    HTML = None
    URLFetcher, URLFetcherResponse = object, None

MIME_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here: Debian's Pango is not installed."""


class StaticFilesOnly(URLFetcher):
    """Serves WeasyPrint the files under the site's static folder and the document's own images,
    and refuses every other address."""

    def __init__(self, folder: str, url_path: str, images: Mapping[str, bytes] | None = None):
        super().__init__(allowed_protocols=())
        self.folder, self.prefix = folder, url_path.rstrip("/") + "/"
        self.images = images or {}

    def fetch(self, url, headers=None):
        path = unquote(urlsplit(url).path)
        if path in self.images:
            kind = MIME_TYPES.get(Path(path).suffix, "application/octet-stream")
            return URLFetcherResponse(url, self.images[path], {"Content-Type": kind})
        found = safe_join(self.folder, path.removeprefix(self.prefix)) if path.startswith(self.prefix) else None
        if found is None or not Path(found).is_file():
            raise ValueError(f"not one of the portal's static files: {url[:80]}")
        return URLFetcherResponse(url, Path(found).read_bytes(),
                                  {"Content-Type": MIME_TYPES.get(Path(found).suffix, "application/octet-stream")})


def available() -> bool:
    return HTML is not None


def render_pdf(html: str, base_url: str, static_folder: str, static_url_path: str,
               images: Mapping[str, bytes] | None = None) -> bytes:
    """The page as PDF, laid out by its print stylesheet. `images`: pictures made for this document
    (a PNG or SVG by the path its HTML names, such as /badges/qr-1.png), served from memory."""
    if not available():
        raise PdfUnavailable()
    return HTML(string=html, base_url=base_url,
                url_fetcher=StaticFilesOnly(static_folder, static_url_path, images)).write_pdf()
