"""The outbox and its sender against a real SMTP server: every message once, none lost, even with
several senders at once or a sender killed in the middle of a message."""
import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from app.config import ROOT
from app.extensions import db
from app.mail import OutboxMessage
from app.mail.sender import send_due
from app.timestamps import utcnow
from tests.conftest import Inbox, csrf_token, free_port, register


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def queue_registrations(app, count: int) -> None:
    for number in range(count):
        assert register(app.test_client(), email=f"d{number}@example.org", phone=f"+34 600 000 {number:03d}").status_code == 303


def test_two_senders_at_once_deliver_each_message_once(app, open_registration, mailbox):
    queue_registrations(app, 12)
    start = threading.Barrier(2)
    sent = []

    def sender():
        start.wait()
        with app.app_context():
            sent.append(send_due())

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    received = mailbox.inbox.messages
    assert sum(sent) == 12 and len(received) == 12
    assert sorted(m["To"] for m in received) == sorted(f"d{n}@example.org" for n in range(12))
    assert all(message.sent_at and message.attempts == 1 for message in outbox(app))


class Stalling(Inbox):
    """An SMTP server that keeps the message but answers only when told (the sender dies meanwhile)."""

    def __init__(self):
        super().__init__()
        self.holding = threading.Event()
        self.answer = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        self.holding.set()
        while not self.answer.is_set():
            await asyncio.sleep(0.05)
        return "250 OK"


def test_a_sender_killed_in_the_middle_of_a_message_loses_nothing(app, open_registration):
    register(app.test_client())
    server = Stalling()
    port = free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    env = dict(os.environ, FLASK_APP="wsgi.py", PORTAL_ENV="testing", SECRET_KEY=app.config["SECRET_KEY"],
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port))
    sender = subprocess.Popen([Path(sys.executable).parent / "flask", "portal", "send-mail", "--once"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert server.holding.wait(30), "the sender never reached the mail server"
        sender.send_signal(signal.SIGKILL)  # after the server took the message, before the outbox knew
        sender.wait(10)
    finally:
        server.answer.set()
        if sender.poll() is None:
            sender.kill()
    [waiting] = outbox(app)
    assert waiting.sent_at is None and waiting.claimed_until is not None  # claimed by the dead sender
    with app.app_context():
        assert send_due() == 0  # nobody else takes it while the claim lasts
        db.session.execute(update(OutboxMessage).values(claimed_until=utcnow()))  # the claim runs out
        db.session.commit()
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        assert send_due() == 1
    controller.stop()
    first, again = server.messages
    assert first["Message-ID"] == again["Message-ID"]  # a receiving server can drop the copy
    [delivered] = outbox(app)
    assert delivered.sent_at is not None and delivered.attempts == 2
    with app.app_context():
        time.sleep(0.01)
        assert send_due() == 0  # and it is never sent a third time


def test_a_sender_stopped_in_the_middle_of_a_message_records_it_and_ends(app, open_registration):
    """SIGTERM (systemctl stop or restart) while the mail server holds a message: the sender waits
    for its answer, records the message as sent, and ends without taking another."""
    register(app.test_client())
    register(app.test_client(), email="bo@example.org", phone="+34 600 000 002")
    server = Stalling()
    port = free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    env = dict(os.environ, FLASK_APP="wsgi.py", PORTAL_ENV="testing", SECRET_KEY=app.config["SECRET_KEY"],
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port))
    sender = subprocess.Popen([Path(sys.executable).parent / "flask", "portal", "send-mail"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert server.holding.wait(30), "the sender never reached the mail server"
        sender.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert sender.poll() is None  # still waiting for the server's answer
        server.answer.set()
        assert sender.wait(10) == 0
    finally:
        server.answer.set()
        if sender.poll() is None:
            sender.kill()
    controller.stop()
    sent, waiting = sorted(outbox(app), key=lambda m: m.sent_at is None)
    assert len(server.messages) == 1 and sent.sent_at is not None and sent.attempts == 1
    assert waiting.sent_at is None and waiting.attempts == 0 and waiting.claimed_until is None  # left for the next start


def test_sent_messages_are_forgotten_after_a_while_and_an_erased_delegates_at_once(app, open_registration, mailbox):
    from datetime import timedelta

    from app.mail.sender import forget_sent

    register(app.test_client(), email="old@example.org")
    register(app.test_client(), email="new@example.org", phone="+34 600 000 002")
    assert len(mailbox.messages) == 2
    with app.app_context():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.recipient_key == "old@example.org")
                           .values(sent_at=utcnow() - timedelta(days=31)))
        db.session.commit()
        assert forget_sent() == 1
    assert [m.recipient for m in outbox(app)] == ["new@example.org"]
    client = app.test_client()
    register(client, email="leaving@example.org", phone="+34 600 000 003")  # queued, not sent yet
    token = csrf_token(client.get("/en/me/delete").get_data(as_text=True))
    client.post("/en/me/delete", data={"csrf_token": token})
    assert [m.recipient for m in outbox(app)] == ["new@example.org"]
