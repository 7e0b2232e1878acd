"""Static files under names that change with their content: `/static/css/portal.css?v=<hash>`,
so a front proxy may let browsers keep them for a year (deploy/nginx/portal.conf). Files in
`vendor/` carry their version in their name already (htmx-2.0.11.min.js)."""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app


@lru_cache(maxsize=64)
def content_hash(folder: str, filename: str) -> str:
    """The first characters of the file's SHA-256 (read once per process)."""
    path = Path(folder) / filename
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def _versioned(endpoint, values):
    filename = values.get("filename") if endpoint == "static" else None
    if filename and "v" not in values and not filename.startswith("vendor/"):
        values["v"] = content_hash(current_app.static_folder, filename)


def init_app(app: Flask) -> None:
    app.url_defaults(_versioned)
