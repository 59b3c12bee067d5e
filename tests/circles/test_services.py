"""Circles, sessions, RSVPs and notes through their services: the rules and what they save."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from circles import services
from circles.models import Circle, CircleActionItem, CircleMember, CircleMessage, CircleRsvp, CircleSession
from tests.circles.conftest import NOW, START, book, deliver
from tests.factories import MenteeEnrollmentFactory, MentorEnrollmentFactory

pytestmark = pytest.mark.usefixtures("now")


def ics_of(message) -> bytes:
    content = message.attachments[0][1]
    return content if isinstance(content, bytes) else content.encode()


def test_hr_creates_a_learning_circle_with_a_junior_host_and_seniors(circle, host, seniors):
    assert circle.kind == "learning" and circle.status == "active"
    roles = dict(CircleMember.objects.filter(circle=circle).values_list("enrollment_id", "role"))
    assert roles == {host.pk: "host", **{s.pk: "member" for s in seniors}}


def test_a_learning_circle_needs_a_junior_host_and_two_to_eight_seniors(circle_program, host, seniors,
                                                                        hr_admin):
    with pytest.raises(ValidationError) as error:
        services.circle_create(program=circle_program, by=hr_admin, name="Too small", kind="learning",
                               hosts=[host], members=seniors[:1])
    assert "2 to 8 seniors" in str(error.value.message_dict["members"])
    with pytest.raises(ValidationError) as error:
        services.circle_create(program=circle_program, by=hr_admin, name="Upside down", kind="learning",
                               hosts=[seniors[0]], members=seniors[1:])
    assert "hosted by a junior mentor" in str(error.value.message_dict["hosts"])
    assert not Circle.objects.exists()  # nothing half-saved


def test_a_peer_circle_is_for_junior_mentors_only(circle_program, host, seniors, hr_admin):
    others = [MentorEnrollmentFactory(program=circle_program) for _ in range(2)]
    with pytest.raises(ValidationError, match="junior mentors only"):
        services.circle_create(program=circle_program, by=hr_admin, name="Peers", kind="peer",
                               hosts=[host], members=[*others, seniors[0]])
    circle = services.circle_create(program=circle_program, by=hr_admin, name="Peers", kind="peer",
                                    hosts=[host], members=others)
    assert circle.memberships.count() == 3


def test_people_from_another_program_cannot_join_a_circle(circle_program, host, hr_admin):
    stranger = MenteeEnrollmentFactory()
    with pytest.raises(ValidationError, match="enrolled in its program"):
        services.circle_create(program=circle_program, by=hr_admin, name="X", kind="open", hosts=[host],
                               members=[stranger])


def test_booking_invites_every_member_with_a_calendar_file(circle, host, seniors):
    session = book(circle, host.user)
    assert session.status == "confirmed" and session.going == 0
    assert CircleMessage.objects.filter(session=session, kind="request").count() == 4  # host + 3 seniors
    deliver()
    invitations = [m for m in mail.outbox if "Invitation: AI for the leadership team" in m.subject]
    assert sorted(m.to[0] for m in invitations) == sorted([host.user.email, *[s.user.email for s in seniors]])
    robert = next(m for m in invitations if m.to == [seniors[0].user.email])
    assert "09:00" in robert.subject  # New York reads its own time
    calendar = ics_of(robert)
    assert b"METHOD:REQUEST" in calendar and b"DTSTART:20270303T140000Z" in calendar


def test_only_a_host_books_and_only_in_the_future(circle, seniors, host):
    with pytest.raises(PermissionDenied):
        book(circle, seniors[0].user)
    with pytest.raises(ValidationError, match="in the past"):
        book(circle, host.user, start=NOW - timedelta(hours=1))
    assert not CircleSession.objects.exists()


def test_rsvps_fill_the_places_and_the_next_yes_is_refused(circle, host, seniors):
    session = book(circle, host.user, places=2)
    services.rsvp_set(session=session, user=seniors[0].user, answer="yes")
    services.rsvp_set(session=session, user=seniors[1].user, answer="yes")
    with pytest.raises(ValidationError, match="full"):
        services.rsvp_set(session=session, user=seniors[2].user, answer="yes")
    session.refresh_from_db()
    assert session.going == 2
    assert CircleRsvp.objects.filter(session=session, answer="yes").count() == 2
    # Saying no frees the place for someone else.
    services.rsvp_set(session=session, user=seniors[0].user, answer="no")
    services.rsvp_set(session=session, user=seniors[2].user, answer="yes")
    session.refresh_from_db()
    assert session.going == 2
    going = CircleRsvp.objects.filter(session=session, answer="yes").values_list("user_id", flat=True)
    assert set(going) == {
        seniors[1].user_id, seniors[2].user_id}


def test_answering_yes_twice_takes_one_place(circle, host, seniors):
    session = book(circle, host.user, places=2)
    for _ in range(2):
        services.rsvp_set(session=session, user=seniors[0].user, answer="yes")
    session.refresh_from_db()
    assert session.going == 1


def test_hosts_and_outsiders_do_not_rsvp(circle, host, outsider):
    session = book(circle, host.user)
    for user in (host.user, outsider):
        with pytest.raises(PermissionDenied):
            services.rsvp_set(session=session, user=user, answer="yes")


def test_the_database_refuses_more_going_than_places(circle, host):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    session = book(circle, host.user, places=1)
    CircleSession.objects.filter(pk=session.pk).update(going=F("going") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CircleSession.objects.filter(pk=session.pk).update(going=F("going") + 1)


def test_cancelling_sends_a_calendar_cancellation_to_everyone(circle, host, seniors):
    session = book(circle, host.user)
    deliver()
    mail.outbox.clear()
    services.session_cancel(session=session, user=host.user, reason="Offsite week")
    deliver()
    session.refresh_from_db()
    assert session.status == "cancelled" and session.ics_sequence == 1
    assert len(mail.outbox) == 4
    assert all(b"METHOD:CANCEL" in ics_of(m) and b"SEQUENCE:1" in ics_of(m) for m in mail.outbox)


def test_rescheduling_updates_the_same_event(circle, host, seniors):
    session = book(circle, host.user)
    uid = session.ics_uid_value.encode()
    deliver()
    mail.outbox.clear()
    services.session_reschedule(session=session, user=host.user, starts_at=START + timedelta(days=1),
                                ends_at=START + timedelta(days=1, hours=1))
    deliver()
    assert len(mail.outbox) == 4
    assert all(uid in ics_of(m) and b"SEQUENCE:1" in ics_of(m) for m in mail.outbox)
    assert all(m.subject.startswith("[") and "Updated:" in m.subject for m in mail.outbox)


def test_a_proposed_time_is_tentative_until_the_host_confirms(circle, host, seniors):
    session = book(circle, host.user, propose=True)
    assert session.status == "proposed"
    deliver()
    assert b"STATUS:TENTATIVE" in ics_of(mail.outbox[-1])
    services.rsvp_set(session=session, user=seniors[0].user, answer="yes")  # members answer already
    services.session_confirm(session=session, user=host.user)
    deliver()
    session.refresh_from_db()
    assert session.status == "confirmed" and session.going == 1
    assert b"STATUS:CONFIRMED" in ics_of(mail.outbox[-1])


def test_notes_keep_the_summary_shared_and_the_reflection_private(circle, host, seniors, time_machine):
    session = book(circle, host.user)
    with pytest.raises(ValidationError, match="once the session has started"):
        services.circle_note_save(session=session, author=host.user, shared_summary="Too early")
    time_machine.move_to(START + timedelta(hours=1), tick=False)
    note = services.circle_note_save(session=session, author=host.user, shared_summary="Prompting basics",
                                     reflection="I rushed the demo", actions=[(seniors[0].user, "Try it")])
    services.circle_note_save(session=session, author=seniors[0].user, reflection="Robert's own")
    session.refresh_from_db()
    assert session.status == "held"
    assert note.shared_summary == "Prompting basics"
    assert {r.author_id: r.text for r in note.reflections.all()} == {
        host.user_id: "I rushed the demo", seniors[0].user_id: "Robert's own"}
    assert CircleActionItem.objects.get().owner == seniors[0].user


def test_an_action_item_belongs_to_someone_in_the_circle(circle, host, outsider, time_machine):
    session = book(circle, host.user)
    time_machine.move_to(START + timedelta(hours=1), tick=False)
    with pytest.raises(ValidationError):
        services.circle_note_save(session=session, author=host.user, actions=[(outsider, "Leak")])
    assert not CircleActionItem.objects.exists()


def test_an_open_session_takes_joiners_up_to_its_places(circle_program, host, seniors, hr_admin):
    circle = services.circle_create(program=circle_program, by=hr_admin, name="Open AI hour", kind="open",
                                    hosts=[host], places=2)
    services.circle_join(circle=circle, user=seniors[0].user)
    services.circle_join(circle=circle, user=seniors[1].user)
    with pytest.raises(ValidationError, match="full"):
        services.circle_join(circle=circle, user=seniors[2].user)
    assert circle.memberships.filter(role="member").count() == 2


def test_closing_a_circle_cancels_the_sessions_ahead(circle, host, hr_admin):
    session = book(circle, host.user)
    services.circle_set_status(circle=circle, by=hr_admin, status="closed")
    session.refresh_from_db()
    assert session.status == "cancelled"
    with pytest.raises(ValidationError):
        book(circle, host.user, start=START + timedelta(days=2))
