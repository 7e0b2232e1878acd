"""Composing a message in the recipient's language and queueing it in the outbox."""
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from limits import parse_many
from sqlalchemy import delete, func, select

from ..email_address import canonical_email
from ..extensions import db
from ..timestamps import utcnow
from .models import OutboxMessage


def render_message(template: str, language: str, **context) -> tuple[str, str, str]:
    """Subject, plain text and HTML of `email/TEMPLATE.{txt,html}` in the recipient's language."""
    with force_locale(language):
        text = render_template(f"email/{template}.txt", lang=language, **context)
        html = render_template(f"email/{template}.html", lang=language, **context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n"), html


def queue(to: str, template: str, language: str, headers: dict | None = None, **context) -> OutboxMessage:
    """Compose a message in the recipient's language and add it to the outbox.

    It is stored with the caller's transaction: the change that causes a message and the
    message are committed together, and the sender delivers it afterwards."""
    subject, text, html = render_message(template, language, **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender(context.get("event"), language)
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender_domain())
    message["Content-Language"] = language
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    queued = OutboxMessage(recipient=to, recipient_key=canonical_email(to), message_id=message["Message-ID"],
                           template=template, raw=bytes(message))
    db.session.add(queued)
    return queued


def link(endpoint: str, **values) -> str:
    """An absolute link for an email, on PORTAL_URL when it is set (production), else on the
    host of the request being answered (development, tests), else on http://127.0.0.1:5000."""
    base = current_app.config["PORTAL_URL"] or (request.host_url if has_request_context() else "http://127.0.0.1:5000/")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, {name: value for name, value in values.items() if value is not None},
                         force_external=True)


def sender_domain() -> str:
    """The domain of MAIL_DEFAULT_SENDER: Message-IDs are made there."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "portal.local"


def sender(event, language: str) -> Address:
    """MAIL_DEFAULT_SENDER's address, named after the event in the recipient's language."""
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    if event is not None:
        name = event.name.get(language, event.main_language).text
    # An Address lets the email policy encode a Cyrillic name correctly (formataddr splits words).
    return Address(display_name=name, addr_spec=address)


def within_limits(limits: str, recipient: str, templates: tuple[str, ...]) -> bool:
    """Whether fewer of these messages than each limit ("3/hour;10/day") went to `recipient` in
    its window. The caller holds a lock on the row the address belongs to, so that two requests
    at once cannot both take the last place."""
    return all(sent_recently(recipient, templates, item.get_expiry()) < item.amount for item in parse_many(limits))


def sent_recently(recipient: str, templates: tuple[str, ...], seconds: int) -> int:
    """How many of these messages were queued for this address in the last `seconds`
    (per-address caps: the caller holds a lock on the row the address belongs to)."""
    since = utcnow() - timedelta(seconds=seconds)
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient_key == canonical_email(recipient), OutboxMessage.template.in_(templates),
            OutboxMessage.created_at >= since)
    )


def forget(recipient: str) -> None:
    """Delete every message to this address, sent or not (the person erased their data)."""
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient_key == canonical_email(recipient)))
