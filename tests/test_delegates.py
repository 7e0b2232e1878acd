"""Rules that used to be decided in views, now plain functions: who may edit or cancel, the
passport details kept on edit, who may be emailed a link, the newsletter box, the cards a join
re-renders, and mail queued with the change that causes it."""
from datetime import date, datetime
from email import message_from_bytes
from email.policy import default
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.delegates import services as delegates
from app.events.models import Event
from app.extensions import db
from app.i18n import I18nText
from app.mail import OutboxMessage
from app.newsletter.models import Subscriber
from app.program import services as program
from app.program.models import Session
from app.registration import links, services as registration

UB = ZoneInfo("Asia/Ulaanbaatar")
OPEN = datetime(2017, 5, 1, 10, tzinfo=UB)
CLOSED = datetime(2017, 5, 9, 0, 0, 1, tzinfo=UB)


@pytest.fixture
def conference(app):
    """An event of its own, with no sessions, inside an app context."""
    with app.app_context(), app.test_request_context():
        event = Event(slug="test-event", main_language="en", name=I18nText({"en": "Test", "mn": "Туршилт"}),
                      theme=I18nText({"en": "T"}), city=I18nText({"en": "Ulaanbaatar"}),
                      hosted_by=I18nText({"en": "Hosts"}), starts_on=date(2017, 5, 25), ends_on=date(2017, 5, 26),
                      timezone="Asia/Ulaanbaatar", registration_closes_on=date(2017, 5, 8),
                      contact_email="hosts@example.org")
        db.session.add(event)
        db.session.flush()
        yield event


def delegate(event, name="ana", **fields):
    data = dict(given_name=name, family_name="X", email=f"{name}@example.org", phone="+34612345678",
                country="ES", organisation="P", language="en", days=["2017-05-25"])
    data.update(fields)
    return registration.register(event, data, OPEN)


def breakout(event, slug, start, end, signup="open", capacity=10) -> Session:
    day = date(2017, 5, 25)
    found = Session(event_id=event.id, slug=slug, kind="breakout", title=I18nText({"en": slug}),
                    description=I18nText({}), speakers=I18nText({}), capacity=capacity, signup=signup,
                    starts_at=datetime.combine(day, start, tzinfo=UB), ends_at=datetime.combine(day, end, tzinfo=UB))
    db.session.add(found)
    db.session.flush()
    return found


def outbox(template=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        query = query.filter_by(template=template)
    return list(db.session.scalars(query))


def test_a_registration_is_edited_until_the_deadline_while_it_is_active(conference):
    ana = delegate(conference)
    assert registration.may_edit(conference, ana, OPEN)
    assert not registration.may_edit(conference, ana, CLOSED)
    delegates.cancel(ana, OPEN)
    assert not registration.may_edit(conference, ana, OPEN)
    with pytest.raises(registration.RegistrationClosed):  # a cancelled registration is not changed
        registration.update(ana, {"given_name": "Changed"}, OPEN)
    assert ana.given_name == "ana"


def test_only_an_active_registration_is_cancelled(conference):
    ana = delegate(conference)
    assert registration.may_cancel(ana)
    delegates.cancel(ana, OPEN)
    first = ana.cancelled_at
    assert (ana.status, registration.may_cancel(ana)) == ("cancelled", False)
    later = datetime(2017, 5, 2, tzinfo=UB)
    assert delegates.cancel(ana, later) == [] and ana.cancelled_at == first  # a second cancel changes nothing


def test_passport_details_on_file_stay_when_the_edit_form_leaves_them_empty(conference):
    ana = delegate(conference, visa_letter=True, nationality="ES", passport_number="X1234567",
                   date_of_birth=date(1980, 1, 2), passport_expiry=date(2030, 1, 1))
    empty = dict(visa_letter=True, nationality="", passport_number="", date_of_birth=None, passport_expiry=None)
    registration.update(ana, empty, OPEN)
    assert (ana.nationality, ana.passport_number, ana.date_of_birth) == ("ES", "X1234567", date(1980, 1, 2))
    registration.update(ana, dict(empty, passport_number="Y7654321"), OPEN)
    assert ana.passport_number == "Y7654321" and ana.nationality == "ES"
    registration.update(ana, dict(empty, visa_letter=False), OPEN)  # no letter: no passport data kept
    assert not ana.has_passport_data


def test_who_may_be_emailed_a_link(conference):
    ana = delegate(conference)
    assert links.may_email_link(ana)
    delegates.erase(ana, OPEN)
    assert not links.may_email_link(ana)
    before = len(outbox("registration_link"))
    registration.request_link(conference, "ana@example.org")
    assert len(outbox("registration_link")) == before  # an erased address gets nothing


def test_the_newsletter_box_on_register_and_edit(conference):
    ana = delegates.register(conference, dict(given_name="Ana", family_name="X", email="ana@example.org",
                                              phone="+34612345678", country="ES", organisation="P", language="mn",
                                              days=["2017-05-25"], newsletter=True), OPEN)
    subscriber = db.session.scalar(select(Subscriber))
    assert (subscriber.status, subscriber.language) == ("pending", "mn")
    assert [m.template for m in outbox()] == ["registration_received", "newsletter_confirm"]
    assert delegates.is_subscribed(ana)
    delegates.update(ana, {"newsletter": False}, OPEN)
    assert subscriber.status == "unsubscribed" and not delegates.is_subscribed(ana)
    delegates.update(ana, {"newsletter": True}, OPEN)
    assert subscriber.status == "pending" and len(outbox("newsletter_confirm")) == 2  # asked to confirm again
    bo = delegates.register(conference, dict(given_name="Bo", family_name="X", email="bo@example.org",
                                             phone="+34612345679", country="ES", organisation="P", language="en",
                                             days=["2017-05-25"]), OPEN)
    assert not delegates.is_subscribed(bo)


def test_a_join_rerenders_the_open_sessions_at_the_same_time(conference):
    from datetime import time

    here = breakout(conference, "here", time(10), time(11))
    beside = breakout(conference, "beside", time(10, 30), time(11, 30))
    later = breakout(conference, "later", time(11), time(12))
    breakout(conference, "closed", time(10), time(11), signup="closed")
    assert [s.slug for s in program.neighbours(here, program.sessions(conference))] == ["beside"]
    assert later not in program.neighbours(here, program.sessions(conference))
    assert [s.slug for s in program.neighbours(beside, program.sessions(conference))] == ["here", "later"]


def test_an_email_is_stored_with_the_change_that_causes_it(conference):
    db.session.commit()
    delegate(conference)
    assert [m.template for m in outbox()] == ["registration_received"]
    db.session.rollback()  # the registration is not stored: neither is its email
    assert outbox() == [] and registration.find(conference, "ana@example.org") is None


def test_a_promotion_is_emailed_with_the_seat_given_up_for_it(conference):
    from datetime import time

    first = breakout(conference, "first", time(10), time(11), capacity=1)
    other = breakout(conference, "the-seat-given-up", time(10), time(11))
    ana, bo = delegate(conference, "ana"), delegate(conference, "bo")
    program.join(ana, first)
    program.join(bo, other)
    program.join(bo, first, want="waitlist")
    promoted = program.leave(ana, first)
    assert [(p.registration_id, [s.slug for s in p.gave_up]) for p in promoted] == [(bo.id, ["the-seat-given-up"])]
    emails = outbox("seat_promoted")
    assert [m.recipient for m in emails] == ["bo@example.org"]
    text = message_from_bytes(emails[0].raw, policy=default).get_body(("plain",)).get_content()
    assert "the-seat-given-up" in text
