"""The sign-up rules as plain functions: capacity, overlaps, waitlists, invitations, cancellation.

Every test builds the sessions it needs (make_session: an open breakout with 2 seats at 14:00 on
25 May unless told otherwise, so sessions built without times run in parallel)."""
import pytest
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.program import services
from app.program.models import Seat, Session
from app.delegates import services as delegates
from app.registration.models import Registration
from tests.conftest import OPEN, assert_every_rule_holds, at


@pytest.fixture
def ctx(app, event):
    """The event, inside an app context that the factories below use too."""
    with app.app_context():
        yield db.session.get(Event, event)


def seats(s: Session, status: str) -> list[str]:
    rows = db.session.scalars(select(Seat).filter_by(session_id=s.id, status=status).order_by(Seat.created_at, Seat.id))
    return [db.session.get(Registration, r.registration_id).given_name for r in rows]


LATER = at("2017-05-26 09:00")  # another day: no overlap with the default 14:00 on 25 May


def test_a_seat_is_taken_and_counted(ctx, make_session, make_delegate):
    s = make_session(capacity=2)
    seat, promoted = services.join(make_delegate(), s)
    assert seat.status == "seated" and promoted == []
    assert (s.seats_taken, s.seats_left, s.is_full) == (1, 1, False)


def test_capacity_is_never_exceeded_and_the_rest_wait_in_order(ctx, make_session, make_delegate):
    s = make_session(capacity=2)
    for name in ("ana", "bo", "cy", "di"):
        services.join(make_delegate(name), s)
    assert seats(s, "seated") == ["ana", "bo"]
    assert seats(s, "waiting") == ["cy", "di"]
    assert (s.seats_taken, s.waitlist_length) == (2, 2)


def test_asking_for_a_seat_in_a_full_session_changes_nothing(ctx, make_session, make_delegate):
    s = make_session(capacity=1)
    services.join(make_delegate("ana"), s)
    with pytest.raises(services.SessionFull):
        services.join(make_delegate("bo"), s, want="seat")
    assert s.waitlist_length == 0


def test_a_double_tap_is_one_seat(ctx, make_session, make_delegate):
    s = make_session(capacity=2)
    ana = make_delegate()
    first, _ = services.join(ana, s)
    again, _ = services.join(ana, s)
    assert first.id == again.id and s.seats_taken == 1


def test_a_freed_seat_goes_to_the_first_in_line(ctx, make_session, make_delegate):
    s = make_session(capacity=1)
    ana, bo, cy = make_delegate("ana"), make_delegate("bo"), make_delegate("cy")
    for d in (ana, bo, cy):
        services.join(d, s)
    promoted = services.leave(ana, s)
    assert [p.registration_id for p in promoted] == [bo.id]
    assert seats(s, "seated") == ["bo"] and seats(s, "waiting") == ["cy"]
    assert (s.seats_taken, s.waitlist_length) == (1, 1)


def test_leaving_the_waitlist_promotes_no_one(ctx, make_session, make_delegate):
    s = make_session(capacity=1)
    ana, bo = make_delegate("ana"), make_delegate("bo")
    services.join(ana, s)
    services.join(bo, s)
    assert services.leave(bo, s) == []
    assert (s.seats_taken, s.waitlist_length) == (1, 0)


def test_leaving_without_a_place_is_refused(ctx, make_session, make_delegate):
    with pytest.raises(services.NoPlace):
        services.leave(make_delegate(), make_session())


def test_one_seat_among_overlapping_sessions_and_switching(ctx, make_session, make_delegate):
    a, b = make_session(capacity=1), make_session(capacity=2)  # at the same time
    ana = make_delegate("ana")
    services.join(ana, a)
    cy = make_delegate("cy")
    services.join(cy, a)  # cy waits for a
    with pytest.raises(services.TimeConflict) as conflict:
        services.join(ana, b)
    assert conflict.value.other.slug == a.slug
    assert services.availability(b, ana, services.places(ana)) == "conflict"
    assert services.clash(b, services.places(ana)).session_id == a.id
    _, promoted = services.join(ana, b, want="seat", switch=True)
    assert {k: v.status for k, v in services.places(ana).items()} == {b.id: "seated"}
    assert seats(a, "seated") == ["cy"] and [p.registration_id for p in promoted] == [cy.id]


def test_switching_to_a_session_that_filled_meanwhile_changes_nothing(ctx, make_session, make_delegate):
    a, b = make_session(capacity=2), make_session(capacity=1)
    ana = make_delegate("ana")
    services.join(ana, a)
    services.join(make_delegate("bo"), b)  # b filled after ana's page offered the switch
    with pytest.raises(services.SessionFull):
        services.join(ana, b, want="seat", switch=True)
    assert {k: v.status for k, v in services.places(ana).items()} == {a.id: "seated"}


def test_waiting_for_a_full_session_keeps_the_seat_at_the_same_time_until_promoted(ctx, make_session, make_delegate):
    a, b = make_session(capacity=1), make_session(capacity=1)
    bo = make_delegate("bo")
    services.join(bo, b)
    ana = make_delegate("ana")
    services.join(ana, a)
    di = make_delegate("di")
    services.join(di, a)  # di waits for ana's seat in a
    assert services.availability(b, ana, services.places(ana)) == "full"
    assert services.clash(b, services.places(ana)).session_id == a.id  # the seat ana keeps
    place, promoted = services.join(ana, b)
    assert place.status == "waiting" and promoted == []
    assert {k: v.status for k, v in services.places(ana).items()} == {a.id: "seated", b.id: "waiting"}
    promoted = services.leave(bo, b)
    # ana moves into b and gives up a, which goes to di: one seat each, in one transaction.
    assert [(p.registration_id, p.session_id) for p in promoted] == [(ana.id, b.id), (di.id, a.id)]
    assert [s.slug for s in promoted[0].gave_up] == [a.slug]
    assert {k: v.status for k, v in services.places(ana).items()} == {b.id: "seated"}
    assert seats(a, "seated") == ["di"] and seats(b, "seated") == ["ana"]
    assert (a.seats_taken, a.waitlist_length, b.seats_taken, b.waitlist_length) == (1, 0, 1, 0)


def test_one_waitlist_place_among_overlapping_sessions(ctx, make_session, make_delegate):
    a, b = make_session(capacity=1), make_session(capacity=1)
    services.join(make_delegate("bo"), a)
    services.join(make_delegate("cy"), b)
    ana = make_delegate("ana")
    services.join(ana, a)  # waits for a
    with pytest.raises(services.WaitlistConflict) as conflict:
        services.join(ana, b)
    assert conflict.value.other.slug == a.slug
    place, _ = services.join(ana, b, want="waitlist", switch=True)
    assert place.status == "waiting"
    assert {k: v.status for k, v in services.places(ana).items()} == {b.id: "waiting"}
    assert (a.waitlist_length, b.waitlist_length) == (0, 1)


def test_switching_waitlists_keeps_the_seat_and_leaves_the_old_line(ctx, make_session, make_delegate):
    a, b, c = make_session(capacity=1), make_session(capacity=1), make_session(capacity=2)
    bo = make_delegate("bo")
    services.join(bo, a)
    ana = make_delegate("ana")
    services.join(ana, a)  # waits for a ...
    services.join(ana, c)  # ... and takes a seat in c meanwhile, at the same time
    services.join(make_delegate("cy"), b)
    services.join(ana, b, want="waitlist", switch=True)  # now waits for b instead of a
    assert {k: v.status for k, v in services.places(ana).items()} == {b.id: "waiting", c.id: "seated"}
    services.leave(bo, a)  # ana no longer waits for a: nobody is promoted into it
    assert a.seats_taken == 0 and c.seats_taken == 1


def test_sessions_at_other_times_do_not_conflict(ctx, make_session, make_delegate):
    ana = make_delegate()
    services.join(ana, make_session())
    services.join(ana, make_session(starts_at=LATER))
    assert len(services.places(ana)) == 2


def test_plenaries_and_invitation_only_meetings_take_no_sign_ups(ctx, make_session, make_delegate):
    plenary, meeting = make_session(kind="plenary"), make_session(kind="meeting", starts_at=LATER)
    assert (plenary.signup, meeting.signup) == ("none", "invitation")
    ana = make_delegate()
    with pytest.raises(services.NoSignup):
        services.join(ana, plenary)
    with pytest.raises(services.InvitationOnly):
        services.join(ana, meeting)
    seat = services.invite(ana, meeting)
    assert seat.status == "seated"


def test_an_invitation_respects_overlaps(ctx, make_session, make_delegate):
    meeting = make_session(kind="meeting", capacity=40)
    breakout = make_session(capacity=10, starts_at=meeting.starts_at, ends_at=meeting.ends_at)
    bo = make_delegate("bo")
    services.join(bo, breakout)
    with pytest.raises(services.TimeConflict):
        services.invite(bo, meeting)


def test_a_cancelled_registration_frees_every_seat(ctx, make_session, make_delegate):
    s = make_session(capacity=1)
    ana, bo = make_delegate("ana"), make_delegate("bo")
    services.join(ana, s)
    services.join(ana, make_session(starts_at=LATER))
    services.join(bo, s)
    promoted = delegates.cancel(ana, OPEN)
    assert [p.registration_id for p in promoted] == [bo.id]
    assert services.places(ana) == {}
    with pytest.raises(services.NotRegistered):
        services.join(ana, s)


def test_erasing_a_registration_frees_its_seats(ctx, make_session, make_delegate):
    s = make_session(capacity=1)
    ana, bo = make_delegate("ana"), make_delegate("bo")
    services.join(ana, s)
    services.join(bo, s)
    promoted = delegates.erase(ana, OPEN)
    assert [p.registration_id for p in promoted] == [bo.id]


def test_availability_answers_for_page_join_and_waitlist(ctx, make_session, make_delegate):
    a, b = make_session(capacity=1), make_session(capacity=2)  # at the same time
    plenary, meeting = make_session(kind="plenary", starts_at=LATER), make_session(kind="meeting", starts_at=LATER)
    ana, bo = make_delegate("ana"), make_delegate("bo")
    assert services.availability(a, None, {}) == "open"
    services.join(ana, a)
    held = services.places(ana)
    assert services.availability(a, ana, held) == "seated"
    assert services.availability(b, ana, held) == "conflict"
    assert services.availability(a, bo, {}) == "full"
    assert services.availability(plenary, bo, {}) == "none"
    assert services.availability(meeting, bo, {}) == "invitation"
    services.join(bo, a)
    assert services.availability(a, bo, services.places(bo)) == "waiting"


def test_headsets_are_counted_by_listening_language(ctx, make_session, make_delegate):
    s = make_session(capacity=10, floor_language="mn", interpretation=True)
    uninterpreted = make_session(capacity=10, starts_at=LATER, interpretation=False)
    for name, language, needs in (("ana", "en", True), ("bo", "en", False), ("cy", "mn", True), ("di", "en", True)):
        delegate = make_delegate(name, language=language, interpretation=needs)
        services.join(delegate, s)
        services.join(delegate, uninterpreted)
    assert services.headsets(s) == {"en": 2}
    assert services.headsets(uninterpreted) == {}  # no interpretation there


def test_plenary_headsets_count_everyone_attending_that_day(ctx, make_session, make_delegate):
    first_day = make_session(kind="plenary", starts_at=at("2017-05-25 09:30"), interpretation=True)
    second_day = make_session(kind="plenary", starts_at=at("2017-05-26 16:30"), interpretation=True)
    listening = "mn"  # the plenaries' floor language is English
    for name, days, needs in (("ana", ["2017-05-25"], True), ("bo", ["2017-05-25", "2017-05-26"], True),
                              ("cy", ["2017-05-26"], False), ("di", ["2017-05-25"], True)):
        make_delegate(name, language=listening, interpretation=needs, days=days)
    delegates.cancel(db.session.scalar(select(Registration).filter_by(given_name="di")), OPEN)
    db.session.flush()
    assert services.headsets(first_day) == {listening: 2}  # ana and bo; di cancelled
    assert services.headsets(second_day) == {listening: 1}  # bo; cy listens to the floor


def test_the_agenda_has_my_seats_and_the_plenaries_not_my_waitlists(ctx, make_session, make_delegate):
    first_plenary = make_session(kind="plenary", starts_at=at("2017-05-25 09:30"))
    lunch = make_session(kind="break", starts_at=at("2017-05-25 12:30"))
    s, g = make_session(capacity=1), make_session(starts_at=LATER)
    last_plenary = make_session(kind="plenary", starts_at=at("2017-05-26 16:30"))
    ana, bo = make_delegate("ana"), make_delegate("bo")
    services.join(ana, s)
    services.join(bo, s)  # waits
    services.join(bo, g)
    slugs = [x.slug for x in services.agenda(bo, services.sessions(ctx))]
    assert slugs == [first_plenary.slug, g.slug, last_plenary.slug]  # in time order
    assert s.slug not in slugs and lunch.slug not in slugs


def test_every_change_raises_the_program_version(ctx, make_session, make_delegate):
    s = make_session()
    db.session.refresh(ctx)
    before = ctx.program_version
    ana = make_delegate()
    services.join(ana, s)
    db.session.refresh(ctx)
    assert ctx.program_version == before + 1


def uneven(make_session):
    """Times that are not one block, one seat each: A and F follow each other, X spans both."""
    a = make_session(capacity=1, starts_at=at("2017-05-25 14:00"), ends_at=at("2017-05-25 14:45"))
    f = make_session(capacity=1, starts_at=at("2017-05-25 14:45"), ends_at=at("2017-05-25 15:30"))
    x = make_session(capacity=1, starts_at=at("2017-05-25 14:00"), ends_at=at("2017-05-25 15:30"))
    assert not a.overlaps(f) and x.overlaps(a) and x.overlaps(f)
    return a, f, x


def crossed_waits(make_session, make_delegate):
    """Dan sits in A and waits for B; Eve sits in B and waits for A (one seat each)."""
    a, b = make_session(capacity=1), make_session(capacity=1)
    dan, eve = make_delegate("dan"), make_delegate("eve")
    services.join(dan, a)
    services.join(eve, b)
    services.join(dan, b)
    services.join(eve, a)
    assert {k: v.status for k, v in services.places(dan).items()} == {a.id: "seated", b.id: "waiting"}
    return a, b, dan, eve


def test_a_switch_that_sets_off_a_chain_reaching_the_switcher_keeps_one_seat(ctx, make_session, make_delegate):
    a, b, dan, eve = crossed_waits(make_session, make_delegate)
    c = make_session(capacity=2)
    services.join(dan, c, want="seat", switch=True)
    # Dan's seat in A goes to Eve, whose seat in B goes to Dan, who waited for it: Dan moves to B.
    assert {k: v.status for k, v in services.places(eve).items()} == {a.id: "seated"}
    assert {k: v.status for k, v in services.places(dan).items()} == {b.id: "seated"}
    assert c.seats_taken == 0
    assert_every_rule_holds()


def test_cancelling_never_promotes_the_one_who_cancels(ctx, make_session, make_delegate):
    a, b, dan, eve = crossed_waits(make_session, make_delegate)
    promoted = delegates.cancel(dan, OPEN)
    assert [(p.registration_id, p.session_id) for p in promoted] == [(eve.id, a.id)]
    assert services.places(dan) == {}
    assert (b.seats_taken, b.waitlist_length) == (0, 0)
    assert_every_rule_holds()


def test_a_promotion_gives_up_every_seat_it_overlaps_once(ctx, make_session, make_delegate):
    a, f, x = uneven(make_session)
    pat, quin, rae, sam = (make_delegate(n) for n in ("pat", "quin", "rae", "sam"))
    services.join(quin, x)
    services.join(pat, a)
    services.join(pat, f)
    services.join(pat, x)  # waits for X, keeping A and F
    services.join(rae, a)  # waits for A
    services.join(sam, f)  # waits for F
    promoted = services.leave(quin, x)
    assert sorted((p.registration_id, p.session_id) for p in promoted) == sorted(
        [(pat.id, x.id), (rae.id, a.id), (sam.id, f.id)])
    assert sorted(s.slug for s in promoted[0].gave_up) == sorted([a.slug, f.slug])
    assert_every_rule_holds()


def test_cancelling_with_seats_around_a_wait_frees_each_seat_once(ctx, make_session, make_delegate):
    a, f, x = uneven(make_session)
    dan, quin = make_delegate("dan"), make_delegate("quin")
    services.join(quin, x)
    services.join(dan, a)
    services.join(dan, f)
    services.join(dan, x)  # waits for X, keeping A and F
    services.join(quin, a)  # waits for A, keeping X
    promoted = delegates.cancel(dan, OPEN)
    assert [(p.registration_id, p.session_id) for p in promoted] == [(quin.id, a.id)]
    assert (a.seats_taken, f.seats_taken, x.seats_taken) == (1, 0, 0)
    assert_every_rule_holds()


def test_a_join_sees_a_cancellation_committed_a_moment_before(ctx, make_session, make_delegate):
    """PostgreSQL: the delegate was read before the cancellation committed; the lock reads them again."""
    from sqlalchemy import update

    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("on SQLite a sign-up's transaction holds the write lock from its first read")
    s = make_session()
    ana = make_delegate("ana")
    db.session.commit()
    assert ana.is_active  # read in this transaction, before the other one commits
    with db.engine.begin() as other:
        other.execute(update(Registration).where(Registration.id == ana.id).values(status="cancelled"))
    with pytest.raises(services.NotRegistered):
        services.join(ana, s)
