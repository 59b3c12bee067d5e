# ruff: noqa: F811 - the surveys clock and pair fixtures are imported into this module
from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import User
from meetings import nudges as nudge_jobs
from meetings.models import Meeting, Nudge
from pairing.models import Enrollment, Pair
from tests.surveys import builders
from tests.surveys.conftest import START, clock, delivery, pair, running, sent, skip_reasons  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def quiet(pair):
    """The pair's last session was at START; the program meets every 2 weeks (+7 days grace)."""
    meeting = builders.session(pair, START, status=Meeting.Status.HELD)
    from meetings.models import PrivateReflection, SessionLog

    log = SessionLog.objects.create(meeting=meeting, shared_summary="SECRET-SHARED-SUMMARY")
    PrivateReflection.objects.create(log=log, author=pair.mentor.user, text="SECRET-REFLECTION")
    return pair


def test_no_nudge_within_the_cadence_and_grace(clock, quiet, mailoutbox):
    clock.move_to(START + 21 * DAY - dt.timedelta(seconds=1))

    nudge_jobs.nudges_tick()

    assert mailoutbox == []


def test_both_people_are_nudged_once_per_silence(clock, quiet, mailoutbox, mentor, mentee):
    clock.move_to(START + 21 * DAY)
    nudge_jobs.nudges_tick()
    clock.move_to(START + 25 * DAY)
    nudge_jobs.nudges_tick()

    nudges = sent(mailoutbox, "nudge:")
    assert sorted(m.to[0] for m in nudges) == sorted([mentor.email, mentee.email])
    assert "3 weeks since your last session" in nudges[0].body
    assert set(Nudge.objects.values_list("period", flat=True)) == {START.date()}


def test_a_nudge_carries_a_one_click_unsubscribe_and_the_preferences(clock, quiet, mailoutbox):
    clock.move_to(START + 21 * DAY)

    nudge_jobs.nudges_tick()

    message = mailoutbox[0]
    assert "/surveys/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/me/preferences/" in message.body


def test_a_new_session_ends_the_silence_and_a_later_one_gets_a_new_nudge(clock, quiet, mailoutbox):
    clock.move_to(START + 21 * DAY)
    nudge_jobs.nudges_tick()
    builders.session(quiet, START + 22 * DAY, status=Meeting.Status.HELD)
    clock.move_to(START + 30 * DAY)
    nudge_jobs.nudges_tick()
    assert len(sent(mailoutbox, "nudge:")) == 2

    clock.move_to(START + 43 * DAY)
    nudge_jobs.nudges_tick()

    assert len(sent(mailoutbox, "nudge:")) == 4
    assert sorted(set(Nudge.objects.values_list("period", flat=True))) == [
        START.date(),
        (START + 22 * DAY).date(),
    ]


def test_a_pair_with_a_session_booked_ahead_is_not_nudged(clock, quiet, mailoutbox):
    builders.session(quiet, START + 26 * DAY)
    clock.move_to(START + 23 * DAY)

    nudge_jobs.nudges_tick()

    assert mailoutbox == []


def test_a_session_booked_after_the_nudge_was_queued_skips_it(clock, quiet, mailoutbox):
    clock.move_to(START + 21 * DAY)
    nudge_jobs.nudges_plan()
    builders.session(quiet, START + 24 * DAY)

    nudge_jobs.nudges_send()

    assert mailoutbox == []
    assert skip_reasons("nudge") == {"met_since"}


def test_people_who_opted_out_get_no_nudge_but_the_lead_still_hears(
    clock, quiet, mailoutbox, mentor, mentee, lead
):
    User.objects.filter(pk__in=[mentor.pk, mentee.pk]).update(nudges_opt_out=True)
    clock.move_to(START + 42 * DAY)

    nudge_jobs.nudges_tick()

    assert sent(mailoutbox, "nudge:") == []
    assert [m.to for m in sent(mailoutbox, "escalation:")] == [[lead.email]]


def test_opting_out_after_the_nudge_was_queued_skips_it(clock, quiet, mailoutbox, mentor):
    clock.move_to(START + 21 * DAY)
    nudge_jobs.nudges_plan()
    User.objects.filter(pk=mentor.pk).update(nudges_opt_out=True)

    nudge_jobs.nudges_send()

    assert mentor.email not in [m.to[0] for m in mailoutbox]
    assert delivery("nudge", Nudge.objects.get(recipient=mentor).pk) == ("skipped", "opted_out")


def test_the_lead_gets_an_escalation_with_names_and_counts_never_notes(clock, quiet, mailoutbox, lead):
    builders.session(quiet, START - 14 * DAY, status=Meeting.Status.HELD)
    builders.session(quiet, START - 7 * DAY, status=Meeting.Status.CANCELLED)
    clock.move_to(START + 42 * DAY - dt.timedelta(seconds=1))
    nudge_jobs.nudges_tick()
    assert sent(mailoutbox, "escalation:") == []

    clock.move_to(START + 42 * DAY)
    nudge_jobs.nudges_tick()
    nudge_jobs.nudges_tick()

    [escalation] = sent(mailoutbox, "escalation:")
    assert escalation.to == [lead.email]
    text = escalation.body + escalation.alternatives[0][0] + escalation.subject
    assert quiet.mentor.user.display_name in text and quiet.mentee.user.display_name in text
    assert "6 weeks" in text
    assert "Sessions held so far: 2" in escalation.body
    assert "Sessions cancelled: 1" in escalation.body
    assert "SECRET" not in text


def test_a_withdrawn_participant_or_an_ended_pair_gets_no_nudge(clock, quiet, mailoutbox, mentor):
    Enrollment.objects.filter(pk=quiet.mentee_id).update(status=Enrollment.Status.WITHDRAWN)
    clock.move_to(START + 22 * DAY)
    nudge_jobs.nudges_tick()
    assert [m.to for m in mailoutbox] == [[mentor.email]]

    Pair.objects.filter(pk=quiet.pk).update(status=Pair.Status.ENDED_EARLY)
    clock.move_to(START + 50 * DAY)
    nudge_jobs.nudges_tick()

    assert len(mailoutbox) == 1


def test_a_pair_that_never_met_is_nudged_from_its_start(clock, running, mailoutbox):
    pair = builders.active_pair(running, activated_at=START)
    clock.move_to(START + 21 * DAY)

    nudge_jobs.nudges_tick()

    assert len(mailoutbox) == 2
    assert "have not had a session yet" in mailoutbox[0].body
    assert Nudge.objects.filter(pair=pair).first().period == START.date()
