from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from programs import lifecycle, services
from programs.models import Direction, Program, ProgramChange, SurveyQuestion

from .conftest import enroll, set_status

pytestmark = pytest.mark.django_db


def test_a_template_draft_lists_what_is_missing_in_words(draft):
    assert draft.missing_for_next_step() == [
        "Publish the agreement",
        "Set the enrolment dates",
        "Set when the program starts and ends",
        "Assign a program lead",
    ]
    sections = [m.section for m in draft.missing_items_for_next_step()]
    assert sections == ["agreement", "overview", "overview", "leads"]


def test_enrolment_cannot_open_without_a_published_agreement(ready, hr_admin):
    ready.agreement_versions.update(published_at=None)
    with pytest.raises(ValidationError) as error:
        services.program_advance(program=ready, actor=hr_admin)
    assert "Publish the agreement" in error.value.messages
    ready.refresh_from_db()
    assert ready.status == Program.Status.DRAFT


def test_enrolment_cannot_open_without_a_topic_in_each_direction(ready, hr_admin):
    ready.program_topics.filter(direction=Direction.SENIOR_TEACHES).delete()
    with pytest.raises(ValidationError, match="at least one topic in each direction"):
        services.program_advance(program=ready, actor=hr_admin)


def test_enrolment_cannot_open_without_the_framework_roles(ready, hr_admin):
    Program.objects.filter(pk=ready.pk).update(mentee_responsibilities=" ")
    ready.refresh_from_db()
    assert "Describe the roles and responsibilities of mentors and mentees" in ready.missing_for_next_step()


def test_a_survey_that_is_on_needs_questions(ready):
    ready.survey_questions.filter(survey=SurveyQuestion.Survey.MID_PROGRAM).delete()
    assert "Add questions to the mid-program survey (or turn it off)" in ready.missing_for_next_step()
    Program.objects.filter(pk=ready.pk).update(survey_mid_program=False)
    ready.refresh_from_db()
    assert ready.missing_for_next_step() == []


def test_a_complete_draft_opens_enrolment_and_records_it(ready, hr_admin):
    program = services.program_advance(program=ready, actor=hr_admin)
    assert program.status == Program.Status.ENROLLING
    change = ProgramChange.objects.filter(program=ready, area="status").get()
    assert change.changes == {"status": ["draft", "enrolling"]} and change.actor == hr_admin


def test_a_program_moves_only_one_step_at_a_time(ready, hr_admin):
    services.program_advance(program=ready, actor=hr_admin)
    ready.refresh_from_db()
    assert ready.next_status == Program.Status.MATCHING


def test_matching_waits_for_someone_to_enrol(ready, hr_admin, mentee):
    services.program_advance(program=ready, actor=hr_admin)
    ready.refresh_from_db()
    if hasattr(Program, "enrollments"):
        assert "Wait for people to enrol (nobody has enrolled yet)" in ready.missing_for_next_step()
        enroll(ready, mentee)
    assert ready.missing_for_next_step() == []
    assert services.program_advance(program=ready, actor=hr_admin).status == Program.Status.MATCHING


def test_closing_waits_for_the_end_date(ready, hr_admin):
    program = set_status(ready, Program.Status.RUNNING)
    Program.objects.filter(pk=program.pk).update(end_survey_sent_at=timezone.now())
    assert program.ends_on > timezone.localdate()
    with pytest.raises(ValidationError, match="Wait until the program ends"):
        services.program_advance(program=program, actor=hr_admin)


def test_closing_with_an_unsent_end_survey_needs_confirmation(ready, hr_admin):
    program = set_status(ready, Program.Status.RUNNING)
    with time_machine.travel(program.ends_on + dt.timedelta(days=1)):
        assert program.missing_for_next_step() == []
        with pytest.raises(ValidationError, match="end-of-program survey has not been sent"):
            services.program_advance(program=program, actor=hr_admin)
        program.refresh_from_db()
        assert program.status == Program.Status.RUNNING
        closed = services.program_advance(program=program, actor=hr_admin, confirm_unsent_surveys=True)
    assert closed.status == Program.Status.CLOSED
    assert "without sending" in ProgramChange.objects.filter(program=program, area="status").first().summary


def test_closing_after_the_end_survey_went_out_needs_no_confirmation(ready, hr_admin):
    program = set_status(ready, Program.Status.RUNNING)
    Program.objects.filter(pk=program.pk).update(end_survey_sent_at=timezone.now())
    program.refresh_from_db()
    assert not program.close_needs_survey_confirmation
    closing_day = dt.datetime.combine(program.ends_on + dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC)
    with time_machine.travel(closing_day, tick=False):
        assert services.program_advance(program=program, actor=hr_admin).status == Program.Status.CLOSED
    program.refresh_from_db()
    assert program.closed_at == closing_day  # the certificates job announces certificates from then


def test_a_program_without_an_end_survey_closes_without_confirmation(ready, hr_admin):
    program = set_status(ready, Program.Status.RUNNING)
    Program.objects.filter(pk=program.pk).update(survey_end_program=False)
    program.refresh_from_db()
    with time_machine.travel(program.ends_on + dt.timedelta(days=1)):
        assert services.program_advance(program=program, actor=hr_admin).status == Program.Status.CLOSED


def test_a_closed_program_has_no_next_step_and_is_read_only(ready, hr_admin):
    program = set_status(ready, Program.Status.CLOSED)
    assert program.next_status is None and program.missing_for_next_step() == []
    with pytest.raises(ValidationError, match="no next step"):
        services.program_advance(program=program, actor=hr_admin)
    with pytest.raises(ValidationError, match="closed"):
        services.program_update(program=program, actor=hr_admin, section="framework",
                                data={"session_minutes": 60})


def test_other_apps_can_add_a_rule_for_a_step(ready, hr_admin, monkeypatch):
    monkeypatch.setitem(lifecycle._CHECKS, "enrolling", [])
    lifecycle.register_step_check("enrolling", lambda program: "Publish the pairs")
    assert ready.missing_for_next_step() == ["Publish the pairs"]
    with pytest.raises(ValidationError, match="Publish the pairs"):
        services.program_advance(program=ready, actor=hr_admin)


def test_registering_a_rule_for_an_unknown_status_fails_loudly():
    with pytest.raises(ValueError, match="Unknown lifecycle status"):
        lifecycle.register_step_check("archived", lambda program: None)
