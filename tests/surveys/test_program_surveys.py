from __future__ import annotations

import datetime as dt

import pytest

from pairing.models import Enrollment, Pair
from programs.models import Program
from surveys import services
from surveys.models import SurveyInvitation
from tests.factories import UserFactory
from tests.surveys import builders

pytestmark = pytest.mark.django_db

STARTS, ENDS = dt.date(2026, 2, 2), dt.date(2026, 4, 13)  # midpoint: 2026-03-09


@pytest.fixture
def program(clock, lead):
    return builders.running_program(starts_on=STARTS, ends_on=ENDS, leads=[lead])


@pytest.fixture
def pairs(program):
    return [builders.active_pair(program) for _ in range(2)]


def test_the_mid_program_survey_waits_for_the_midpoint(clock, pairs, mailoutbox):
    clock.move_to(builders.at(2026, 3, 8, 23, 59, 59))
    services.program_surveys_tick()
    assert mailoutbox == []

    clock.move_to(builders.at(2026, 3, 9))
    outcome = services.program_surveys_tick()

    assert outcome.sent == 4
    assert set(SurveyInvitation.objects.values_list("kind", flat=True)) == {"mid_program"}
    assert "Half-way" in mailoutbox[0].subject


def test_the_mid_program_survey_goes_once_to_every_participant(clock, pairs, mailoutbox):
    clock.move_to(builders.at(2026, 3, 9, 8))
    services.program_surveys_tick()
    clock.move_to(builders.at(2026, 3, 10, 8))

    again = services.program_surveys_tick()

    assert again.sent == 0 and len(mailoutbox) == 4


def test_the_program_survey_job_reports_the_invitations_it_created(clock, pairs, mailoutbox):
    from surveys.tasks import tick_program_surveys

    clock.move_to(builders.at(2026, 3, 9, 8))
    first = tick_program_surveys()
    clock.move_to(builders.at(2026, 3, 9, 8, 1))
    second = tick_program_surveys()

    assert SurveyInvitation.objects.filter(kind="mid_program").count() == 4
    assert (first["created"], first["sent"]) == (4, 4)
    assert (second["created"], second["sent"]) == (0, 0)


def test_people_who_withdrew_or_are_not_in_a_pair_get_no_program_survey(clock, program, pairs, mailoutbox):
    Enrollment.objects.filter(pk=pairs[0].mentee_id).update(status=Enrollment.Status.WITHDRAWN)
    builders.enroll(program, UserFactory(), "mentee")  # approved but never matched
    clock.move_to(builders.at(2026, 3, 9, 8))

    services.program_surveys_tick()

    assert len(mailoutbox) == 3
    assert pairs[0].mentee.user.email not in [m.to[0] for m in mailoutbox]


def test_the_end_survey_goes_out_on_the_last_day_and_is_stamped_on_the_program(
    clock, program, pairs, mailoutbox
):
    Pair.objects.filter(pk=pairs[1].pk).update(status=Pair.Status.COMPLETED)
    clock.move_to(builders.at(2026, 4, 12, 23))
    services.program_surveys_tick()
    assert set(SurveyInvitation.objects.values_list("kind", flat=True)) == {"mid_program"}

    clock.move_to(builders.at(2026, 4, 13, 0))
    outcome = services.program_surveys_tick()

    assert outcome.sent == 4
    assert SurveyInvitation.objects.filter(kind="end_program", sent_at__isnull=False).count() == 4
    program.refresh_from_db()
    assert program.end_survey_sent_at == builders.at(2026, 4, 13, 0)
    assert not program.close_needs_survey_confirmation


def test_no_mid_program_survey_once_the_program_has_ended(clock, program, pairs):
    clock.move_to(builders.at(2026, 4, 20))

    services.program_surveys_tick()

    assert set(SurveyInvitation.objects.values_list("kind", flat=True)) == {"end_program"}


def test_a_program_without_the_surveys_switched_on_sends_none(clock, program, pairs, mailoutbox):
    Program.objects.filter(pk=program.pk).update(survey_mid_program=False, survey_end_program=False)
    clock.move_to(builders.at(2026, 4, 13, 8))

    services.program_surveys_tick()

    assert mailoutbox == []
    program.refresh_from_db()
    assert program.end_survey_sent_at is None


def test_a_closed_program_gets_no_end_survey(clock, program, pairs, mailoutbox):
    Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
    clock.move_to(builders.at(2026, 4, 14))

    services.program_surveys_tick()

    assert mailoutbox == []


def test_the_end_invitation_announces_the_skill_comparison(clock, program, pairs, mailoutbox):
    clock.move_to(builders.at(2026, 4, 13, 8))

    services.program_surveys_tick()

    assert "rate your skills again" in mailoutbox[0].body
    assert "next to your own ratings from enrolment" in mailoutbox[0].body
