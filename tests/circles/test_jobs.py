"""Reminders and the after-session survey go through the outbox, once each; the calendar feed
carries circle sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from circles import messages, services
from circles.models import CircleFeedback, CircleMessage
from meetings import selectors as meeting_selectors
from tests.circles.conftest import START, book, deliver

pytestmark = pytest.mark.usefixtures("now")


def test_a_reminder_goes_to_the_host_and_those_going_once(circle, host, seniors, time_machine):
    session = book(circle, host.user)
    services.rsvp_set(session=session, user=seniors[0].user, answer="yes")
    services.rsvp_set(session=session, user=seniors[1].user, answer="no")
    deliver()
    mail.outbox.clear()
    time_machine.move_to(START - timedelta(hours=23), tick=False)
    messages.circles_tick()
    messages.circles_tick()  # a second beat, a redelivered task: nothing new
    reminded = sorted(m.to[0] for m in mail.outbox)
    assert reminded == sorted([host.user.email, seniors[0].user.email])
    assert all("Reminder: AI for the leadership team" in m.subject for m in mail.outbox)
    assert CircleMessage.objects.filter(kind="reminder").count() == 2


def test_a_moved_session_is_not_reminded_at_its_old_time(circle, host, seniors, time_machine):
    session = book(circle, host.user)
    services.rsvp_set(session=session, user=seniors[0].user, answer="yes")
    time_machine.move_to(START - timedelta(hours=23), tick=False)
    messages.reminders_plan()
    services.session_reschedule(session=session, user=host.user, starts_at=START + timedelta(days=7),
                                ends_at=START + timedelta(days=7, hours=1))
    mail.outbox.clear()
    outcome = deliver()
    assert outcome.skipped.get("moved") == 2
    assert not [m for m in mail.outbox if "Reminder" in m.subject]


def test_the_survey_asks_those_going_once_and_not_after_they_answer(circle, host, seniors, time_machine):
    session = book(circle, host.user)
    for senior in seniors[:2]:
        services.rsvp_set(session=session, user=senior.user, answer="yes")
    time_machine.move_to(START + timedelta(hours=2), tick=False)
    services.attendance_record(session=session, user=host.user, attended_ids=[seniors[0].user_id])
    mail.outbox.clear()
    messages.circles_tick()
    messages.circles_tick()
    surveyed = [m for m in mail.outbox if "One question about" in m.subject]
    assert [m.to[0] for m in surveyed] == [seniors[0].user.email]  # the one who did not come is not asked
    assert f"/circles/session/{session.pk}/feedback/" in surveyed[0].body
    services.feedback_save(session=session, user=seniors[0].user, rating=5)
    assert CircleFeedback.objects.get().rating == 5


def test_the_personal_calendar_feed_carries_circle_sessions(client, circle, host, seniors):
    session = book(circle, host.user)
    feed = client.get(meeting_selectors.feed_path(seniors[0].user)).content
    assert session.ics_uid_value.encode() in feed
    assert b"Circle: AI for the leadership team" in feed
    outsider_feed = client.get(meeting_selectors.feed_path(circle.program.leads.get())).content
    assert session.ics_uid_value.encode() not in outsider_feed
