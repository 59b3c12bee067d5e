"""The HR program pages: each view's happy path checks the database; outsiders get 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from programs.models import AgreementVersion, Goal, Program, ProgramChange, SurveyQuestion, Topic

from .conftest import enroll, set_status

pytestmark = pytest.mark.django_db

# (url name, extra kwargs, methods the view answers)
HR_URLS = [
    ("programs:list", {}, ["GET"]),
    ("programs:new", {}, ["GET", "POST"]),
    ("programs:detail", {"pk": None}, ["GET"]),
    ("programs:edit", {"pk": None, "section": "framework"}, ["GET", "POST"]),
    ("programs:program_topics", {"pk": None}, ["GET", "POST"]),
    ("programs:item_add", {"pk": None, "kind": "goals"}, ["GET", "POST"]),
    ("programs:item_edit", {"pk": None, "kind": "goals", "item_pk": None}, ["GET", "POST"]),
    ("programs:item_delete", {"pk": None, "kind": "goals", "item_pk": None}, ["POST"]),
    ("programs:item_move", {"pk": None, "kind": "goals", "item_pk": None}, ["POST"]),
    ("programs:agreement", {"pk": None}, ["GET", "POST"]),
    ("programs:agreement_publish", {"pk": None}, ["POST"]),
    ("programs:advance", {"pk": None}, ["POST"]),
    ("programs:clone", {"pk": None}, ["GET", "POST"]),
    ("programs:history", {"pk": None}, ["GET"]),
    ("programs:lead_add", {"pk": None}, ["POST"]),
    ("programs:topics", {}, ["GET", "POST"]),
]


def _url(name: str, kwargs: dict, program: Program) -> str:
    filled = dict(kwargs)
    if "pk" in filled:
        filled["pk"] = program.pk
    if "item_pk" in filled:
        filled["item_pk"] = program.goals.first().pk
    return reverse(name, kwargs=filled)


@pytest.mark.parametrize(("name", "kwargs", "methods"), HR_URLS)
def test_outsiders_get_404_and_change_nothing(outsider_client, draft, name, kwargs, methods):
    url = _url(name, kwargs, draft)
    changes = ProgramChange.objects.count()
    for method in methods:
        response = getattr(outsider_client, method.lower())(url, {"text": "x", "direction": "up"})
        assert response.status_code == 404, (method, url)
    assert ProgramChange.objects.count() == changes


@pytest.mark.parametrize(("name", "kwargs", "methods"), HR_URLS)
def test_wrong_methods_get_405(hr_client, draft, name, kwargs, methods):
    url = _url(name, kwargs, draft)
    for method in {"GET", "POST", "PUT", "DELETE"} - set(methods):
        assert getattr(hr_client, method.lower())(url).status_code == 405, (method, url)


@pytest.mark.parametrize(("name", "kwargs", "methods"), HR_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, draft, name, kwargs, methods):
    response = client.get(_url(name, kwargs, draft))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_program_lead_cannot_reach_the_hr_pages(client, lead, draft):
    draft.leads.add(lead)
    client.force_login(lead)
    assert client.get(reverse("programs:edit", args=[draft.pk, "framework"])).status_code == 404
    assert client.post(reverse("programs:advance", args=[draft.pk])).status_code == 404


# --- list and new ----------------------------------------------------------------------------


def test_the_list_shows_each_program_with_its_next_missing_step(hr_client, draft, ready):
    response = hr_client.get(reverse("programs:list"))
    html = response.content.decode()
    assert draft.name in html and ready.name in html
    assert "Publish the agreement, and 3 more" in html
    assert "Ready: Open enrolment" in html


def test_the_list_costs_the_same_queries_for_one_or_many_programs(hr_client, hr_admin, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hr_client.get(reverse("programs:list"))  # warm up the session bookkeeping
    with CaptureQueriesContext(connection) as one:
        hr_client.get(reverse("programs:list"))
    from programs import services

    for i in range(4):
        services.program_create_from_template(name=f"More {i}", actor=hr_admin)
    with CaptureQueriesContext(connection) as five:
        hr_client.get(reverse("programs:list"))
    assert len(five) == len(one)


def test_an_empty_list_offers_the_template(hr_client):
    html = hr_client.get(reverse("programs:list")).content.decode()
    assert "No programs yet." in html and reverse("programs:new") in html


def test_creating_a_program_starts_from_the_template(hr_client, hr_admin):
    response = hr_client.post(reverse("programs:new"), {
        "name": "Spring 2027", "cohort": "2027 spring", "enrolment_opens": "2027-01-04",
        "enrolment_closes": "2027-01-25", "starts_on": "2027-02-01", "ends_on": ""})
    program = Program.objects.get(name="Spring 2027")
    assert response.status_code == 302 and response.url == reverse("programs:detail", args=[program.pk])
    assert program.created_by == hr_admin and program.status == Program.Status.DRAFT
    assert program.ends_on == dt.date(2027, 8, 2)
    assert program.program_topics.count() == 13 and program.agreement_versions.count() == 1


def test_a_new_program_with_dates_out_of_order_is_shown_again_with_the_error(hr_client):
    response = hr_client.post(reverse("programs:new"), {
        "name": "Backwards", "enrolment_opens": "2027-02-01", "enrolment_closes": "2027-01-01"})
    assert response.status_code == 200
    assert "Dates must run in order" in response.content.decode()
    assert not Program.objects.exists()


def test_a_new_program_needs_a_name(hr_client):
    response = hr_client.post(reverse("programs:new"), {"name": "  "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Program.objects.exists()


# --- program page ----------------------------------------------------------------------------


def test_the_program_page_shows_every_section_and_the_status_bar(hr_client, draft):
    html = hr_client.get(reverse("programs:detail", args=[draft.pk])).content.decode()
    for anchor in ("status", "overview", "goals", "topics", "framework", "confidentiality", "agreement",
                   "eligibility", "surveys", "resources", "leads", "history"):
        assert f'id="{anchor}"' in html
    assert 'aria-current="step">Draft' in html
    assert '<a href="#agreement">Publish the agreement</a>' in html
    assert "Open enrolment</button>" in html and "disabled" in html
    assert "Generative AI" in html and "Industry knowledge" in html


def test_the_program_page_costs_a_fixed_number_of_queries(hr_client, hr_admin, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs import services

    url = reverse("programs:detail", args=[draft.pk])
    hr_client.get(url)  # warm up the session bookkeeping
    with CaptureQueriesContext(connection) as before:
        hr_client.get(url)
    for i in range(5):
        services.program_item_create(program=draft, actor=hr_admin, slug="rules", data={"text": f"Rule {i}"})
        services.program_item_create(program=draft, actor=hr_admin, slug="resources",
                                     data={"title": f"R{i}", "url": "https://example.com"})
    with CaptureQueriesContext(connection) as after:
        hr_client.get(url)
    assert len(after) == len(before)


def test_leads_and_participants_are_sent_to_the_participant_page(client, lead, mentee, ready):
    ready.leads.add(lead)
    client.force_login(lead)
    response = client.get(reverse("programs:detail", args=[ready.pk]))
    assert response.status_code == 302 and response.url == reverse("programs:about", args=[ready.pk])
    enroll(ready, mentee)
    client.force_login(mentee)
    response = client.get(reverse("programs:detail", args=[ready.pk]))
    assert response.url == reverse("programs:about", args=[ready.pk])


def test_an_unknown_program_is_404(hr_client):
    assert hr_client.get(reverse("programs:detail", args=[999999])).status_code == 404


# --- sections --------------------------------------------------------------------------------


def _framework(**overrides) -> dict:
    data = {"mentor_responsibilities": "Teach", "mentee_responsibilities": "Learn", "cadence_weeks": "3",
            "session_minutes": "60", "min_sessions": "5", "meeting_modes": "video",
            "video_link_template": "https://meet.example.com/flipside-{pair}",
            "reschedule_cutoff_hours": "24"}
    return {**data, **overrides}


def test_editing_the_framework_saves_it_and_records_the_change(hr_client, hr_admin, draft):
    response = hr_client.post(reverse("programs:edit", args=[draft.pk, "framework"]), _framework())
    assert response.status_code == 302 and response.url.endswith("#framework")
    draft.refresh_from_db()
    assert (draft.cadence_weeks, draft.session_minutes, draft.meeting_modes) == (3, 60, "video")
    change = draft.changes.get(area="framework")
    assert change.actor == hr_admin and change.changes["session_minutes"] == [45, 60]


def test_a_bad_framework_value_is_shown_next_to_its_field_and_nothing_is_saved(hr_client, draft):
    response = hr_client.post(reverse("programs:edit", args=[draft.pk, "framework"]),
                              _framework(session_minutes="5", cadence_weeks="abc"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the highlighted fields." in html
    assert "Ensure this value is greater than or equal to 15." in html and "Enter a whole number." in html
    draft.refresh_from_db()
    assert draft.session_minutes == 45 and not draft.changes.filter(area="framework").exists()


def test_level_bands_must_not_be_upside_down(hr_client, draft):
    response = hr_client.post(reverse("programs:edit", args=[draft.pk, "eligibility"]), {
        "mentor_level_min": "5", "mentor_level_max": "2", "mentee_level_min": "6", "mentee_level_max": "12",
        "min_level_gap": "2", "mentor_capacity": "1"})
    assert response.status_code == 200 and "The upper level must not be below the lower one." in \
        response.content.decode()
    draft.refresh_from_db()
    assert draft.mentor_level_min == 1


def test_an_unknown_section_is_404(hr_client, draft):
    assert hr_client.get(reverse("programs:edit", args=[draft.pk, "secrets"])).status_code == 404


def test_a_closed_program_cannot_be_edited(hr_client, ready):
    program = set_status(ready, Program.Status.CLOSED)
    response = hr_client.post(reverse("programs:edit", args=[program.pk, "framework"]), _framework())
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.session_minutes == 45


def test_choosing_topics_saves_both_directions(hr_client, draft):
    ai, industry = Topic.objects.get(name="Generative AI"), Topic.objects.get(name="Industry knowledge")
    response = hr_client.post(reverse("programs:program_topics", args=[draft.pk]),
                              {"junior_teaches": [ai.pk], "senior_teaches": [industry.pk, ai.pk]})
    assert response.status_code == 302
    assert draft.program_topics.count() == 3
    assert draft.changes.filter(area="topics").exists()


def test_an_unknown_topic_is_refused(hr_client, draft):
    response = hr_client.post(reverse("programs:program_topics", args=[draft.pk]),
                              {"junior_teaches": [999999]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert draft.program_topics.count() == 13


# --- list items ------------------------------------------------------------------------------


def test_adding_a_goal_appends_it(hr_client, draft):
    response = hr_client.post(reverse("programs:item_add", args=[draft.pk, "goals"]), {
        "title": "Half answer surveys", "kind": "response_rate", "target": "50"})
    assert response.status_code == 302 and response.url.endswith("#goals")
    goal = draft.goals.last()
    assert goal.title == "Half answer surveys" and goal.target == 50
    assert draft.changes.filter(area="goals", summary__contains="Half answer surveys").exists()


def test_a_measurable_goal_without_a_target_is_refused(hr_client, draft):
    response = hr_client.post(reverse("programs:item_add", args=[draft.pk, "goals"]), {
        "title": "Vague", "kind": "satisfaction"})
    assert response.status_code == 200 and "A measurable goal needs a target." in response.content.decode()
    assert not Goal.objects.filter(title="Vague").exists()


def test_a_single_choice_question_needs_two_options(hr_client, draft):
    url = reverse("programs:item_add", args=[draft.pk, "questions"])
    response = hr_client.post(url, {"survey": "mid_program", "kind": "choice", "text": "Pick",
                                    "choices": "Only"})
    assert response.status_code == 200 and "at least two options" in response.content.decode()
    response = hr_client.post(url, {"survey": "mid_program", "kind": "choice", "text": "Pick",
                                    "choices": "Yes\n\n No \n", "required": "on"})
    assert response.status_code == 302
    assert SurveyQuestion.objects.get(program=draft, text="Pick").choices == ["Yes", "No"]


def test_the_add_question_page_preselects_the_survey(hr_client, draft):
    url = reverse("programs:item_add", args=[draft.pk, "questions"])
    response = hr_client.get(url + "?survey=end_program")
    assert '<option value="end_program" selected>' in response.content.decode()


def test_an_unknown_kind_of_list_is_404(hr_client, draft):
    assert hr_client.get(reverse("programs:item_add", args=[draft.pk, "secrets"])).status_code == 404


def test_editing_a_resource_saves_it(hr_client, draft):
    resource = draft.resources.first()
    response = hr_client.post(reverse("programs:item_edit", args=[draft.pk, "resources", resource.pk]), {
        "audience": "mentors", "title": "Read me", "url": "https://intranet.example.com/guide",
        "required_before_matching": "on"})
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.title, resource.audience, resource.url) == ("Read me", "mentors",
                                                                 "https://intranet.example.com/guide")


def test_a_resource_needs_a_link_or_a_text(hr_client, draft):
    resource = draft.resources.first()
    response = hr_client.post(reverse("programs:item_edit", args=[draft.pk, "resources", resource.pk]), {
        "audience": "both", "title": "Empty"})
    assert response.status_code == 200
    assert "Give a link or the text of the resource." in response.content.decode()
    resource.refresh_from_db()
    assert resource.title != "Empty"


def test_an_item_of_another_program_is_404(hr_client, draft, hr_admin):
    from programs import services

    other = services.program_create_from_template(name="Other", actor=hr_admin)
    foreign = other.goals.first()
    args = [draft.pk, "goals", foreign.pk]
    assert hr_client.get(reverse("programs:item_edit", args=args)).status_code == 404
    assert hr_client.post(reverse("programs:item_delete", args=args)).status_code == 404
    assert Goal.objects.filter(pk=foreign.pk).exists()


def test_removing_an_item_deletes_it(hr_client, draft):
    rule = draft.confidentiality_rules.first()
    response = hr_client.post(reverse("programs:item_delete", args=[draft.pk, "rules", rule.pk]))
    assert response.status_code == 302 and response.url.endswith("#confidentiality")
    assert not draft.confidentiality_rules.filter(pk=rule.pk).exists()


def test_moving_an_item_down_swaps_it_with_the_next(hr_client, draft):
    first, second = list(draft.goals.all())[:2]
    response = hr_client.post(reverse("programs:item_move", args=[draft.pk, "goals", first.pk]),
                              {"direction": "down"})
    assert response.status_code == 302
    assert list(draft.goals.all())[:2] == [second, first]


def test_a_move_without_a_direction_is_404(hr_client, draft):
    goal = draft.goals.first()
    response = hr_client.post(reverse("programs:item_move", args=[draft.pk, "goals", goal.pk]),
                              {"direction": "x"})
    assert response.status_code == 404


# --- agreement -------------------------------------------------------------------------------


def test_saving_the_agreement_edits_the_draft(hr_client, draft):
    response = hr_client.post(reverse("programs:agreement", args=[draft.pk]), {"text": "We agree."})
    assert response.status_code == 302
    version = draft.agreement_versions.get()
    assert version.text == "We agree." and not version.is_published


def test_publishing_from_the_agreement_page(hr_client, draft):
    response = hr_client.post(reverse("programs:agreement_publish", args=[draft.pk]))
    assert response.status_code == 302
    assert draft.current_agreement().version == 1


def test_editing_a_published_agreement_with_publish_now_makes_version_2(hr_client, draft):
    hr_client.post(reverse("programs:agreement_publish", args=[draft.pk]))
    response = hr_client.post(reverse("programs:agreement", args=[draft.pk]),
                              {"text": "New rules", "publish": "on"})
    assert response.status_code == 302
    versions = AgreementVersion.objects.filter(program=draft).order_by("-version")
    assert [(v.version, v.is_published) for v in versions] == [(2, True), (1, True)]


def test_an_empty_agreement_is_refused(hr_client, draft):
    response = hr_client.post(reverse("programs:agreement", args=[draft.pk]), {"text": "   "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert draft.agreement_versions.get().text != ""


def test_publishing_again_shows_a_message_not_an_error_page(hr_client, draft):
    hr_client.post(reverse("programs:agreement_publish", args=[draft.pk]))
    response = hr_client.post(reverse("programs:agreement_publish", args=[draft.pk]), follow=True)
    assert "already published" in response.content.decode()


# --- lifecycle, clone, history, leads -------------------------------------------------------


def test_opening_enrolment_from_the_status_bar(hr_client, ready):
    response = hr_client.post(reverse("programs:advance", args=[ready.pk]), follow=True)
    ready.refresh_from_db()
    assert ready.status == Program.Status.ENROLLING
    assert "is now enrolling" in response.content.decode()


def test_advancing_with_something_missing_lists_it_and_changes_nothing(hr_client, draft):
    response = hr_client.post(reverse("programs:advance", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == Program.Status.DRAFT
    assert "Publish the agreement" in response.content.decode()


def test_closing_needs_the_confirmation_box_while_the_end_survey_is_unsent(hr_client, ready):
    program = set_status(ready, Program.Status.RUNNING)
    with time_machine.travel(program.ends_on + dt.timedelta(days=1)):
        html = hr_client.get(reverse("programs:detail", args=[program.pk])).content.decode()
        assert "Close without sending the end-of-program survey" in html
        hr_client.post(reverse("programs:advance", args=[program.pk]))
        program.refresh_from_db()
        assert program.status == Program.Status.RUNNING
        hr_client.post(reverse("programs:advance", args=[program.pk]), {"confirm_unsent_surveys": "on"})
    program.refresh_from_db()
    assert program.status == Program.Status.CLOSED


def test_cloning_creates_a_draft_copy(hr_client, hr_admin, ready):
    response = hr_client.post(reverse("programs:clone", args=[ready.pk]), {"name": "Cohort 3"})
    clone = Program.objects.get(name="Cohort 3")
    assert response.status_code == 302 and response.url == reverse("programs:detail", args=[clone.pk])
    assert clone.cloned_from == ready and clone.status == Program.Status.DRAFT
    assert clone.created_by == hr_admin


def test_the_clone_page_suggests_a_name(hr_client, ready):
    html = hr_client.get(reverse("programs:clone", args=[ready.pk])).content.decode()
    assert "Ready to open — next cohort" in html


def test_the_history_page_lists_who_changed_what(hr_client, hr_admin, draft):
    hr_client.post(reverse("programs:edit", args=[draft.pk, "framework"]), _framework())
    html = hr_client.get(reverse("programs:history", args=[draft.pk])).content.decode()
    assert "Hannah Reyes" in html and "Session length (minutes)" in html and "<del>45</del>" in html


def test_adding_a_lead_by_email(hr_client, draft, lead):
    response = hr_client.post(reverse("programs:lead_add", args=[draft.pk]), {"user": "LEAD@example.com"})
    assert response.status_code == 302 and response.url.endswith("#leads")
    assert list(draft.leads.all()) == [lead]


def test_adding_an_unknown_lead_says_so_and_adds_nobody(hr_client, draft):
    response = hr_client.post(reverse("programs:lead_add", args=[draft.pk]), {"user": "ghost@example.com"},
                              follow=True)
    assert "Nobody with the address ghost@example.com" in response.content.decode()
    assert not draft.leads.exists()


def test_removing_a_lead(hr_client, draft, lead):
    draft.leads.add(lead)
    response = hr_client.post(reverse("programs:lead_remove", args=[draft.pk, lead.pk]))
    assert response.status_code == 302 and not draft.leads.exists()


def test_removing_someone_who_is_not_a_lead_is_404(hr_client, draft, outsider):
    assert hr_client.post(reverse("programs:lead_remove", args=[draft.pk, outsider.pk])).status_code == 404


def test_removing_a_lead_needs_post(hr_client, draft, lead):
    draft.leads.add(lead)
    assert hr_client.get(reverse("programs:lead_remove", args=[draft.pk, lead.pk])).status_code == 405
    assert draft.leads.exists()


# --- topic catalogue ------------------------------------------------------------------------


def test_adding_a_topic_to_the_catalogue(hr_client):
    response = hr_client.post(reverse("programs:topics"), {"name": "Podcasting", "description": "",
                                                           "usual_direction": "junior_teaches"})
    assert response.status_code == 302 and Topic.objects.filter(name="Podcasting").exists()


def test_a_duplicate_topic_name_is_shown_as_an_error(hr_client, draft):
    response = hr_client.post(reverse("programs:topics"), {"name": "generative ai",
                                                           "usual_direction": "junior_teaches"})
    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert Topic.objects.filter(name__iexact="generative ai").count() == 1


def test_editing_a_topic(hr_client, draft):
    topic = Topic.objects.get(name="Social media")
    response = hr_client.post(reverse("programs:topic_edit", args=[topic.pk]), {
        "name": "Social media & communities", "usual_direction": "junior_teaches"})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Social media & communities"


def test_editing_a_topic_is_hr_only_and_needs_get_or_post(client, outsider, hr_admin, draft):
    topic = Topic.objects.first()
    url = reverse("programs:topic_edit", args=[topic.pk])
    client.force_login(outsider)
    assert client.post(url, {"name": "Hacked", "usual_direction": "junior_teaches"}).status_code == 404
    client.force_login(hr_admin)
    assert client.delete(url).status_code == 405
    assert client.get(reverse("programs:topic_edit", args=[999999])).status_code == 404
    topic.refresh_from_db()
    assert topic.name != "Hacked"


def test_the_dates_shown_are_in_order(hr_client, ready):
    html = hr_client.get(reverse("programs:detail", args=[ready.pk])).content.decode()
    assert timezone.localdate().strftime("%-d %b %Y") in html


def test_the_history_labels_each_field_by_the_kind_of_item_that_changed(hr_client, hr_admin, draft):
    from programs import services

    services.program_item_create(program=draft, actor=hr_admin, slug="rules",
                                 data={"text": "What we say stays here."})
    services.program_item_create(program=draft, actor=hr_admin, slug="resources",
                                 data={"title": "How it works", "url": "https://example.com/how"})
    services.agreement_save(program=draft, actor=hr_admin, text="We meet every two weeks.")

    html = hr_client.get(reverse("programs:history", args=[draft.pk])).content.decode()

    assert "Rule:</span>" in html and "Agreement text:</span>" in html and "Title:</span>" in html
    assert "Question:</span>" not in html and "Goal:</span>" not in html
