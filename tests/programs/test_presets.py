from __future__ import annotations

import pytest

from programs import presets, services
from programs.models import Direction, Goal, Program, ProgramChange, Resource, SurveyQuestion, Topic

pytestmark = pytest.mark.django_db


def test_a_new_program_starts_as_a_draft_filled_from_the_template(draft):
    assert draft.status == Program.Status.DRAFT
    assert draft.cadence_weeks == 2 and draft.session_minutes == 45 and draft.min_sessions == 6
    assert draft.meeting_modes == Program.MeetingModes.EITHER
    assert "expert" in draft.mentor_responsibilities and "learn" in draft.mentee_responsibilities
    assert draft.communication_guidelines
    assert draft.confidentiality_rules.count() == len(presets.CONFIDENTIALITY_RULES) >= 5
    assert list(draft.confidentiality_rules.values_list("order", flat=True)) == list(range(6))


def test_the_template_covers_topics_in_both_directions(draft):
    topics = draft.program_topics.values_list("topic__name", flat=True)
    junior = set(topics.filter(direction=Direction.JUNIOR_TEACHES))
    senior = set(topics.filter(direction=Direction.SENIOR_TEACHES))
    assert {"Social media", "Generative AI", "Cloud services"} <= junior and len(junior) == 7
    assert {"Industry knowledge", "Stakeholder management", "Career development"} <= senior
    assert len(senior) == 6


def test_the_agreement_starts_as_an_unpublished_draft_version_1(draft):
    version = draft.agreement_versions.get()
    assert version.version == 1 and not version.is_published
    assert "without blame" in version.text.lower() or "nobody is blamed" in version.text.lower()
    assert draft.current_agreement() is None


def test_the_goals_cover_several_measurable_kinds(draft):
    kinds = set(draft.goals.values_list("kind", flat=True))
    assert {Goal.Kind.SESSIONS_REACHED, Goal.Kind.SATISFACTION, Goal.Kind.SKILL_GAIN} <= kinds
    skill = draft.goals.filter(kind=Goal.Kind.SKILL_GAIN)
    assert {g.direction for g in skill} == {Direction.JUNIOR_TEACHES, Direction.SENIOR_TEACHES}
    for goal in draft.goals.all():
        goal.full_clean()


def test_each_survey_has_questions_as_specified(draft):
    after = list(draft.survey_questions.filter(survey=SurveyQuestion.Survey.AFTER_SESSION))
    assert any(q.kind == "rating" and q.measures_satisfaction for q in after)
    assert any(q.kind == "text" for q in after)
    assert any(q.kind == "rating" and q.first_session_only for q in after)
    end = {q.kind for q in draft.survey_questions.filter(survey=SurveyQuestion.Survey.END_PROGRAM)}
    assert {"recommendation", "skills", "text"} <= end
    assert draft.survey_questions.filter(survey=SurveyQuestion.Survey.MID_PROGRAM).count() >= 2
    # Orders run 0, 1, 2… within each survey.
    assert [q.order for q in after] == list(range(len(after)))


def test_one_training_resource_is_required_before_matching(draft):
    assert draft.resources.count() >= 3
    assert draft.resources.filter(required_before_matching=True).count() == 1
    assert set(draft.resources.values_list("audience", flat=True)) == set(Resource.Audience.values)


def test_topics_are_shared_by_every_program_and_never_duplicated(hr_admin):
    Topic.objects.create(name="generative ai", usual_direction=Direction.JUNIOR_TEACHES)
    services.program_create_from_template(name="A", actor=hr_admin)
    services.program_create_from_template(name="B", actor=hr_admin)
    assert Topic.objects.count() == len(presets.TOPICS)
    assert Topic.objects.filter(name__iexact="generative ai").count() == 1


def test_creating_from_the_template_is_recorded_in_the_history(draft, hr_admin):
    change = ProgramChange.objects.get(program=draft)
    assert change.actor == hr_admin and "template" in change.summary


def test_a_start_date_without_an_end_date_gives_six_months(hr_admin):
    import datetime as dt

    program = services.program_create_from_template(name="Six months", actor=hr_admin,
                                                    starts_on=dt.date(2027, 1, 4))
    assert program.ends_on == dt.date(2027, 7, 5)
    assert program.duration_weeks == 26


def test_the_presets_module_offers_the_create_service_too(hr_admin):
    program = presets.program_create_from_template(name="Via presets", actor=hr_admin)
    assert program.program_topics.count() == 13


def test_the_template_ships_a_curated_menu_with_agendas_and_kits_in_both_directions(draft):
    menu = {(pt.topic.name, pt.direction): pt for pt in draft.program_topics.select_related("topic")}
    curated = [("Generative AI", Direction.JUNIOR_TEACHES), ("Social media", Direction.JUNIOR_TEACHES),
               ("New ways of working / collaboration tools", Direction.JUNIOR_TEACHES),
               ("Data & analytics tools", Direction.JUNIOR_TEACHES),
               ("How younger customers buy", Direction.JUNIOR_TEACHES),
               ("Stakeholder management", Direction.SENIOR_TEACHES),
               ("Reading the business", Direction.SENIOR_TEACHES),
               ("Career development", Direction.SENIOR_TEACHES)]
    for key in curated:
        item = menu[key]
        assert len(item.agenda_steps) >= 3, key
        assert item.prep_exercise.strip() and len(item.question_list) >= 2, key
    ai = menu[("Generative AI", Direction.JUNIOR_TEACHES)]
    assert all(url.startswith("https://") for _title, url in ai.link_list) and len(ai.link_list) == 2
    assert "Checking the output" in ai.agenda
