from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programs import services
from programs.models import (
    AgreementVersion,
    ConfidentialityRule,
    Direction,
    Goal,
    OrgChange,
    Program,
    ProgramChange,
    SurveyQuestion,
    Topic,
)
from tests.factories import UserFactory

from .conftest import set_status

pytestmark = pytest.mark.django_db


# --- section updates and history ------------------------------------------------------------


def test_updating_a_section_saves_it_and_records_old_and_new_values(draft, hr_admin):
    services.program_update(program=draft, actor=hr_admin, section="framework",
                            data={"session_minutes": 60, "cadence_weeks": 2})
    draft.refresh_from_db()
    assert draft.session_minutes == 60
    change = draft.changes.filter(area="framework").get()
    assert change.changes == {"session_minutes": [45, 60]}
    assert change.actor == hr_admin and "session length" in change.summary


def test_saving_a_section_unchanged_records_nothing(draft, hr_admin):
    services.program_update(program=draft, actor=hr_admin, section="framework", data={"session_minutes": 45})
    assert not draft.changes.filter(area="framework").exists()


def test_a_section_update_is_validated_and_nothing_is_half_saved(draft, hr_admin):
    with pytest.raises(ValidationError):
        services.program_update(program=draft, actor=hr_admin, section="overview", data={
            "name": "Renamed", "starts_on": dt.date(2027, 3, 1), "ends_on": dt.date(2027, 1, 1)})
    draft.refresh_from_db()
    assert draft.name == "Reverse mentoring 2027" and draft.starts_on is None
    assert not draft.changes.filter(area="overview").exists()


def test_the_anonymity_threshold_never_goes_below_3(draft, hr_admin):
    with pytest.raises(ValidationError) as error:
        services.program_update(program=draft, actor=hr_admin, section="confidentiality",
                                data={"anonymity_k": 2})
    assert "anonymity_k" in error.value.message_dict


def test_a_section_cannot_write_fields_of_another_section(draft, hr_admin):
    with pytest.raises(ValueError, match="not part of section"):
        services.program_update(program=draft, actor=hr_admin, section="framework",
                                data={"status": "running"})


def test_dates_in_the_history_are_stored_as_text(draft, hr_admin):
    services.program_update(program=draft, actor=hr_admin, section="overview",
                            data={"starts_on": dt.date(2027, 2, 1)})
    assert draft.changes.get(area="overview").changes == {"starts_on": [None, "2027-02-01"]}


def test_long_texts_are_shortened_in_the_history(draft, hr_admin):
    services.program_update(program=draft, actor=hr_admin, section="framework",
                            data={"mentor_responsibilities": "x" * 1000})
    old, new = draft.changes.get(area="framework").changes["mentor_responsibilities"]
    assert len(new) == services.HISTORY_TEXT_LIMIT and new.endswith("…")
    draft.refresh_from_db()
    assert len(draft.mentor_responsibilities) == 1000


# --- agreement versions ---------------------------------------------------------------------


def test_editing_a_draft_agreement_changes_it_in_place(draft, hr_admin):
    version = services.agreement_save(program=draft, actor=hr_admin, text="Our rules, version one.")
    assert version.version == 1 and not version.is_published
    assert draft.agreement_versions.count() == 1
    assert draft.agreement_versions.get().text == "Our rules, version one."


def test_editing_a_published_agreement_creates_the_next_version(draft, hr_admin):
    published = services.agreement_publish(program=draft, actor=hr_admin)
    original_text, published_at = published.text, published.published_at
    new = services.agreement_save(program=draft, actor=hr_admin, text="Clearer rules.")
    assert new.version == 2 and not new.is_published
    published.refresh_from_db()
    assert published.text == original_text and published.published_at == published_at
    assert draft.current_agreement() == published  # v2 is only a draft


def test_publish_now_publishes_the_new_version_at_once(draft, hr_admin):
    services.agreement_publish(program=draft, actor=hr_admin)
    new = services.agreement_save(program=draft, actor=hr_admin, text="Clearer rules.", publish=True)
    assert new.version == 2 and new.is_published
    assert draft.current_agreement() == new


def test_a_published_version_is_never_modified_even_when_saved_twice(draft, hr_admin):
    services.agreement_save(program=draft, actor=hr_admin, text="v1", publish=True)
    services.agreement_save(program=draft, actor=hr_admin, text="v2", publish=True)
    services.agreement_save(program=draft, actor=hr_admin, text="v3 draft")
    services.agreement_save(program=draft, actor=hr_admin, text="v3 draft, edited")
    texts = dict(AgreementVersion.objects.filter(program=draft).values_list("version", "text"))
    assert texts == {1: "v1", 2: "v2", 3: "v3 draft, edited"}


def test_saving_the_published_text_unchanged_is_refused(draft, hr_admin):
    version = services.agreement_publish(program=draft, actor=hr_admin)
    with pytest.raises(ValidationError, match="same as the published version"):
        services.agreement_save(program=draft, actor=hr_admin, text=version.text)
    assert draft.agreement_versions.count() == 1


def test_publishing_twice_is_refused(draft, hr_admin):
    services.agreement_publish(program=draft, actor=hr_admin)
    with pytest.raises(ValidationError, match="already published"):
        services.agreement_publish(program=draft, actor=hr_admin)


def test_agreement_changes_are_recorded(draft, hr_admin):
    services.agreement_publish(program=draft, actor=hr_admin)
    services.agreement_save(program=draft, actor=hr_admin, text="New text")
    summaries = list(draft.changes.filter(area="agreement").values_list("summary", flat=True))
    assert summaries == ["Drafted agreement version 2", "Published agreement version 1"]


# --- cloning --------------------------------------------------------------------------------


def test_a_clone_copies_the_configuration_but_not_status_dates_or_history(ready, hr_admin, lead):
    services.program_update(program=ready, actor=hr_admin, section="framework", data={"session_minutes": 50})
    ready = set_status(ready, Program.Status.RUNNING)
    clone = services.program_clone(program=ready, actor=hr_admin, name="Cohort 3")
    assert clone.status == Program.Status.DRAFT and clone.cloned_from == ready
    assert clone.enrolment_opens is None and clone.starts_on is None and clone.ends_on is None
    assert clone.session_minutes == 50
    assert list(clone.leads.all()) == [lead]
    assert clone.program_topics.count() == ready.program_topics.count()
    titles = list(ready.goals.values_list("title", flat=True))
    assert list(clone.goals.values_list("title", flat=True)) == titles
    assert clone.confidentiality_rules.count() == ready.confidentiality_rules.count()
    assert clone.survey_questions.count() == ready.survey_questions.count()
    assert clone.resources.count() == ready.resources.count()
    agreement = clone.agreement_versions.get()
    assert agreement.version == 1 and not agreement.is_published
    assert agreement.text == ready.current_agreement().text
    # The original keeps its rows.
    assert ready.goals.count() == clone.goals.count()
    assert clone.changes.count() == 1 and "Cloned from" in clone.changes.get().summary


# --- leads, topics, list items --------------------------------------------------------------


def test_leads_are_added_once_and_removed(draft, hr_admin, lead):
    assert services.program_lead_add(program=draft, actor=hr_admin, user=lead) is True
    assert services.program_lead_add(program=draft, actor=hr_admin, user=lead) is False
    assert list(draft.leads.all()) == [lead]
    assert services.program_lead_remove(program=draft, actor=hr_admin, user=lead) is True
    assert not draft.leads.exists()
    assert draft.changes.filter(area="leads").count() == 2


def test_a_deactivated_person_cannot_become_a_lead(draft, hr_admin):
    former = UserFactory(is_active=False)
    with pytest.raises(ValidationError, match="deactivated"):
        services.program_lead_add(program=draft, actor=hr_admin, user=former)


def test_choosing_topics_adds_and_removes_per_direction(draft, hr_admin):
    ai = Topic.objects.get(name="Generative AI")
    industry = Topic.objects.get(name="Industry knowledge")
    changed = services.program_topics_set(program=draft, actor=hr_admin, junior_teaches=[ai],
                                          senior_teaches=[industry, ai])
    assert changed is True
    assert set(draft.program_topics.values_list("topic__name", "direction")) == {
        ("Generative AI", Direction.JUNIOR_TEACHES), ("Industry knowledge", Direction.SENIOR_TEACHES),
        ("Generative AI", Direction.SENIOR_TEACHES)}
    assert services.program_topics_set(program=draft, actor=hr_admin, junior_teaches=[ai],
                                       senior_teaches=[industry, ai]) is False
    assert draft.changes.filter(area="topics").count() == 1


def test_new_list_items_go_to_the_end_and_can_move(draft, hr_admin):
    rule = services.program_item_create(program=draft, actor=hr_admin, slug="rules",
                                        data={"text": "Be on time."})
    orders = list(draft.confidentiality_rules.values_list("text", flat=True))
    assert orders[-1] == "Be on time." and rule.order == len(orders) - 1
    assert services.program_item_move(item=rule, actor=hr_admin, up=True) is True
    assert list(draft.confidentiality_rules.values_list("text", flat=True))[-2] == "Be on time."
    last = draft.confidentiality_rules.last()
    assert services.program_item_move(item=last, actor=hr_admin, up=False) is False
    first = draft.confidentiality_rules.first()
    assert services.program_item_move(item=first, actor=hr_admin, up=True) is False


def test_survey_questions_are_ordered_within_their_survey(draft, hr_admin):
    question = services.program_item_create(program=draft, actor=hr_admin, slug="questions", data={
        "survey": SurveyQuestion.Survey.MID_PROGRAM, "kind": "text", "text": "Anything else?"})
    mid = list(draft.survey_questions.filter(survey="mid_program"))
    assert mid[-1] == question and question.order == len(mid) - 1
    services.program_item_update(item=question, actor=hr_admin,
                                 data={"survey": SurveyQuestion.Survey.AFTER_SESSION})
    question.refresh_from_db()
    after = list(draft.survey_questions.filter(survey="after_session"))
    assert after[-1] == question


def test_an_invalid_goal_is_refused_with_a_message_for_its_field(draft, hr_admin):
    count = draft.goals.count()
    with pytest.raises(ValidationError) as error:
        services.program_item_create(program=draft, actor=hr_admin, slug="goals", data={
            "title": "Happy", "kind": Goal.Kind.SATISFACTION, "target": 7})
    assert "target" in error.value.message_dict
    assert draft.goals.count() == count


def test_editing_and_deleting_items_is_recorded(draft, hr_admin):
    rule = draft.confidentiality_rules.first()
    services.program_item_update(item=rule, actor=hr_admin, data={"text": "Shorter rule."})
    services.program_item_delete(item=rule, actor=hr_admin)
    assert not ConfidentialityRule.objects.filter(pk=rule.pk).exists()
    changes = list(draft.changes.filter(area="confidentiality"))
    assert changes[0].summary == "Removed “Shorter rule.”"
    assert changes[1].changes["text"][1] == "Shorter rule."


def test_list_items_of_a_closed_program_cannot_change(ready, hr_admin):
    program = set_status(ready, Program.Status.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        services.program_item_create(program=program, actor=hr_admin, slug="rules",
                                     data={"text": "Late rule"})
    with pytest.raises(ValidationError, match="closed"):
        services.agreement_save(program=program, actor=hr_admin, text="Late change")


# --- topic catalogue ------------------------------------------------------------------------


def test_topic_names_are_unique_whatever_their_case(hr_admin):
    services.topic_create(actor=hr_admin, name="Podcasting")
    with pytest.raises(ValidationError, match="already exists"):
        services.topic_create(actor=hr_admin, name="  podcasting ")
    assert OrgChange.objects.filter(area="topics").count() == 1


def test_a_topic_can_be_renamed_and_the_change_is_audited(hr_admin):
    topic = services.topic_create(actor=hr_admin, name="Podcasts")
    services.topic_update(topic=topic, actor=hr_admin, name="Podcasting", description="Audio",
                          usual_direction=Direction.JUNIOR_TEACHES)
    topic.refresh_from_db()
    assert topic.name == "Podcasting"
    assert OrgChange.objects.filter(area="topics").first().changes["name"] == ["Podcasts", "Podcasting"]


def test_history_entries_name_the_actor(draft, hr_admin):
    assert set(ProgramChange.objects.filter(program=draft).values_list("actor", flat=True)) == {hr_admin.pk}
    assert ProgramChange.objects.filter(program=draft).first().at <= timezone.now()
