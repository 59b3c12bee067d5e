"""The commitment guard: a mentee who cancels is asked for a new time; the sponsor or the leads hear
from Flipside itself when none comes or cancellations pile up — once, and never with anyone's notes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from meetings import commitment, services
from meetings.models import CommitmentAlert, Meeting, PrivateReflection, SessionLog
from meetings.tasks import tick_commitment
from notifications.services import channel_preferences_update, chat_settings_update
from tests.chat_server import SLACK_POST, SLACK_TOKEN
from tests.factories import UserFactory
from tests.meetings.conftest import NOW, at, slot

pytestmark = pytest.mark.usefixtures("now")
DAY = timedelta(days=1)
REASON = "SECRET-REASON: my calendar is a mess"


@pytest.fixture
def running(pair):
    program = pair.program
    program.status, program.ends_on = "running", date(2027, 6, 30)
    program.commitment_rebook_days, program.commitment_max_cancellations = 7, 3
    program.save()
    # A held session with notes that must never travel in a guard message.
    held = Meeting.objects.create(
        pair=pair,
        starts_at=NOW - 10 * DAY,
        ends_at=NOW - 10 * DAY + timedelta(minutes=45),
        status="held",
        proposed_by=pair.mentor.user,
    )
    log = SessionLog.objects.create(meeting=held, shared_summary="SECRET-SUMMARY")
    PrivateReflection.objects.create(
        log=log, author=pair.mentor.user, text="SECRET-REFLECTION: he never listens"
    )
    return pair


def booked(pair, day: int = 3, hour: int = 14) -> Meeting:
    proposal = services.meeting_propose(
        pair=pair, proposer=pair.mentor.user, mode="video", slots_utc=[slot(at(NOW.date() + day * DAY, hour))]
    )
    return services.meeting_confirm(meeting=proposal, user=pair.mentee.user, slot_id=proposal.slots.get().pk)


def cancel(pair, by: str = "mentee", day: int = 3, hour: int = 14) -> Meeting:
    meeting = booked(pair, day, hour)
    user = pair.mentee.user if by == "mentee" else pair.mentor.user
    return services.meeting_cancel(meeting=meeting, user=user, reason=REASON)


def guard_mail(kind: str = "") -> list:
    return [
        m
        for m in mail.outbox
        if m.extra_headers.get("X-Flipside-Outbox", "").startswith("commitment:")
        and (not kind or kind in m.subject)
    ]


def tick(time_machine, at_moment) -> None:
    time_machine.move_to(at_moment, tick=False)
    commitment.commitment_tick()


# --- the record ----------------------------------------------------------------------------------


def test_a_mentee_cancellation_waits_for_a_new_time_until_one_is_agreed(running):
    cancel(running)

    due = commitment.rebook_due(running)
    assert due is not None and due.due == NOW + 7 * DAY and not due.overdue

    booked(running, day=5)
    assert commitment.rebook_due(running) is None


def test_a_mentor_cancellation_is_counted_but_asks_the_mentor_for_nothing(running):
    cancel(running, by="mentor")

    assert commitment.rebook_due(running) is None
    assert commitment.pair_counts(running) == {
        "mentor": {"cancelled": 1, "rescheduled": 0},
        "mentee": {"cancelled": 0, "rescheduled": 0},
    }


# --- the mentee's reminder and the note to the leads ---------------------------------------------


def test_halfway_through_the_mentee_gets_one_reminder_to_offer_new_times(running, time_machine):
    cancel(running)
    mail.outbox.clear()
    tick(time_machine, NOW + 3 * DAY - timedelta(minutes=1))
    assert guard_mail() == []

    tick(time_machine, NOW + 3 * DAY)
    tick(time_machine, NOW + 4 * DAY)
    tick_commitment.apply()

    (reminder,) = guard_mail()
    assert reminder.to == [running.mentee.user.email]
    assert "A new time with Aisha?" in reminder.subject
    assert "please offer new times by 8 Mar 2027" in reminder.body
    assert reverse("meetings:propose", args=[running.pk]) in reminder.body


def test_after_n_days_the_leads_hear_it_from_flipside_never_in_the_mentors_name(running, time_machine, lead):
    cancel(running)
    tick(time_machine, NOW + 7 * DAY)
    tick(time_machine, NOW + 8 * DAY)

    (note,) = guard_mail("no new session yet")
    assert note.to == [lead.email]
    assert note.subject == (
        f"[{running.program.name}] Flipside noticed: Robert Whitfield and Aisha Rahman have "
        "no new session yet"
    )
    assert "Flipside noticed that Robert Whitfield cancelled" in note.body
    assert "7 days later no new time has been agreed" in note.body
    assert "Robert Whitfield (mentee): 1 cancelled, 0 moved" in note.body
    assert "Nobody in the pair asked for it" in note.body
    html = note.alternatives[0][0]
    for secret in ("SECRET-REASON", "SECRET-REFLECTION", "SECRET-SUMMARY", "complain"):
        assert secret not in note.body and secret not in html
    assert CommitmentAlert.objects.filter(kind="rebook_overdue").count() == 1


def test_a_named_sponsor_is_told_instead_of_the_leads(running, time_machine, lead):
    running.program.commitment_sponsor_name = "Dana Sponsor"
    running.program.commitment_sponsor_email = "Dana.Sponsor@example.com"
    running.program.save()
    cancel(running)

    tick(time_machine, NOW + 7 * DAY)

    (note,) = guard_mail("no new session yet")
    assert note.to == ["dana.sponsor@example.com"]
    assert note.body.startswith("Hello Dana Sponsor,")
    assert "You receive this as the executive sponsor of" in note.body
    assert not [m for m in guard_mail() if lead.email in m.to]


def test_a_sponsor_with_an_account_gets_the_note_in_their_chat_too(
    running, time_machine, chat_server, hr_admin
):
    chat_settings_update(actor=hr_admin, provider="slack", secret=SLACK_TOKEN)
    sponsor = UserFactory(email="sponsor@example.com", full_name="Dana Sponsor")
    channel_preferences_update(
        user=sponsor, choices={"reminders": "email", "surveys": "email", "nudges": "both", "other": "email"}
    )
    running.program.commitment_sponsor_email = "sponsor@example.com"
    running.program.save()
    cancel(running)

    tick(time_machine, NOW + 7 * DAY)

    (note,) = guard_mail("no new session yet")
    assert note.to == [sponsor.email]
    (post,) = [p for p in chat_server.bodies(SLACK_POST) if "Flipside noticed" in str(p)]
    assert "SECRET" not in str(post)


def test_a_new_time_agreed_in_time_means_nobody_is_told(running, time_machine):
    cancel(running)
    tick(time_machine, NOW + 2 * DAY)
    booked(running, day=6)

    tick(time_machine, NOW + 9 * DAY)

    assert guard_mail() == []


def test_a_note_planned_before_the_new_time_was_agreed_is_skipped_not_sent(running, time_machine, lead):
    cancel(running)
    time_machine.move_to(NOW + 7 * DAY, tick=False)
    commitment.commitment_plan()
    booked(running, day=9)

    outcome = commitment.commitment_tick()

    assert guard_mail() == [] and outcome.skipped == {"new_time_agreed": 2}


def test_m_cancellations_by_one_side_are_told_once(running, time_machine, lead):
    for day in (3, 4, 5):
        cancel(running, by="mentor", day=day)
        booked(running, day=day + 10)  # a new time each time: only the count can trigger
    tick(time_machine, NOW + DAY)
    tick(time_machine, NOW + 2 * DAY)

    (note,) = guard_mail("repeated cancellations")
    assert note.to == [lead.email]
    assert note.subject.endswith("Flipside noticed: repeated cancellations by Aisha Rahman")
    assert "Aisha Rahman has cancelled 3 reverse-mentoring sessions with Robert Whitfield" in note.body
    assert "workload" in note.body and "SECRET" not in note.body
    assert list(CommitmentAlert.objects.values_list("trigger", flat=True)) == ["mentor:3"]


def test_ended_pairs_and_programs_that_are_not_running_are_left_alone(running, time_machine):
    cancel(running)
    running.status = "ended_early"
    running.save()

    tick(time_machine, NOW + 8 * DAY)

    assert guard_mail() == [] and not CommitmentAlert.objects.exists()


# --- the pages ----------------------------------------------------------------------------------


def test_a_mentee_who_cancels_is_taken_straight_to_offering_new_times(client, running):
    meeting = booked(running)
    client.force_login(running.mentee.user)
    page = client.get(reverse("meetings:cancel", args=[meeting.pk]))
    assert "agreed within 7 days" in page.content.decode()

    response = client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": "Customer visit"})

    assert response["Location"] == reverse("meetings:propose", args=[running.pk]) + "?after_cancel=1"
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    html = client.get(response["Location"]).content.decode()
    assert "Please offer Aisha new times now" in html and "by 8 Mar 2027" in html
    pair_page = client.get(reverse("meetings:pair", args=[running.pk])).content.decode()
    assert "please agree a new time by 8 Mar 2027" in pair_page
    assert "1 cancelled, 0 moved" in pair_page


def test_the_mentor_sees_the_record_but_no_deadline_meant_for_the_mentee(client, running):
    cancel(running)
    client.force_login(running.mentor.user)

    html = client.get(reverse("meetings:pair", args=[running.pk])).content.decode()

    assert "data-record" in html and "data-rebook" not in html
