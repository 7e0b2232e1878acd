"""`flask portal …` for the event's data and `flask translate …` for the catalogs."""
import os
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import backup, clock
from .config import ROOT
from .email_address import InvalidEmail, checked_email
from .events.services import current_event
from .extensions import db
from .hosts import services as hosts
from .mail import sender
from .program.content import load_demo
from .registration.demo import load_demo_delegates
from .registration.housekeeping import purge_passports_due
from .registration.services import handle_link_requests, purge_passport_data
from .timestamps import utcnow

portal_cli = AppGroup("portal", help="The event's data.")
translate_cli = AppGroup("translate", help="The message catalogs (pybabel).")

BABEL_CFG = ROOT / "babel.cfg"
POT = ROOT / "translations" / "messages.pot"
TRANSLATIONS = ROOT / "translations"
# Fictional delegates for a demo of the console (`load-demo --with-delegates`, as `make run` does).
DEMO_DELEGATES = ROOT / "content" / "demo-delegates.toml"


@portal_cli.command("load-demo")
@click.option("--with-delegates", is_flag=True,
              help=f"Also add the fictional delegates of {DEMO_DELEGATES.relative_to(ROOT)} (a demo only, never a real event).")
def load_demo_command(with_delegates):
    """Load the demo event into an empty database (a database with an event is left alone)."""
    event = load_demo(current_app.config["DEMO_CONTENT"])
    added = load_demo_delegates(event, DEMO_DELEGATES, clock.now()) if event is not None and with_delegates else 0
    db.session.commit()
    if event is None:
        click.echo("The database already holds an event: nothing loaded.")
    else:
        click.echo(f"Loaded the demo event {event.slug!r}" + (f" and {added} fictional delegates." if added else "."))


@portal_cli.command("set-deadline")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
def set_deadline_command(day):
    """Move the registration deadline: registration closes at the end of DAY (YYYY-MM-DD) in the event's time zone."""
    event = current_event()
    before = event.registration_closes_on
    event.registration_closes_on = day.date()
    db.session.commit()
    click.echo(f"Registration now closes at {event.registration_closes_at.isoformat()} (it was {before.isoformat()}).")


@portal_cli.command("create-host")
@click.argument("email")
@click.option("--role", type=click.Choice(["coordinator", "host"]), required=True,
              help="coordinator: everything, accounts included; host: everything but accounts, the audit log and editing.")
def create_host_command(email, role):
    """Add an account to the hosts' console. The password is asked twice, or read from PORTAL_HOST_PASSWORD."""
    password = os.environ.get("PORTAL_HOST_PASSWORD") or click.prompt(
        "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
    try:
        host = hosts.create_host(checked_email(email), role, password, None, utcnow())
    except InvalidEmail:
        raise click.ClickException(f"{email!r} is not a valid email address.") from None
    except hosts.WeakPassword as weak:
        raise click.ClickException(str(weak.reason)) from None
    except hosts.AlreadyAHost:
        raise click.ClickException(f"{email} already has an account.") from None
    db.session.commit()
    click.echo(f"Added {host.email} as {role}.")


@portal_cli.command("purge-passports")
def purge_passports_command():
    """Delete passport data PASSPORT_PURGE_DAYS days after the event (run it daily)."""
    count = purge_passport_data(current_event(), clock.now(), current_app.config["PASSPORT_PURGE_DAYS"])
    db.session.commit()
    click.echo(f"Passport data deleted from {count} registrations.")


@portal_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path):
    """Write a consistent copy of the database to PATH, while the portal runs."""
    _or_fail(backup.backup, path)
    click.echo(f"Backed up to {path}.")


@portal_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path):
    """Load a copy made by `flask portal backup` into an empty database."""
    _or_fail(backup.restore, path)
    click.echo(f"Restored from {path}.")


def _or_fail(action, path) -> None:
    try:
        action(path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error


@portal_cli.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
def send_mail_command(once, interval):
    """Deliver the outbox: every queued email, with retries (run one beside the web server).
    It also does the portal's timed chores, once an hour (see hourly_chores)."""
    sender.run(deliver_mail, hourly_chores, interval=interval, once=once)


def hourly_chores() -> None:
    """Forget mail sent long ago; delete passport data PASSPORT_PURGE_DAYS after the event."""
    sender.forget_sent()
    purge_passports_due()


def deliver_mail() -> int:
    """Compose the emails asked for outside any request (new links), then send what is due."""
    handle_link_requests()
    return sender.send_due()


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate_cli.command("extract")
def extract():
    """Collect the messages from code and templates into messages.pot."""
    _pybabel("extract", "-F", str(BABEL_CFG), "-k", "_l", "-k", "lazy_ngettext:1,2", "--no-location", "--sort-output",
             "-o", str(POT), "app")


@translate_cli.command("update")
def update():
    """Extract, then merge the new messages into every catalog."""
    extract.callback()
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")


@translate_cli.command("init")
@click.argument("lang")
def init(lang):
    """Start a catalog for a new language."""
    extract.callback()
    _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)


@translate_cli.command("compile")
def compile_catalogs():
    """Build the .mo files the portal reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")
