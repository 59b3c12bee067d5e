from __future__ import annotations

import datetime as dt
import re

import pytest

from meetings import services as meeting_services
from meetings.models import Meeting
from pairing.models import Enrollment
from surveys import services
from surveys.models import MeetingReminder
from tests.surveys import builders
from tests.surveys.conftest import START, sent

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def test_it_sends_nothing_a_second_before_the_first_lead_time(clock, pair, mailoutbox):
    builders.session(pair, START + 24 * H + dt.timedelta(seconds=1))

    outcome = services.meeting_reminders_tick()

    assert outcome.sent == 0
    assert MeetingReminder.objects.count() == 0


def test_it_reminds_both_people_exactly_at_the_lead_time(clock, pair, mailoutbox, mentor, mentee):
    meeting = builders.session(pair, START + 24 * H)

    outcome = services.meeting_reminders_tick()

    assert outcome.sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.email, mentee.email])
    rows = MeetingReminder.objects.filter(meeting=meeting)
    assert {(r.lead_hours, r.starts_at, r.sent_at is not None) for r in rows} == {
        (24, meeting.starts_at, True)
    }


def test_each_person_reads_the_time_in_their_own_zone(clock, pair, mailoutbox, mentor, mentee):
    builders.session(pair, builders.at(2026, 3, 3, 9, 0))  # 10:00 in Berlin, 04:00 in New York

    services.meeting_reminders_tick()

    by_person = {m.to[0]: m for m in mailoutbox}
    assert "10:00–10:45 your time" in by_person[mentor.email].body
    assert "04:00–04:45 your time" in by_person[mentee.email].body
    assert "Europe/Berlin" not in by_person[mentee.email].body
    assert "(New York)" in by_person[mentee.email].body


def test_a_reminder_carries_the_program_branding_the_link_and_the_calendar_invitation(
    clock, pair, mailoutbox, running
):
    meeting = builders.session(pair, START + 24 * H)
    Meeting.objects.filter(pk=meeting.pk).update(ics_sequence=3)

    services.meeting_reminders_tick()

    message = mailoutbox[0]
    assert message.subject.startswith(f"[{running.name}] ")
    assert running.name in message.from_email
    assert f"/sessions/meeting/{meeting.pk}/" in message.body
    assert "https://meet.example.com/abc-defg" in message.body
    html = message.alternatives[0][0]
    assert running.name in html and "<html" in html
    name, content, mimetype = message.attachments[0]
    assert mimetype.startswith("text/calendar; method=REQUEST")
    text = content.decode() if isinstance(content, bytes) else content
    assert "SEQUENCE:3" in text and str(meeting.ics_uid) in text


def test_the_second_lead_time_sends_a_second_reminder(clock, pair, mailoutbox):
    builders.session(pair, START + 24 * H)
    services.meeting_reminders_tick()
    clock.move_to(START + 23 * H)

    outcome = services.meeting_reminders_tick()

    assert outcome.sent == 2
    assert sorted(MeetingReminder.objects.values_list("lead_hours", flat=True)) == [1, 1, 24, 24]
    assert len(mailoutbox) == 4


def test_a_second_tick_sends_nothing_twice(clock, pair, mailoutbox):
    builders.session(pair, START + 3 * H)
    services.meeting_reminders_tick()

    again = services.meeting_reminders_tick()

    assert again.created == 0 and again.sent == 0
    assert len(mailoutbox) == 2


def test_when_two_lead_times_are_due_only_the_later_one_is_sent(clock, pair, mailoutbox):
    meeting = builders.session(pair, START + dt.timedelta(minutes=30))

    services.meeting_reminders_tick()

    assert len(mailoutbox) == 2
    rows = {
        r.lead_hours: r for r in MeetingReminder.objects.filter(meeting=meeting, recipient=pair.mentor.user)
    }
    assert rows[1].sent_at is not None
    assert rows[24].sent_at is None and rows[24].skipped_reason == "superseded"


def test_a_cancelled_session_gets_no_reminder(clock, pair, mailoutbox):
    builders.session(pair, START + 2 * H, status=Meeting.Status.CANCELLED)

    services.meeting_reminders_tick()

    assert mailoutbox == []


def test_a_session_cancelled_after_its_reminder_was_queued_is_skipped_not_sent(clock, pair, mailoutbox):
    meeting = builders.session(pair, START + 2 * H)
    services.meeting_reminders_plan()
    meeting_services.meeting_cancel(meeting=meeting, user=pair.mentor.user, reason="Ill today")

    services.meeting_reminders_send()

    assert sent(mailoutbox, "meeting-reminder") == []
    assert set(MeetingReminder.objects.values_list("skipped_reason", flat=True)) == {"cancelled"}


def test_a_session_moved_inside_the_reminder_window_gets_fresh_reminders_only(clock, pair, mailoutbox):
    first_start = START + 20 * H
    meeting = builders.session(pair, first_start)
    services.meeting_reminders_tick()  # the 24 h reminder for the first time
    assert len(mailoutbox) == 2
    new_start = START + 5 * H
    meeting_services.meeting_reschedule(
        meeting=meeting,
        user=pair.mentor.user,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(minutes=45),
        reason="Clash",
    )

    services.meeting_reminders_tick()  # just moved: no 24 h reminder again, they were told now
    assert len(sent(mailoutbox, "meeting-reminder")) == 2
    clock.move_to(new_start - H)
    services.meeting_reminders_tick()
    clock.move_to(first_start - H)  # the old start's 1 h reminder never goes out
    services.meeting_reminders_tick()

    reminders = sent(mailoutbox, "meeting-reminder")
    assert len(reminders) == 4
    assert {r.starts_at for r in MeetingReminder.objects.filter(sent_at__isnull=False, lead_hours=1)} == {
        new_start
    }
    assert set(
        MeetingReminder.objects.filter(starts_at=new_start, lead_hours=24).values_list(
            "skipped_reason", flat=True
        )
    ) == {"booked_late"}


def test_a_session_moved_after_its_reminder_row_was_written_is_skipped_as_moved(clock, pair, mailoutbox):
    meeting = builders.session(pair, START + 20 * H)
    services.meeting_reminders_plan()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=START + 40 * H, ends_at=START + 41 * H)

    services.meeting_reminders_send()

    assert mailoutbox == []
    assert set(MeetingReminder.objects.values_list("skipped_reason", flat=True)) == {"moved"}


def test_a_session_booked_inside_the_window_gets_only_the_later_reminder(clock, pair, mailoutbox):
    new_start = START + 10 * H
    meeting = builders.session(pair, new_start)
    meeting.events.create(actor=pair.mentor.user, actor_role="mentor", kind="booked", at=START)

    services.meeting_reminders_tick()
    clock.move_to(new_start - H)
    services.meeting_reminders_tick()

    assert [r.lead_hours for r in MeetingReminder.objects.filter(sent_at__isnull=False)] == [1, 1]


def test_a_participant_who_withdrew_gets_no_reminder(clock, pair, mailoutbox, mentee):
    builders.session(pair, START + 2 * H)
    Enrollment.objects.filter(pk=pair.mentee_id).update(status=Enrollment.Status.WITHDRAWN)

    services.meeting_reminders_tick()

    assert [m.to[0] for m in mailoutbox] == [pair.mentor.user.email]


def test_a_participant_who_withdrew_after_the_row_was_written_is_skipped(clock, pair, mailoutbox):
    builders.session(pair, START + 2 * H)
    services.meeting_reminders_plan()
    Enrollment.objects.filter(pk=pair.mentee_id).update(status=Enrollment.Status.WITHDRAWN)

    services.meeting_reminders_send()

    assert [m.to[0] for m in mailoutbox] == [pair.mentor.user.email]
    assert MeetingReminder.objects.get(recipient=pair.mentee.user).skipped_reason == "withdrawn"


def test_a_program_that_switched_a_reminder_off_sends_only_the_other(clock, pair, mailoutbox, running):
    type(running).objects.filter(pk=running.pk).update(reminder_first_hours=0)
    builders.session(pair, START + 23 * H)

    services.meeting_reminders_tick()
    clock.move_to(START + 22 * H)
    services.meeting_reminders_tick()

    assert [r.lead_hours for r in MeetingReminder.objects.filter(sent_at__isnull=False)] == [1, 1]


def test_a_reminder_for_a_video_session_without_a_link_says_the_link_will_follow(clock, pair, mailoutbox):
    meeting = builders.session(pair, START + 24 * H)
    Meeting.objects.filter(pk=meeting.pk).update(video_link="")

    services.meeting_reminders_tick()

    message = mailoutbox[0]
    assert "Video call — link to follow from your partner" in message.body
    assert not re.search(r"Video call:\s*$", message.body, re.MULTILINE)
    html = message.alternatives[0][0]
    assert "link to follow from your partner" in html and 'href=""' not in html
    calendar = message.attachments[0][1]
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert "LOCATION:Video call (link to follow)" in calendar
    assert "link to follow from your partner" in calendar.replace("\r\n ", "")

