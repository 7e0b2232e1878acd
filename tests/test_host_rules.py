"""The console's rules as plain functions: passwords, throttling, idle sign-out, roles; and the
account services that apply them."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.hosts import audit, rules, services
from app.hosts.models import AuditEntry, Host, LoginFailure
from tests.conftest import HOST_PASSWORD, build_host

NOW = datetime(2017, 5, 1, 2, 0, tzinfo=timezone.utc)


def minutes_ago(*minutes):
    return [NOW - timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize("password", [
    "", "short", "elevenchars",  # under 12 characters
    "password1234", "Password2017!", "!!qwertyuiop!!", "123456789012", "administrator",  # common, or common at heart
    "aaaaaaaaaaaaaaaa", "abababababababab",  # too few different characters
    "dorj.bat@example.org", "my dorj.bat password",  # the address itself, or its name part
    "tab\there password", "nul\x00inside password", "bidi\u202eoverride password",  # control characters
    "x" * 257,
])
def test_weak_passwords_are_refused(app, password):
    with app.test_request_context():
        assert rules.password_problem(password, "dorj.bat@example.org") is not None


@pytest.mark.parametrize("password", [HOST_PASSWORD, "Хөх тэнгэрийн доор 2017", "correct horse battery staple", "x9$Lm2#qP7!z"])
def test_long_uncommon_passwords_are_accepted(password):
    assert rules.password_problem(password, "dorj.bat@example.org") is None


def test_the_reason_is_told_in_the_readers_language(app):
    with app.test_request_context("/mn/"):
        app.preprocess_request()
        assert "12" in str(rules.password_problem("short", ""))
        assert "тэмдэгт" in str(rules.password_problem("short", ""))


def test_four_failures_do_not_lock():
    assert rules.locked_until(minutes_ago(1, 2, 3, 4), NOW) is None


def test_five_failures_within_15_minutes_lock_for_15_minutes_after_the_last():
    assert rules.locked_until(minutes_ago(1, 3, 5, 8, 14), NOW) == NOW + timedelta(minutes=14)
    assert rules.locked_until(minutes_ago(0, 0, 0, 0, 0), NOW) == NOW + timedelta(minutes=15)


def test_failures_spread_over_more_than_15_minutes_do_not_lock():
    assert rules.locked_until(minutes_ago(1, 5, 10, 15, 20), NOW) is None


def test_a_lock_ends_15_minutes_after_the_last_failure():
    assert rules.locked_until(minutes_ago(16, 17, 18, 19, 20), NOW) is None
    assert rules.locked_until(minutes_ago(14, 17, 18, 19, 20), NOW) == NOW + timedelta(minutes=1)


def test_a_console_left_alone_8_hours_is_idle():
    assert not rules.is_idle((NOW - timedelta(hours=7, minutes=59)).timestamp(), NOW)
    assert rules.is_idle((NOW - timedelta(hours=8, minutes=1)).timestamp(), NOW)
    assert rules.is_idle(None, NOW)
    assert rules.is_idle("yesterday", NOW)


def test_coordinators_may_do_everything_and_hosts_all_but_accounts_audit_and_editing():
    for permission in ("console", "registrations", "accounts", "audit", "edit"):
        assert rules.may("coordinator", permission)
    assert rules.may("host", "console") and rules.may("host", "registrations")
    assert not any(rules.may("host", p) for p in ("accounts", "audit", "edit"))
    assert not rules.may("delegate", "console") and not rules.may("", "console")


def test_a_new_account_keeps_only_a_scrypt_hash_and_is_audited(app):
    with app.test_request_context():
        host = build_host("Dorj@Example.org", "host")
        assert host.password_hash.startswith("scrypt:") and HOST_PASSWORD not in host.password_hash
        assert host.email_key == "dorj@example.org" and host.active
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.object_id, entry.host_id) == ("host.created", host.id, None)
        assert entry.after == {"email": "Dorj@Example.org", "role": "host", "active": True}
        with pytest.raises(services.AlreadyAHost):
            build_host("dorj@example.ORG", "coordinator")
        with pytest.raises(services.WeakPassword):
            build_host("new@example.org", "host", password="password1234")


def test_changing_an_account_ends_its_cookies_and_is_audited(app):
    with app.test_request_context():
        coordinator, host = build_host(), build_host("dorj@example.org", "host")
        cookie = host.get_id()
        assert services.host_for_cookie(cookie) is host
        assert services.change_host(coordinator, host, "coordinator", True)
        assert services.host_for_cookie(cookie) is None
        assert services.host_for_cookie(host.get_id()) is host
        assert not services.change_host(coordinator, host, "coordinator", True)  # nothing to change
        services.change_host(coordinator, host, "coordinator", False)
        assert services.host_for_cookie(host.get_id()) is None  # disabled
        with pytest.raises(services.OwnAccount):
            services.change_host(coordinator, coordinator, "host", True)
        changes = [(e.action, e.before, e.after) for e in audit.entries(host_id=coordinator.id)[0]]
        assert changes == [
            ("host.disabled", {"email": "dorj@example.org", "role": "coordinator", "active": True},
             {"email": "dorj@example.org", "role": "coordinator", "active": False}),
            ("host.role_changed", {"email": "dorj@example.org", "role": "host", "active": True},
             {"email": "dorj@example.org", "role": "coordinator", "active": True}),
        ]


@pytest.mark.parametrize("value", [None, "", "1", "1:", ":x", "x:y", "1:2:3", "9" * 40 + ":x", 1])
def test_a_garbled_cookie_names_nobody(app, value):
    with app.test_request_context():
        build_host()
        assert services.host_for_cookie(value) is None


def test_unknown_addresses_and_wrong_passwords_are_refused_and_counted_alike(app):
    with app.test_request_context():
        build_host()
        with pytest.raises(services.WrongCredentials):
            services.authenticate("coordinator@example.org", "wrong password here", "10.0.0.1", NOW)
        with pytest.raises(services.WrongCredentials):
            services.authenticate("nobody@example.org", HOST_PASSWORD, "10.0.0.2", NOW)
        keys = db.session.scalars(select(LoginFailure.key)).all()
        assert len(keys) == 4  # one for the account and one for the client, each time
        assert not any("example.org" in key or "10.0.0" in key for key in keys)


def test_five_failures_lock_even_the_right_password_and_success_clears_the_account(app):
    with app.test_request_context():
        build_host()
        for client in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
            with pytest.raises(services.WrongCredentials):
                services.authenticate("coordinator@example.org", "wrong password here", client, NOW)
        assert services.authenticate("coordinator@example.org", HOST_PASSWORD, "10.0.0.5", NOW).last_sign_in_at == NOW
        for client in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
            with pytest.raises(services.WrongCredentials):
                services.authenticate("coordinator@example.org", "wrong password here", client, NOW)
        with pytest.raises(services.Throttled) as throttled:
            services.authenticate("coordinator@example.org", HOST_PASSWORD, "10.0.0.9", NOW)
        assert throttled.value.until == NOW + rules.LOCK
        later = NOW + rules.LOCK + timedelta(seconds=1)
        assert isinstance(services.authenticate("coordinator@example.org", HOST_PASSWORD, "10.0.0.9", later), Host)


def test_a_disabled_account_does_not_sign_in(app):
    with app.test_request_context():
        build_host(active=False)
        with pytest.raises(services.WrongCredentials):
            services.authenticate("coordinator@example.org", HOST_PASSWORD, "10.0.0.1", NOW)


# Hosts' decisions on a registration

@pytest.mark.parametrize("decision, status, after", [
    ("confirm", "pending", "confirmed"), ("confirm", "declined", "confirmed"), ("confirm", "confirmed", None),
    ("decline", "pending", "declined"), ("decline", "confirmed", "declined"), ("decline", "declined", None),
])
def test_a_decision_leads_to_its_status_once(decision, status, after):
    assert rules.status_after(decision, status) == after


@pytest.mark.parametrize("decision", ["confirm", "decline"])
def test_a_cancelled_or_erased_registration_is_neither_confirmed_nor_declined(decision):
    with pytest.raises(rules.DecisionRefused):
        rules.status_after(decision, "cancelled")
    for status in ("pending", "confirmed", "declined"):
        with pytest.raises(rules.DecisionRefused):
            rules.status_after(decision, status, erased=True)


def test_an_unknown_decision_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.status_after("approve", "pending")


def test_only_coordinators_export_passport_details():
    assert rules.may("coordinator", "passports") and not rules.may("host", "passports")


@pytest.mark.parametrize("status, erased, offered", [
    ("pending", False, ["confirm", "decline"]), ("confirmed", False, ["decline"]), ("declined", False, ["confirm"]),
    ("cancelled", False, []), ("pending", True, []),
])
def test_the_buttons_offer_the_decisions_the_rules_allow(status, erased, offered):
    assert rules.decisions_open(status, erased) == offered
    for decision in offered:  # each offered one is taken, not refused
        assert rules.status_after(decision, status, erased) is not None
