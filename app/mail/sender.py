"""The sender: delivers the outbox with retries and backoff, each message once.

Several senders may run at once (one per instance): a sender claims a message with a
compare-and-set on `claimed_until` before it talks to the mail server, so no two send the
same message. Only a crash after the server took a message and before the outbox recorded it
sends it again, with the same Message-ID, which lets receiving servers drop the copy.
"""
import smtplib
import time
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError

from ..extensions import db
from ..timestamps import utcnow
from .models import OutboxMessage

# A claim outlives any SMTP conversation (its timeout is SMTP_TIMEOUT seconds).
LEASE = timedelta(minutes=5)
SMTP_TIMEOUT = 30
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


def send_due(limit: int = 100) -> int:
    """Deliver the messages that are due now; returns how many the mail server took."""
    sent = 0
    for message_id in _due(limit):
        message = _claim(message_id)
        if message is None:
            continue  # another sender has it
        try:
            deliver(message)
        except (OSError, smtplib.SMTPException) as error:
            _failed(message, error)
        else:
            _delivered(message)
            sent += 1
    return sent


def run(interval: float = 2.0, once: bool = False) -> None:
    """Send what is due, then again every `interval` seconds (the sender's process)."""
    while True:
        try:
            send_due()
        except OperationalError as error:  # the database is busy or away: try again later
            db.session.rollback()
            current_app.logger.warning("outbox not read: %s", type(error).__name__)
        finally:
            db.session.remove()
        if once:
            return
        time.sleep(interval)


def oldest_unsent_age() -> float | None:
    """Seconds since the oldest message still waiting was queued (None: nothing waits)."""
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at)).where(OutboxMessage.sent_at.is_(None)))
    if oldest is None:
        return None
    if oldest.tzinfo is None:  # an aggregate skips the column type on some drivers
        oldest = oldest.replace(tzinfo=utcnow().tzinfo)
    return max((utcnow() - oldest).total_seconds(), 0.0)


def deliver(message: OutboxMessage) -> None:
    """Hand one message to the mail server, or without MAIL_SERVER to the outbox folder."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        folder = Path(config["MAIL_OUTBOX"])
        folder.mkdir(parents=True, exist_ok=True)
        # Named by the outbox row: a retry writes the same file again, never a second one.
        (folder / f"{message.id:08d}-{message.template}.eml").write_bytes(message.raw)
        return
    email = message_from_bytes(message.raw, policy=policy.SMTP)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _due(limit: int) -> list[int]:
    now = utcnow()
    ids = list(db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.id).limit(limit)
    ))
    db.session.commit()
    return ids


def _claim(message_id: int) -> OutboxMessage | None:
    """Take a message for this sender, if no other sender holds it and it is not sent."""
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
    ).rowcount
    db.session.commit()
    return db.session.get(OutboxMessage, message_id) if claimed == 1 else None


def _delivered(message: OutboxMessage) -> None:
    message.sent_at = utcnow()
    message.claimed_until = None
    message.last_error = ""
    db.session.commit()


def _failed(message: OutboxMessage, error: Exception) -> None:
    """Try again later, waiting longer after each failure (30 s, 1 min, 2 min … at most an hour)."""
    wait = min(FIRST_RETRY * 2 ** (message.attempts - 1), LONGEST_WAIT)
    # The server's answer can name the recipient: the log and the row keep only its kind and code.
    reason = f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip()
    message.next_attempt_at = utcnow() + wait
    message.claimed_until = None
    message.last_error = reason
    db.session.commit()
    current_app.logger.warning("message %s (%s) not sent, attempt %s: %s; next try in %s",
                               message.id, message.template, message.attempts, reason, wait)
