"""The sender: delivers the outbox with retries and backoff, each message once.

Several senders may run at once (one per instance): a sender claims a message with a
compare-and-set before it talks to the mail server, and records the outcome only while it
still holds that claim, so no two send the same message. A claim outlasts the longest SMTP
conversation. Only a crash after the server took a message and before the outbox recorded it
sends it again, with the same Message-ID, which lets receiving servers drop the copy.
"""
import secrets
import signal
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import OperationalError

from ..extensions import db
from ..timestamps import utcnow
from .models import OutboxMessage

# Every step of an SMTP conversation (connect, EHLO, STARTTLS, login, MAIL, RCPT, DATA) waits
# at most SMTP_TIMEOUT seconds: eight steps take at most 4 minutes, well inside a claim.
SMTP_TIMEOUT = 30
LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# Set by SIGTERM (systemctl stop, a restart): the message being handed over is finished and
# recorded, then the sender ends. Stopped between the mail server's acceptance and the record,
# it would send that message again when it comes back.
STOPPING = threading.Event()


@dataclass(frozen=True)
class Claimed:
    """A message this sender holds, read while claiming it: no transaction stays open while the
    mail server answers (on SQLite a read left open could not turn into the write that follows)."""

    id: int
    template: str
    attempts: int
    raw: bytes
    claim: str


def send_due(limit: int = 100) -> int:
    """Deliver the messages that are due now; returns how many the mail server took."""
    sent = 0
    for message_id in _due(limit):
        if STOPPING.is_set():
            break
        message = _claim(message_id)
        if message is None:
            continue  # another sender has it
        try:
            deliver(message)
        except smtplib.SMTPResponseException as error:
            (_refused if 500 <= error.smtp_code < 600 else _failed)(message, error)
        except smtplib.SMTPRecipientsRefused as error:
            _refused(message, error)
        except (OSError, smtplib.SMTPException) as error:
            _failed(message, error)
        except Exception as error:  # a fault of ours: log it, retry later, and go on with the others
            current_app.logger.exception("message %s (%s) could not be handed over", message.id, message.template)
            _failed(message, error)
        else:
            _delivered(message)
            sent += 1
    return sent


def forget_sent() -> int:
    """Delete messages sent (or refused for good) more than MAIL_KEEP_DAYS ago: they hold names
    and addresses."""
    before = utcnow() - timedelta(days=current_app.config["MAIL_KEEP_DAYS"])
    deleted = db.session.execute(delete(OutboxMessage).where(
        or_(OutboxMessage.sent_at < before, OutboxMessage.failed_at < before))).rowcount
    db.session.commit()
    return deleted


def run(work=send_due, hourly=forget_sent, interval: float = 2.0, once: bool = False) -> None:
    """Do the outbox's `work` (by default: send what is due), then again every `interval` seconds;
    and the `hourly` chores (by default: forget what was sent long ago) at the start and once an
    hour. A failing round is logged, never the end; SIGTERM ends it once the message in hand is
    recorded (see STOPPING)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: STOPPING.set())
    next_chores = 0.0
    while not STOPPING.is_set():
        try:
            if time.monotonic() >= next_chores:
                next_chores = time.monotonic() + 3600
                hourly()
            work()
        except OperationalError as error:  # the database is busy or away: try again later
            db.session.rollback()
            current_app.logger.warning("outbox not read: %s", type(error).__name__)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("outbox round failed")
        finally:
            db.session.remove()
        if once:
            return
        STOPPING.wait(interval)


def oldest_unsent_age(*waiting) -> float | None:
    """Seconds since the oldest message still waiting was queued, or the oldest of `waiting`
    (other queues' oldest moments); None when nothing has waited a minute. Under a minute it is
    not shown: a public figure that moved with each message would tell who was just emailed."""
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at))
                               .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)))
    moments = [_aware(moment) for moment in (oldest, *waiting) if moment is not None]
    if not moments:
        return None
    age = (utcnow() - min(moments)).total_seconds()
    return round(age) if age >= 60 else None


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)  # aggregates skip the column type


def deliver(message: Claimed) -> None:
    """Hand one message to the mail server, or without MAIL_SERVER to the outbox folder."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        folder = Path(config["MAIL_OUTBOX"])
        folder.mkdir(parents=True, exist_ok=True)
        # Named by the outbox row: a retry writes the same file again, never a second one.
        (folder / f"{message.id:08d}-{message.template}.eml").write_bytes(message.raw)
        return
    email = message_from_bytes(message.raw, policy=policy.SMTP)
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
    except BaseException:
        smtp.close()
        raise
    # The server has taken the message: how it answers QUIT changes nothing.
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _due(limit: int) -> list[int]:
    now = utcnow()
    ids = list(db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.next_attempt_at <= now,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.id).limit(limit)
    ))
    db.session.commit()
    return ids


def _claim(message_id: int) -> Claimed | None:
    """Take a message for this sender, if no other sender holds it and it is not done."""
    now, claim = utcnow(), secrets.token_hex(16)
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + LEASE, claimed_by=claim, attempts=OutboxMessage.attempts + 1)
    ).rowcount
    row = db.session.execute(
        select(OutboxMessage.template, OutboxMessage.attempts, OutboxMessage.raw).where(OutboxMessage.id == message_id)
    ).one() if claimed == 1 else None
    db.session.commit()
    return None if row is None else Claimed(message_id, row.template, row.attempts, row.raw, claim)


def _record(message: Claimed, **values) -> bool:
    """Write the outcome, if this sender still holds the claim (else another sender has the message)."""
    recorded = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == message.claim)
        .values(claimed_until=None, claimed_by=None, **values)).rowcount
    db.session.commit()
    return recorded == 1


def _delivered(message: Claimed) -> None:
    _record(message, sent_at=utcnow(), last_error="")
    current_app.logger.info("message %s (%s) sent, attempt %s", message.id, message.template, message.attempts)


def _reason(error: Exception) -> str:
    # The server's answer can name the recipient: the log and the row keep only its kind and code.
    return f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip()


def _failed(message: Claimed, error: Exception) -> None:
    """Try again later, waiting longer after each failure (30 s, 1 min, 2 min … at most an hour)."""
    wait = min(FIRST_RETRY * 2 ** (message.attempts - 1), LONGEST_WAIT)
    _record(message, next_attempt_at=utcnow() + wait, last_error=_reason(error))
    current_app.logger.warning("message %s (%s) not sent, attempt %s: %s; next try in %s",
                               message.id, message.template, message.attempts, _reason(error), wait)


def _refused(message: Claimed, error: Exception) -> None:
    """The mail server refused the message for good (a 5xx answer): no more tries."""
    _record(message, failed_at=utcnow(), last_error=_reason(error))
    current_app.logger.error("message %s (%s) refused by the mail server: %s",
                             message.id, message.template, _reason(error))
