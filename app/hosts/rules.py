"""The console's rules as plain functions: passwords, sign-in throttling, idle sign-out, who may do what."""
import re
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..forms import REFUSED

MIN_PASSWORD = 12
MAX_PASSWORD = 256
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")

# Five refused sign-ins within 15 minutes lock the account (or the client) for 15 minutes.
FAILURE_LIMIT = 5
LOCK = timedelta(minutes=15)
# A console left alone this long signs its host out.
IDLE_LIMIT = timedelta(hours=8)

ROLES = ("coordinator", "host")
# Coordinators may do everything; hosts everything but these (`passports`: an export with the
# passport details).
COORDINATOR_ONLY = frozenset({"accounts", "audit", "edit", "passports"})

# The digits and signs around a password's letters: «Password2017!» is «password» with decoration.
DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str = ""):
    """Why a new password is refused (a message for the reader), or None if it may be used."""
    if len(password) < MIN_PASSWORD:
        return _l("The password must be at least %(min)s characters long.", min=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _l("Too long (at most %(max)s characters).", max=MAX_PASSWORD)
    if any(ord(char) < 32 or ord(char) == 127 or char in REFUSED for char in password):
        return _l("Please remove the invisible control characters.")
    folded = password.casefold()
    core = DECORATION.sub("", folded)
    local = email.casefold().partition("@")[0]
    if (folded in common_passwords() or core in common_passwords() or len(set(folded)) < 4
            or folded == email.casefold() or (len(local) >= 4 and local in folded)):
        return _l("This password is too easy to guess. Please choose a longer or less common one.")
    return None


def locked_until(failures: list[datetime], now: datetime) -> datetime | None:
    """When sign-ins may be tried again, given the refused ones (of one account or one client):
    FAILURE_LIMIT refusals within LOCK lock for LOCK after the last of them; None: not locked."""
    recent = sorted(moment for moment in failures if moment > now - 2 * LOCK)
    until = None
    for last in range(FAILURE_LIMIT - 1, len(recent)):
        if recent[last] - recent[last - FAILURE_LIMIT + 1] <= LOCK and recent[last] + LOCK > now:
            until = recent[last] + LOCK
    return until


def is_idle(last_seen: float | None, now: datetime) -> bool:
    """Whether a console has been left alone too long (`last_seen`: seconds since the epoch, as
    its cookie keeps it; a cookie without it is treated as idle)."""
    if not isinstance(last_seen, (int, float)):
        return True
    return now.timestamp() - last_seen > IDLE_LIMIT.total_seconds()


def may(role: str, permission: str) -> bool:
    """Whether a host with this role may do this (`accounts`, `audit`, `edit`, `passports`, or anything else)."""
    if role == "coordinator":
        return True
    return role == "host" and permission not in COORDINATOR_ONLY


# What a host's decision makes of a registration, and from which statuses it may be taken:
# a cancelled registration (the delegate withdrew) is neither confirmed nor declined by a host.
DECISIONS = {
    "confirm": ("confirmed", frozenset({"pending", "declined"})),
    "decline": ("declined", frozenset({"pending", "confirmed"})),
}


class DecisionRefused(Exception):
    """This decision cannot be taken on a registration in this status (or erased)."""


def decisions_open(status: str, erased: bool = False) -> list[str]:
    """The decisions a host can take on a registration in `status` (what its buttons offer)."""
    return [] if erased else [decision for decision, (_, allowed_from) in DECISIONS.items() if status in allowed_from]


def status_after(decision: str, status: str, erased: bool = False) -> str | None:
    """The status a host's decision (`confirm`, `decline`) leads to from `status`; None when the
    registration has it already (a second tap changes nothing). Raises DecisionRefused."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    target, allowed_from = DECISIONS[decision]
    if erased:
        raise DecisionRefused(decision, status)
    if status == target:
        return None
    if status not in allowed_from:
        raise DecisionRefused(decision, status)
    return target
