"""Hosts' accounts: creating and changing them, and signing in (throttled)."""
import hashlib
import secrets
from datetime import datetime
from functools import lru_cache

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..email_address import canonical_email
from ..extensions import db
from . import audit, rules
from .models import Host, LoginFailure

PASSWORD_METHOD = "scrypt"


class WeakPassword(ValueError):
    """A new password the policy refuses; `reason` says why, in the reader's language."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


class AlreadyAHost(Exception):
    """An account with this address exists."""


class OwnAccount(Exception):
    """A coordinator cannot disable or re-role themselves (nobody might be left to undo it)."""


class WrongCredentials(Exception):
    """The address is unknown, the password wrong or the account disabled: one answer for all."""


class Throttled(Exception):
    """Too many refused sign-ins for this account or this client; `until` when to try again."""

    def __init__(self, until: datetime):
        super().__init__(until.isoformat())
        self.until = until


def snapshot(host: Host) -> dict:
    """What the audit log keeps of an account (never its password)."""
    return {"email": host.email, "role": host.role, "active": host.active}


def create_host(email: str, role: str, password: str, actor: Host | None, now: datetime) -> Host:
    """A new account, its password hashed with scrypt (raises WeakPassword, AlreadyAHost)."""
    if role not in rules.ROLES:
        raise ValueError(f"unknown role {role!r}")
    problem = rules.password_problem(password, email)
    if problem is not None:
        raise WeakPassword(problem)
    host = Host(email=email, email_key=canonical_email(email), role=role, active=True, created_at=now,
                password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
                session_nonce=secrets.token_hex(16))
    try:
        with db.session.begin_nested():
            db.session.add(host)
    except IntegrityError:
        raise AlreadyAHost() from None
    audit.record(actor, "host.created", "host", host.id, None, snapshot(host))
    return host


def change_host(actor: Host, host: Host, role: str, active: bool) -> bool:
    """Re-role, disable or enable an account; its signed-in devices are signed out at once.
    Returns whether anything changed (raises OwnAccount)."""
    if role not in rules.ROLES:
        raise ValueError(f"unknown role {role!r}")
    if (role, active) == (host.role, host.active):
        return False
    if host.id == actor.id:
        raise OwnAccount()
    before = snapshot(host)
    host.role, host.active = role, active
    host.session_nonce = secrets.token_hex(16)
    action = "host.disabled" if before["active"] and not active else (
        "host.enabled" if active and not before["active"] else "host.role_changed")
    audit.record(actor, action, "host", host.id, before, snapshot(host))
    return True


def hosts() -> list[Host]:
    """Every account, coordinators first, then by address."""
    return list(db.session.scalars(select(Host).order_by(Host.role, Host.email_key)))


def find_host(host_id: int) -> Host | None:
    return db.session.get(Host, host_id)


def host_for_cookie(value) -> Host | None:
    """The active account a console's cookie names ("ID:NONCE"), if the nonce is still its own."""
    if not isinstance(value, str) or value.count(":") != 1:
        return None
    host_id, nonce = value.split(":")
    if not host_id.isdigit() or len(host_id) > 12:
        return None
    host = db.session.get(Host, int(host_id))
    if host is None or not host.active or not secrets.compare_digest(host.session_nonce, nonce):
        return None
    return host


def authenticate(email: str, password: str, client: str, now: datetime) -> Host:
    """The account these credentials open (raises WrongCredentials or Throttled).

    An unknown address costs the same scrypt check as a known one, and its refusals are counted
    alike, so neither the answer nor its timing tells whether an account exists."""
    keys = _failure_key("account", canonical_email(email)), _failure_key("client", client)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - 2 * rules.LOCK))
    for key in keys:
        failures = db.session.scalars(select(LoginFailure.at).where(LoginFailure.key == key)).all()
        until = rules.locked_until(list(failures), now)
        if until is not None:
            raise Throttled(until)
    host = db.session.scalar(select(Host).where(Host.email_key == canonical_email(email)))
    matches = check_password_hash(host.password_hash if host else _decoy_hash(), password)
    if host is None or not matches or not host.active:
        db.session.add_all(LoginFailure(key=key, at=now) for key in keys)
        raise WrongCredentials()
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
    host.last_sign_in_at = now
    return host


def _failure_key(kind: str, value: str) -> str:
    """A digest, keyed with the app's secret: the table names no address and no client."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return hashlib.blake2b(f"{kind}:{value}".encode("utf-8"), key=secret[:64], digest_size=32).hexdigest()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash no password matches, checked for unknown addresses so they take as long as known ones."""
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)
