from __future__ import annotations

import datetime as dt

import pytest

from meetings.models import Meeting
from pairing.models import Enrollment
from programs.models import Program
from surveys import selectors, services
from surveys.models import SurveyInvitation
from tests.surveys import builders
from tests.surveys.conftest import START, link_token, sent

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


@pytest.fixture
def held(pair):
    """A session that ended at START (held), the pair's first."""
    return builders.session(pair, START - dt.timedelta(minutes=45), status=Meeting.Status.HELD)


def test_no_invitation_before_the_delay_after_the_end(clock, held, mailoutbox):
    clock.move_to(START + 2 * H - dt.timedelta(seconds=1))

    services.session_surveys_tick()

    assert SurveyInvitation.objects.count() == 0 and mailoutbox == []


def test_both_people_are_invited_exactly_at_the_delay_after_the_end(clock, held, mailoutbox, mentor, mentee):
    clock.move_to(START + 2 * H)

    outcome = services.session_surveys_tick()

    assert outcome.sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.email, mentee.email])
    invitation = SurveyInvitation.objects.get(recipient=mentor)
    assert invitation.kind == "after_session" and invitation.meeting == held and invitation.first_session
    assert invitation.sent_at == START + 2 * H
    # Open until the end of the 14th day in the reader's zone: midnight in Berlin is 23:00 UTC.
    assert invitation.expires_at == builders.at(2026, 3, 16, 23, 0)
    assert invitation.remind_at == START + 2 * H + dt.timedelta(days=7)


def test_a_survey_closes_at_the_end_of_a_day_in_each_readers_zone(clock, held, mailoutbox, mentor, mentee):
    clock.move_to(START + 2 * H + dt.timedelta(minutes=1, seconds=7))

    services.session_surveys_tick()

    by_person = {m.to[0]: m for m in mailoutbox}
    assert SurveyInvitation.objects.get(recipient=mentee).expires_at == builders.at(2026, 3, 17, 4, 0)
    for person in (mentor, mentee):
        body = by_person[person.email].body.replace("\n", " ")
        assert "closes at the end of Mon 16 Mar 2026 (your time)" in body
        assert "11:01" not in body and "12:01" not in body and "07:01" not in body


def test_the_e_mail_link_carries_a_token_that_is_stored_only_as_its_hash(clock, held, mailoutbox, mentor):
    clock.move_to(START + 3 * H)
    services.session_surveys_tick()
    message = next(m for m in mailoutbox if m.to == [mentor.email])

    token = link_token(message)

    invitation = SurveyInvitation.objects.get(recipient=mentor)
    assert invitation.token_hash == selectors.token_hash(token)
    assert token not in str(list(SurveyInvitation.objects.values()))
    assert selectors.invitation_for_token(token) == invitation


def test_a_second_tick_invites_nobody_twice(clock, held, mailoutbox):
    clock.move_to(START + 3 * H)
    services.session_surveys_tick()

    again = services.session_surveys_tick()

    assert again.created == 0 and again.sent == 0 and len(mailoutbox) == 2


def test_the_pairing_fit_question_comes_only_after_the_first_session(clock, pair, held):
    second = builders.session(pair, START + 24 * H, status=Meeting.Status.HELD)
    clock.move_to(START + 30 * H)

    services.session_surveys_tick()

    first_invitation = SurveyInvitation.objects.filter(meeting=held).first()
    second_invitation = SurveyInvitation.objects.filter(meeting=second).first()
    assert first_invitation.first_session and not second_invitation.first_session
    fit = "How well does your pairing fit what you hoped to learn?"
    assert fit in [q.text for q in selectors.questions_for(first_invitation)]
    assert fit not in [q.text for q in selectors.questions_for(second_invitation)]


def test_a_session_that_was_not_held_gets_no_survey(clock, pair, mailoutbox):
    builders.session(pair, START - H, status=Meeting.Status.NO_SHOW)
    builders.session(pair, START - 5 * H, status=Meeting.Status.CANCELLED)
    builders.session(pair, START - 8 * H, status=Meeting.Status.CONFIRMED)
    clock.move_to(START + 5 * H)

    services.session_surveys_tick()

    assert mailoutbox == []


def test_a_program_without_session_surveys_sends_none(clock, held, running, mailoutbox):
    Program.objects.filter(pk=running.pk).update(survey_after_session=False)
    clock.move_to(START + 5 * H)

    services.session_surveys_tick()

    assert mailoutbox == []


def test_a_participant_who_withdrew_gets_no_invitation(clock, pair, held, mailoutbox, mentor):
    Enrollment.objects.filter(pk=pair.mentee_id).update(status=Enrollment.Status.WITHDRAWN)
    clock.move_to(START + 5 * H)

    services.session_surveys_tick()

    assert [m.to for m in mailoutbox] == [[mentor.email]]


def test_a_participant_who_withdrew_before_sending_is_skipped(clock, pair, held, mailoutbox, mentor):
    clock.move_to(START + 5 * H)
    services.session_surveys_plan()
    Enrollment.objects.filter(pk=pair.mentee_id).update(status=Enrollment.Status.WITHDRAWN)

    services.survey_invitations_send()

    assert [m.to for m in mailoutbox] == [[mentor.email]]
    assert SurveyInvitation.objects.get(enrollment_id=pair.mentee_id).skipped_reason == "withdrawn"


# --- the one reminder, and expiry -----------------------------------------------------------


def test_an_unanswered_invitation_gets_one_reminder_half_way_with_a_second_working_link(
    clock, held, mailoutbox, mentor
):
    clock.move_to(START + 2 * H)
    services.session_surveys_tick()
    first_token = link_token(next(m for m in mailoutbox if m.to == [mentor.email]))
    clock.move_to(START + 2 * H + dt.timedelta(days=7) - dt.timedelta(seconds=1))
    assert services.survey_reminders_tick().sent == 0

    clock.move_to(START + 2 * H + dt.timedelta(days=7))
    assert services.survey_reminders_tick().sent == 2
    clock.move_to(START + 2 * H + dt.timedelta(days=10))
    assert services.survey_reminders_tick().sent == 0

    reminder = next(m for m in sent(mailoutbox, "survey-reminder") if m.to == [mentor.email])
    second_token = link_token(reminder)
    assert second_token != first_token
    invitation = SurveyInvitation.objects.get(recipient=mentor)
    assert selectors.invitation_for_token(first_token) == invitation
    assert selectors.invitation_for_token(second_token) == invitation
    assert invitation.reminder_sent_at == START + 2 * H + dt.timedelta(days=7)


def test_an_answered_invitation_gets_no_reminder(clock, held, mailoutbox, mentor):
    clock.move_to(START + 2 * H)
    services.session_surveys_tick()
    SurveyInvitation.objects.filter(recipient=mentor).update(answered_at=START + 3 * H)
    clock.move_to(START + 2 * H + dt.timedelta(days=8))

    services.survey_reminders_tick()

    assert [m.to for m in sent(mailoutbox, "survey-reminder")] == [[held.pair.mentee.user.email]]


def test_a_reminder_that_missed_its_window_is_never_sent_after_expiry(clock, held, mailoutbox):
    clock.move_to(START + 2 * H)
    services.session_surveys_tick()
    last = max(SurveyInvitation.objects.values_list("expires_at", flat=True))
    clock.move_to(last)  # the workers were down all week

    assert services.survey_reminders_tick().sent == 0
    assert sent(mailoutbox, "survey-reminder") == []


def test_withdrawing_drops_the_reminder(clock, pair, held, mailoutbox, mentor):
    clock.move_to(START + 2 * H)
    services.session_surveys_tick()
    Enrollment.objects.filter(pk=pair.mentee_id).update(status=Enrollment.Status.WITHDRAWN)
    clock.move_to(START + 2 * H + dt.timedelta(days=8))

    services.survey_reminders_tick()

    assert [m.to for m in sent(mailoutbox, "survey-reminder")] == [[mentor.email]]
    assert SurveyInvitation.objects.get(enrollment_id=pair.mentee_id).remind_at is None
