"""Configuration from the environment, with defaults that work on a laptop."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def env_flag(name: str, default: bool) -> bool:
    """Read a yes/no setting: 1/true/yes/on mean yes."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENTS = ("development", "testing", "production")


class Config:
    PORTAL_ENV = os.environ.get("PORTAL_ENV", "development")
    # No key is public: unset outside production, the portal makes one under instance/ (security.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # A failing statement's parameters (addresses, passport numbers) stay out of error logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite3'}"
    )
    # The event's content lives in this folder; `flask portal load-demo` reads it.
    DEMO_CONTENT = ROOT / "content" / "progressive-alliance-2017"

    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ulaanbaatar"

    HTMX_FROM_CDN = env_flag("HTMX_FROM_CDN", True)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    LANGUAGE_COOKIE = "lang"

    WTF_CSRF_TIME_LIMIT = 6 * 3600
    # Request size limits: nothing a delegate sends is anywhere near these.
    MAX_CONTENT_LENGTH = 256 * 1024
    MAX_QUERY_STRING = 2048

    # Where the portal is reached (https://portal.example.org): links in emails point there. Unset,
    # they point to the host of the request that queued them (development and tests).
    PORTAL_URL = os.environ.get("PORTAL_URL", "")
    # Host names the portal answers to (comma-separated): links in emails are built from the
    # request's host, so in production a forged Host header must be refused.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    # How many reverse proxies (nginx) stand in front: their X-Forwarded-* headers are believed.
    FORWARDED_PROXIES = int(os.environ.get("FORWARDED_PROXIES", "0"))

    RATELIMIT_ENABLED = env_flag("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "10/minute;100/hour")
    RATELIMIT_LINK = os.environ.get("RATELIMIT_LINK", "5/minute;30/hour")
    # However many clients ask, one address gets at most this many link emails (no mail bombing).
    RATELIMIT_LINK_PER_ADDRESS = os.environ.get("RATELIMIT_LINK_PER_ADDRESS", "3/hour")
    RATELIMIT_SUBSCRIBE = os.environ.get("RATELIMIT_SUBSCRIBE", "10/minute;60/hour")
    # However many clients ask, one address gets at most this many confirmation requests.
    RATELIMIT_SUBSCRIBE_PER_ADDRESS = os.environ.get("RATELIMIT_SUBSCRIBE_PER_ADDRESS", "3/hour")
    # Field checks as a delegate fills in the form: enough for a person, not for a script.
    RATELIMIT_CHECK = os.environ.get("RATELIMIT_CHECK", "60/minute;300/hour")
    # An embassy checking a visa letter (/LANG/verify/REFERENCE): enough to check, too few to guess.
    RATELIMIT_VERIFY = os.environ.get("RATELIMIT_VERIFY", "30/minute;300/hour")

    # A delegate's emailed link works once, and this long; a fresh one can be requested any time.
    DELEGATE_LINK_MAX_AGE = int(os.environ.get("DELEGATE_LINK_MAX_AGE", str(7 * 24 * 3600)))
    # Passport data is deleted this many days after the event (`flask portal purge-passports`).
    PASSPORT_PURGE_DAYS = int(os.environ.get("PASSPORT_PURGE_DAYS", "30"))
    # Pins the portal's clock (ISO 8601); `make run` sets it so the demo's registration is open.
    PORTAL_NOW = os.environ.get("PORTAL_NOW", "")
    PERMANENT_SESSION_LIFETIME = 30 * 24 * 3600
    # The cookie is sent again only when it changes, not signed afresh on every page: the sign-in
    # it names ends SIGN_IN_MAX_AGE after it began however often it is used (a page costs less).
    SESSION_REFRESH_EACH_REQUEST = False
    # A device's sign-in ends this long after it began, however often it is used (a fresh link then).
    SIGN_IN_MAX_AGE = int(os.environ.get("SIGN_IN_MAX_AGE", str(30 * 24 * 3600)))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = env_flag("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Progressive Alliance Ulaanbaatar <portal@localhost>"
    )
    MAIL_OUTBOX = INSTANCE / "outbox"
    # Sent messages are deleted from the outbox table this many days after they went out.
    MAIL_KEEP_DAYS = int(os.environ.get("MAIL_KEEP_DAYS", "30"))


class ProductionConfig(Config):
    PORTAL_ENV = "production"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class UnsafeSettings(RuntimeError):
    """The portal refuses to start: a setting it needs is missing or wrong."""


def config_from_environment() -> type[Config]:
    """Pick the configuration class for PORTAL_ENV; anything but the three known names is refused
    (a misspelt «prod» must not quietly run with development settings)."""
    name = os.environ.get("PORTAL_ENV", "development")
    if name not in ENVIRONMENTS:
        raise UnsafeSettings(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    return ProductionConfig if name == "production" else Config
