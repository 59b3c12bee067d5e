"""HR's topic menu: agendas and kits per topic, participants' proposals approved or declined, and the
program's working-hours guard settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from notifications import outbox
from notifications.models import Message
from programs import services, topic_menu
from programs.models import Direction, Program, ProgramChange, ProgramTopic, Topic, TopicProposal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ai(draft) -> ProgramTopic:
    return draft.program_topics.get(topic__name="Generative AI", direction=Direction.JUNIOR_TEACHES)


@pytest.fixture
def proposal(draft) -> TopicProposal:
    proposer = UserFactory(email="junior@example.com", full_name="Jo Junior")
    return topic_menu.topic_proposal_create(program=draft, proposer=proposer, name="Podcasts for leaders",
                                            direction=Direction.JUNIOR_TEACHES, why="Customers listen.")


def kit(**overrides) -> dict[str, str]:
    return {"agenda": "Warm-up\nHands on\nWrap-up", "prep_links": "Guide | https://example.com/guide",
            "prep_exercise": "Try one prompt.", "prep_questions": "What is safe?\nWhat is not?", **overrides}


def test_hr_sees_the_menu_with_each_topics_agenda(hr_client, draft):
    page = hr_client.get(reverse("programs:topic_menu", args=[draft.pk])).content.decode()
    assert "Generative AI" in page and "Checking the output" in page and "Reading the business" in page


def test_hr_edits_a_topics_agenda_and_kit(hr_client, draft, ai, hr_admin):
    url = reverse("programs:topic_menu_item", args=[draft.pk, ai.pk])
    assert "Checking the output" in hr_client.get(url).content.decode()
    response = hr_client.post(url, kit())
    assert response.status_code == 302 and response.url == reverse("programs:topic_menu", args=[draft.pk])
    ai.refresh_from_db()
    assert ai.agenda_steps == ["Warm-up", "Hands on", "Wrap-up"]
    assert ai.link_list == [("Guide", "https://example.com/guide")]
    assert ai.question_list == ["What is safe?", "What is not?"]
    change = ProgramChange.objects.filter(program=draft, area="topics").first()
    assert change.actor == hr_admin and "Generative AI" in change.summary


def test_a_line_that_is_no_link_is_refused_and_nothing_is_saved(hr_client, draft, ai):
    before = ai.agenda
    response = hr_client.post(reverse("programs:topic_menu_item", args=[draft.pk, ai.pk]),
                              kit(prep_links="Our wiki | not a link"))
    assert response.status_code == 200
    assert "has no valid link" in " ".join(response.context["form"].errors["prep_links"])
    ai.refresh_from_db()
    assert ai.agenda == before


def test_a_menu_entry_of_another_program_is_not_found(hr_client, draft, hr_admin):
    other = services.program_create_from_template(name="Other", actor=hr_admin)
    foreign = other.program_topics.first()
    url = reverse("programs:topic_menu_item", args=[draft.pk, foreign.pk])
    assert hr_client.post(url, kit()).status_code == 404


def test_only_hr_reaches_the_menu_pages(client, outsider, draft, ai, proposal):
    client.force_login(outsider)
    assert client.get(reverse("programs:topic_menu", args=[draft.pk])).status_code == 404
    assert client.post(reverse("programs:topic_menu_item", args=[draft.pk, ai.pk]), kit()).status_code == 404
    response = client.post(reverse("programs:topic_proposal_decide", args=[draft.pk, proposal.pk]),
                           {"decision": "approve"})
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_a_closed_programs_menu_is_read_only(hr_client, draft, ai):
    Program.objects.filter(pk=draft.pk).update(status=Program.Status.CLOSED)
    response = hr_client.post(reverse("programs:topic_menu_item", args=[draft.pk, ai.pk]), kit())
    assert response.status_code == 302
    ai.refresh_from_db()
    assert ai.agenda_steps[0] != "Warm-up"


def test_hr_approves_a_proposal_which_joins_the_menu_and_the_proposer_hears_back(hr_client, draft, proposal):
    response = hr_client.post(reverse("programs:topic_proposal_decide", args=[draft.pk, proposal.pk]),
                              {"decision": "approve", "note": "Great idea"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.note) == ("approved", "Great idea")
    topic = Topic.objects.get(name="Podcasts for leaders")
    assert proposal.program_topic == ProgramTopic.objects.get(program=draft, topic=topic,
                                                              direction=Direction.JUNIOR_TEACHES)
    message = Message.objects.get(kind="topic-proposal-decided", recipient=proposal.proposed_by)
    outbox.deliver_due(only_kinds=["topic-proposal-decided"])
    (sent,) = [m for m in mail.outbox if m.to == ["junior@example.com"]]
    assert "“Podcasts for leaders” is now on the topic menu" in sent.body and "Great idea" in sent.body
    assert message.ref_id == proposal.pk


def test_hr_declines_a_proposal_and_nothing_joins_the_menu(hr_client, draft, proposal):
    count = draft.program_topics.count()
    hr_client.post(reverse("programs:topic_proposal_decide", args=[draft.pk, proposal.pk]),
                   {"decision": "decline"})
    proposal.refresh_from_db()
    assert proposal.status == "declined" and proposal.program_topic is None
    assert draft.program_topics.count() == count
    assert not Topic.objects.filter(name__icontains="podcast").exists()
    outbox.deliver_due(only_kinds=["topic-proposal-decided"])
    (sent,) = [m for m in mail.outbox if m.to == ["junior@example.com"]]
    assert "decided not to add it" in sent.body


def test_a_proposal_is_decided_once(hr_client, draft, proposal, hr_admin):
    topic_menu.topic_proposal_decide(proposal=proposal, actor=hr_admin, approve=False)
    hr_client.post(reverse("programs:topic_proposal_decide", args=[draft.pk, proposal.pk]),
                   {"decision": "approve"})
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert Message.objects.filter(kind="topic-proposal-decided").count() == 1


def test_deciding_only_takes_a_post(hr_client, draft, proposal):
    url = reverse("programs:topic_proposal_decide", args=[draft.pk, proposal.pk])
    assert hr_client.get(url).status_code == 405


def test_hr_is_emailed_about_a_new_proposal_until_it_is_decided(draft, proposal, hr_admin):
    outbox.deliver_due(only_kinds=["topic-proposal-new"])
    (sent,) = [m for m in mail.outbox if m.to == [hr_admin.email]]
    assert "Podcasts for leaders" in sent.subject and "Customers listen." in sent.body
    assert reverse("programs:topic_menu", args=[draft.pk]) in sent.body


def test_a_clone_keeps_the_agendas_and_kits(draft, ai, hr_admin):
    topic_menu.program_topic_update_kit(item=ai, actor=hr_admin, **kit())
    clone = services.program_clone(program=draft, actor=hr_admin, name="Next cohort")
    copied = clone.program_topics.get(topic__name="Generative AI", direction=Direction.JUNIOR_TEACHES)
    assert copied.agenda_steps == ["Warm-up", "Hands on", "Wrap-up"]
    assert copied.prep_exercise == "Try one prompt."


# --- the working-hours guard settings ---------------------------------------------------------


def test_hr_sets_the_guard_and_the_usual_working_day(hr_client, draft):
    url = reverse("programs:edit", args=[draft.pk, "hours"])
    assert draft.hours_guard is True and draft.working_hours_start == dt.time(8)
    response = hr_client.post(url, {"hours_guard": "", "working_hours_start": "09:00",
                                    "working_hours_end": "17:30"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.hours_guard, draft.working_hours_start, draft.working_hours_end) == (
        False, dt.time(9), dt.time(17, 30))
    page = hr_client.get(reverse("programs:detail", args=[draft.pk])).content.decode()
    assert "Working hours guard" in page and "09:00–17:30" in page


def test_a_working_day_that_ends_before_it_starts_is_refused(hr_client, draft):
    response = hr_client.post(reverse("programs:edit", args=[draft.pk, "hours"]), {
        "hours_guard": "on", "working_hours_start": "18:00", "working_hours_end": "08:00"})
    assert response.status_code == 200
    assert "ends after it starts" in " ".join(response.context["form"].errors["working_hours_end"])
    draft.refresh_from_db()
    assert draft.working_hours_start == dt.time(8)


def test_a_proposers_download_has_their_proposals_and_erasure_removes_their_words(draft, proposal):
    from programs import privacy

    proposer = proposal.proposed_by
    (exported,) = privacy.export(proposer)["topic_proposals"]
    assert (exported["name"], exported["why"], exported["program"]) == (
        "Podcasts for leaders", "Customers listen.", draft.name)
    privacy.erase(proposer)
    proposal.refresh_from_db()
    assert (proposal.proposed_by, proposal.why, proposal.name) == (None, "", "Podcasts for leaders")
