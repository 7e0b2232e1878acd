"""Sending email: over SMTP when MAIL_SERVER is set, else into instance/outbox/ as .eml files."""
import smtplib
import uuid
from email.message import EmailMessage
from email.headerregistry import Address
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale


def render_message(template: str, language: str, **context) -> tuple[str, str, str]:
    """Subject, plain text and HTML of `email/TEMPLATE.{txt,html}` in the recipient's language."""
    with force_locale(language):
        text = render_template(f"email/{template}.txt", lang=language, **context)
        html = render_template(f"email/{template}.html", lang=language, **context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n"), html


def send(to: str, template: str, language: str, headers: dict | None = None, **context) -> EmailMessage:
    """Render a message in the recipient's language and send it."""
    subject, text, html = render_message(template, language, **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender(context.get("event"), language)
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="portal.local")
    message["Content-Language"] = language
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    deliver(message)
    return message


def sender(event, language: str) -> Address:
    """MAIL_DEFAULT_SENDER's address, named after the event in the recipient's language."""
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    if event is not None:
        name = event.name.get(language, event.main_language).text
    # An Address lets the email policy encode a Cyrillic name correctly (formataddr splits words).
    return Address(display_name=name, addr_spec=address)


class MailNotSent(RuntimeError):
    """The mail server did not take the message."""


def deliver(message: EmailMessage) -> None:
    """Hand the message to the mail server (or the outbox folder)."""
    try:
        _deliver(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.error("mail to %s not sent: %s", message["To"], error)
        raise MailNotSent(str(error)) from error


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        outbox = Path(config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
