"""gunicorn's settings for the portal (read from the working directory: `gunicorn wsgi:app`).

Long addresses must reach the portal, whose own 414 page speaks the reader's language;
gunicorn's default limit (4094 bytes) would answer them itself, in English."""
limit_request_line = 8190
