"""gunicorn's settings for the portal (`gunicorn --config gunicorn.conf.py wsgi:app`), from the
environment so that the systemd units (deploy/systemd/) and the benchmarks share them.

Measured on a 2-core machine (docs/benchmarks.md): 2 sync workers per instance serve the pages;
joins wait on the database's lock, not the CPU, so threads help them little on SQLite.
Long addresses must reach the portal, whose own 414 page speaks the reader's language;
gunicorn's default limit (4094 bytes) would answer them itself, in English."""
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
limit_request_line = 8190
# The front proxy sets X-Forwarded-*; the portal believes FORWARDED_PROXIES of them (config.py).
forwarded_allow_ips = "127.0.0.1"
