from __future__ import annotations

import datetime as dt
import re

import pytest

from accounts.models import User
from meetings.models import Meeting
from programs.models import Program
from surveys import digests
from surveys.models import LeadDigest, SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.surveys import builders
from tests.surveys.conftest import START

pytestmark = pytest.mark.django_db


def test_the_digest_waits_for_monday_eight_in_the_leads_own_zone(clock, running, lead, mailoutbox):
    User.objects.filter(pk=lead.pk).update(time_zone="America/New_York")  # START is 04:00 there
    digests.lead_digests_tick()
    assert mailoutbox == []

    clock.move_to(START + dt.timedelta(hours=4))  # 08:00 in New York
    digests.lead_digests_tick()

    assert [m.to for m in mailoutbox] == [[lead.email]]
    assert LeadDigest.objects.get().iso_week == "2026-W10"


def test_the_digest_goes_once_per_week(clock, running, lead, mailoutbox):
    digests.lead_digests_tick()
    clock.move_to(START + dt.timedelta(days=3))
    digests.lead_digests_tick()
    clock.move_to(START + dt.timedelta(days=7))
    digests.lead_digests_tick()

    assert len(mailoutbox) == 2
    assert sorted(LeadDigest.objects.values_list("iso_week", flat=True)) == ["2026-W10", "2026-W11"]


def test_the_digest_shows_figures_and_hides_satisfaction_below_the_anonymity_threshold(
    clock, running, pair, lead, mailoutbox
):
    builders.session(pair, START - dt.timedelta(days=2), status=Meeting.Status.HELD)
    builders.session(pair, START - dt.timedelta(days=20), status=Meeting.Status.HELD)
    question = running.survey_questions.get(survey="after_session", measures_satisfaction=True)
    for enrollment in (pair.mentor, pair.mentee):
        invitation = SurveyInvitation.objects.create(
            program=running,
            recipient=enrollment.user,
            enrollment=enrollment,
            kind="mid_program",
            sent_at=START,
            answered_at=START,
        )
        response = SurveyResponse.objects.create(invitation=invitation, program=running, kind="mid_program")
        SurveyAnswer.objects.create(
            response=response, question=question, question_text=question.text, kind="rating", number=5
        )

    digests.lead_digests_tick()

    body = mailoutbox[0].body
    assert running.name in body
    # The dashboard's own figures (evaluation.digest), hidden as the dashboard hides them: one pair
    # is 2 people, fewer than k = 5.
    assert "- Sessions held: hidden (fewer than 5 people)" in body
    assert "- Average satisfaction: hidden (fewer than 5 people)" in body
    assert "- Survey response rate: hidden (fewer than 5 people)" in body
    assert pair.mentor.user.display_name not in body


def test_the_digest_shows_the_average_once_enough_people_answered(clock, running, lead, mailoutbox):
    Program.objects.filter(pk=running.pk).update(anonymity_k=3)
    question = running.survey_questions.get(survey="after_session", measures_satisfaction=True)
    # Answered the Thursday before: the dashboard's figures run up to (not including) this instant.
    answered = START - dt.timedelta(days=4)
    for score in (4, 5, 3):
        pair = builders.active_pair(running)
        invitation = SurveyInvitation.objects.create(
            program=running,
            recipient=pair.mentor.user,
            enrollment=pair.mentor,
            kind="mid_program",
            sent_at=answered,
            answered_at=answered,
        )
        response = SurveyResponse.objects.create(
            invitation=invitation, program=running, kind="mid_program", submitted_at=answered
        )
        SurveyAnswer.objects.create(
            response=response, question=question, question_text=question.text, kind="rating", number=score
        )

    digests.lead_digests_tick()

    assert re.search(r"- Average satisfaction: 4(\.0)?\n", mailoutbox[0].body), mailoutbox[0].body


def test_a_lead_without_active_programs_gets_no_digest(clock, running, lead, mailoutbox):
    Program.objects.filter(pk=running.pk).update(status=Program.Status.CLOSED)

    digests.lead_digests_tick()

    assert mailoutbox == []
