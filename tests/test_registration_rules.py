"""The rules of registration as plain functions: deadline, one per address, links, erasure, purge."""
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.events.models import Event
from app.extensions import db
from app.delegates import services as delegates
from app.registration import links, services
from app.registration.transliteration import is_latin, passport_suggestion, to_latin

UB = ZoneInfo("Asia/Ulaanbaatar")
OPEN = datetime(2017, 5, 1, 10, tzinfo=UB)


def data(**overrides):
    base = dict(given_name="Ana", family_name="García", email="ana@example.org", phone="+34612345678",
                country="ES", organisation="PSOE", language="en", days=["2017-05-25"])
    base.update(overrides)
    return base


@pytest.fixture
def ctx(app, event):
    with app.app_context():
        yield db.session.get(Event, event)


def test_register_stores_the_delegate(ctx):
    registration = services.register(ctx, data(email="Ana@Example.ORG"), OPEN)
    db.session.commit()
    assert registration.status == "pending"
    assert registration.email == "Ana@Example.ORG"
    assert registration.email_key == "ana@example.org"
    assert registration.privacy_consent_at == OPEN


def test_registration_closes_at_the_end_of_the_deadline_day_in_ulaanbaatar(ctx):
    services.register(ctx, data(email="a@example.org"), datetime(2017, 5, 8, 23, 59, 59, tzinfo=UB))
    with pytest.raises(services.RegistrationClosed):
        services.register(ctx, data(email="b@example.org"), datetime(2017, 5, 9, 0, 0, 1, tzinfo=UB))


def test_hosts_can_extend_the_deadline(ctx):
    after_the_deadline = datetime(2017, 5, 12, tzinfo=UB)
    with pytest.raises(services.RegistrationClosed):
        services.register(ctx, data(), after_the_deadline)
    ctx.registration_closes_on = date(2017, 5, 15)
    registration = services.register(ctx, data(), after_the_deadline)
    db.session.commit()
    assert registration.id is not None and services.find(ctx, "ana@example.org") is registration
    assert (registration.status, registration.created_at) == ("pending", after_the_deadline)


@pytest.mark.parametrize("again", ["ANA@example.org", " ana@example.org ", "ana@EXAMPLE.org"])
def test_one_registration_per_address(ctx, again):
    services.register(ctx, data(), OPEN)
    with pytest.raises(services.AlreadyRegistered):
        services.register(ctx, data(email=again.strip()), OPEN)


def test_addresses_compare_in_unicode_nfc(ctx):
    composed = unicodedata.normalize("NFC", "josé@example.org")
    decomposed = unicodedata.normalize("NFD", "JOSÉ@example.org")
    services.register(ctx, data(email=composed), OPEN)
    with pytest.raises(services.AlreadyRegistered):
        services.register(ctx, data(email=decomposed), OPEN)


def test_a_cancelled_registration_is_not_overwritten_by_a_new_form(ctx):
    first = services.register(ctx, data(), OPEN)
    delegates.cancel(first, OPEN)
    with pytest.raises(services.AlreadyRegistered):
        services.register(ctx, data(organisation="Someone else"), OPEN)
    assert first.organisation == "PSOE" and first.status == "cancelled"


def test_passport_data_is_kept_only_with_a_visa_letter(ctx):
    registration = services.register(ctx, data(visa_letter=False, passport_number="X1234567",
                                              date_of_birth=date(1980, 1, 2)), OPEN)
    assert registration.passport_number == "" and registration.date_of_birth is None


def test_links_are_bound_to_their_registration(ctx):
    registration = services.register(ctx, data(), OPEN)
    db.session.commit()
    token = links.link_token(registration)
    assert links.registration_from_link(token, 3600) is registration
    signature_at = token.rindex(".") + 1
    flipped = "B" if token[signature_at] == "A" else "A"  # a signature's first character carries six real bits
    for forged in (token[:signature_at] + flipped + token[signature_at + 1:], "x" + token, "", "a.b.c"):
        with pytest.raises(links.InvalidLink):
            links.registration_from_link(forged, 3600)
    with pytest.raises(links.InvalidLink):
        links.registration_from_link(token, -1)  # expired


def test_erasure_keeps_only_anonymous_counts_and_kills_links(ctx):
    registration = services.register(ctx, data(visa_letter=True, nationality="ES", passport_number="X1234567",
                                              date_of_birth=date(1980, 1, 2), passport_expiry=date(2030, 1, 1),
                                              dietary_needs="vegan"), OPEN)
    db.session.commit()
    token = links.link_token(registration)
    delegates.erase(registration, OPEN)
    db.session.commit()
    assert (registration.given_name, registration.family_name, registration.email, registration.phone) == ("", "", "", "")
    assert registration.passport_number == "" and registration.date_of_birth is None
    assert registration.dietary_needs == "" and registration.organisation == ""
    assert (registration.country, registration.days, registration.status) == ("ES", ["2017-05-25"], "cancelled")
    with pytest.raises(links.InvalidLink):
        links.registration_from_link(token, 3600)
    # The address is free again.
    services.register(ctx, data(), OPEN)


def test_passport_data_is_purged_a_set_time_after_the_event(ctx):
    registration = services.register(ctx, data(visa_letter=True, nationality="ES", passport_number="X1234567",
                                              date_of_birth=date(1980, 1, 2), passport_expiry=date(2030, 1, 1)), OPEN)
    soon = datetime(2017, 6, 1, tzinfo=UB)
    assert services.purge_passport_data(ctx, soon, days_after_event=30) == 0
    assert registration.passport_number == "X1234567"
    later = datetime(2017, 6, 26, tzinfo=UB)
    assert services.purge_passport_data(ctx, later, days_after_event=30) == 1
    assert registration.passport_number == "" and registration.passport_expiry is None
    assert registration.nationality == "" and registration.date_of_birth is None
    assert registration.passport_purged_at == later
    assert registration.given_name == "Ana"


def test_export_has_everything_the_delegate_gave(ctx):
    registration = services.register(ctx, data(dietary_needs="halal"), OPEN)
    exported = delegates.export(registration)
    assert exported["email"] == "ana@example.org" and exported["dietary_needs"] == "halal"
    assert exported["days"] == ["2017-05-25"] and exported["status"] == "pending"


@pytest.mark.parametrize("cyrillic, latin", [
    ("Батбаяр", "Batbayar"), ("Өлзий", "Ulzii"), ("Цэцэг", "Tsetseg"), ("Хүрэлсүх", "Khurelsukh"),
    ("Ганбаатар-Энх", "Ganbaatar-Enkh"), ("Оюунчимэг", "Oyuunchimeg"),
])
def test_mongolian_names_get_a_passport_spelling(cyrillic, latin):
    assert to_latin(cyrillic) == latin
    assert not is_latin(cyrillic) and is_latin(latin)


def test_accented_latin_names_need_no_passport_spelling():
    assert is_latin("José Ñúñez-Øberg")


def test_a_link_does_not_show_the_address(ctx):
    import base64

    registration = services.register(ctx, data(email="private.person@example.org"), OPEN)
    db.session.commit()
    payload = links.link_token(registration).split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"private.person" not in decoded


@pytest.mark.parametrize("own, suggested", [
    ("Батбаяр", "Batbayar"), ("Өлзий", "Ulzii"), ("Ana", None), ("", None), (None, None),
    ("王", None), ("김민준", None),  # scripts the table does not cover: the delegate types the spelling
])
def test_a_passport_spelling_is_suggested_only_where_the_table_knows_the_script(own, suggested):
    assert passport_suggestion(own) == suggested


def test_a_cancellation_can_be_undone_until_the_deadline_only(ctx):
    registration = services.register(ctx, data(), OPEN)
    assert not services.can_reinstate(registration, OPEN)  # nothing to undo
    delegates.cancel(registration, OPEN)
    assert services.can_reinstate(registration, OPEN)
    after = datetime(2017, 5, 9, 0, 0, 1, tzinfo=UB)
    assert not services.can_reinstate(registration, after)
    with pytest.raises(services.RegistrationClosed):
        services.reinstate(registration, after)
    services.reinstate(registration, OPEN)
    assert (registration.status, registration.cancelled_at) == ("pending", None)
    delegates.cancel(registration, OPEN)
    delegates.erase(registration, OPEN)
    assert not services.can_reinstate(registration, OPEN)  # erased is gone for good
    services.reinstate(registration, OPEN)
    assert registration.status == "cancelled"
