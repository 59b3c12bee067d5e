"""A session's topic from the program's menu: picked when booking, carried by the invitation (and its
calendar description), the reminder and the session page; it pre-fills the log; pairs propose topics."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from meetings import notices, services
from meetings import reminders as reminder_jobs
from meetings.models import Meeting
from notifications import outbox
from notifications.models import Message
from pairing.models import Pair
from programs.models import TopicProposal
from tests.factories import ProgramTopicFactory, TopicFactory
from tests.meetings.conftest import at, slot

pytestmark = pytest.mark.usefixtures("now")
THURSDAY = date(2027, 3, 4)
AGENDA = "Live: one real task with an approved assistant\nChecking the output"


@pytest.fixture
def ai(pair):
    return ProgramTopicFactory(
        program=pair.program, topic=TopicFactory(name="Generative AI"), direction="junior_teaches",
        agenda=AGENDA, prep_links="Prompting basics | https://example.com/prompts",
        prep_exercise="Bring one non-confidential task.", prep_questions="What must never go into a prompt?")


@pytest.fixture
def negotiation(pair):
    return ProgramTopicFactory(program=pair.program, topic=TopicFactory(name="Negotiation"),
                               direction="senior_teaches", agenda="How big deals get made")


def booked(pair, topic, start=None) -> Meeting:
    meeting = services.meeting_propose(pair=pair, proposer=pair.mentor.user, mode="video", topic=topic,
                                       slots_utc=[slot(start or at(THURSDAY, 14))],
                                       video_link="https://meet.example.com/x")
    return services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=meeting.slots.get().pk)


def test_a_proposal_keeps_the_topic_and_the_confirmed_session_carries_it(pair, ai):
    meeting = booked(pair, ai)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.topic) == ("confirmed", ai)


def test_a_topic_from_another_programs_menu_is_refused(pair, ai):
    stranger = ProgramTopicFactory(topic=TopicFactory(name="Elsewhere"))
    with pytest.raises(ValidationError) as raised:
        services.meeting_propose(pair=pair, proposer=pair.mentor.user, mode="video", topic=stranger,
                                 slots_utc=[slot(at(THURSDAY, 14))])
    assert "menu" in raised.value.message_dict["topic"][0]
    assert not Meeting.objects.exists()


def test_the_invitation_and_its_calendar_description_carry_the_agenda_and_kit(pair, ai):
    booked(pair, ai)
    mail.outbox.clear()
    outbox.deliver_due(only_kinds=[notices.KIND])
    invitation = next(m for m in mail.outbox if m.to == [pair.mentor.user.email] and m.attachments)
    assert "Topic: Generative AI" in invitation.body
    assert "1. Live: one real task with an approved assistant" in invitation.body
    assert "Prompting basics: https://example.com/prompts" in invitation.body
    assert "Bring one non-confidential task." in invitation.body
    html = invitation.alternatives[0][0]
    assert '<a href="https://example.com/prompts"' in html and "<li>Checking the output</li>" in html
    (_name, content, _type), = invitation.attachments
    event, = Calendar.from_ical(content).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "Topic: Generative AI" in description
    assert "- Live: one real task with an approved assistant\n- Checking the output" in description
    assert "- Prompting basics: https://example.com/prompts" in description
    assert "Questions to bring:\n- What must never go into a prompt?" in description


def test_the_proposal_email_shows_the_topic_too(pair, ai):
    services.meeting_propose(pair=pair, proposer=pair.mentor.user, mode="video", topic=ai,
                             slots_utc=[slot(at(THURSDAY, 14))])
    outbox.deliver_due(only_kinds=[notices.KIND])
    (message,) = [m for m in mail.outbox if m.to == [pair.mentee.user.email]]
    assert "Topic: Generative AI" in message.body and "Checking the output" in message.body


def test_the_reminder_carries_the_agenda(pair, ai, time_machine):
    pair.program.status = "running"
    pair.program.save(update_fields=["status"])
    booked(pair, ai)
    mail.outbox.clear()
    time_machine.move_to(datetime(2027, 3, 3, 14, 0, tzinfo=UTC), tick=False)  # 24 hours before
    reminder_jobs.meeting_reminders_tick()
    reminders = [m for m in mail.outbox if "reminder" in m.subject.lower()]
    assert len(reminders) == 2
    assert all("Topic: Generative AI" in m.body and "Checking the output" in m.body for m in reminders)


def test_the_session_page_shows_the_topic_agenda_and_kit(pair, ai, client):
    meeting = booked(pair, ai)
    client.force_login(pair.mentee.user)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).content.decode()
    assert "Prepare: Generative AI" in page
    assert "<li>Live: one real task with an approved assistant</li>" in page
    assert '<a href="https://example.com/prompts" rel="noopener noreferrer">Prompting basics</a>' in page
    assert "What must never go into a prompt?" in page


def test_the_log_pre_fills_the_topic_for_the_side_that_teaches_it(pair, ai, negotiation, client,
                                                                   time_machine):
    meeting = booked(pair, ai)
    time_machine.move_to(datetime(2027, 3, 4, 15, 0, tzinfo=UTC), tick=False)
    client.force_login(pair.mentor.user)
    form = client.get(reverse("meetings:log", args=[meeting.pk])).context["form"]
    assert list(form.initial["topics"]) == [ai.topic]
    client.force_login(pair.mentee.user)
    form = client.get(reverse("meetings:log", args=[meeting.pk])).context["form"]
    assert list(form.initial["topics"]) == []  # Robert did not teach Generative AI


def test_the_book_and_propose_pages_offer_the_menu(pair, ai, negotiation, client):
    client.force_login(pair.mentor.user)
    form = client.get(reverse("meetings:propose", args=[pair.pk])).context["form"]
    labels = [label for _value, label in form.fields["topic"].choices]
    assert labels == ["No topic yet", "Generative AI (mentor teaches)", "Negotiation (mentee teaches)"]
    response = client.post(reverse("meetings:propose", args=[pair.pk]), {
        "tz": "Europe/Berlin", "date_1": "2027-03-04", "time_1": "15:00", "minutes": "45",
        "mode": "video", "topic": str(negotiation.pk)})
    assert response.status_code == 302
    assert Meeting.objects.get().topic == negotiation


# --- a pair member proposes a topic -----------------------------------------------------------


def test_a_pair_member_proposes_a_topic_and_hr_is_told(pair, ai, client, hr_admin):
    client.force_login(pair.mentee.user)
    url = reverse("meetings:topics", args=[pair.pk])
    page = client.get(url).content.decode()
    assert "Generative AI" in page and "Checking the output" in page
    response = client.post(url, {"name": "  Podcasts  for  leaders ", "direction": "junior_teaches",
                                 "why": "Our customers listen to them."})
    assert response.status_code == 302
    proposal = TopicProposal.objects.get()
    assert (proposal.name, proposal.proposed_by, proposal.status, proposal.program) == (
        "Podcasts for leaders", pair.mentee.user, "pending", pair.program)
    assert Message.objects.filter(kind="topic-proposal-new", recipient=hr_admin, ref_id=proposal.pk).exists()


def test_a_topic_already_on_the_menu_or_already_proposed_is_not_proposed_again(pair, ai, client):
    client.force_login(pair.mentor.user)
    url = reverse("meetings:topics", args=[pair.pk])
    response = client.post(url, {"name": "generative ai", "direction": "junior_teaches"})
    assert "already on the menu" in " ".join(response.context["form"].errors["name"])
    client.post(url, {"name": "Podcasts", "direction": "junior_teaches"})
    response = client.post(url, {"name": "podcasts", "direction": "junior_teaches"})
    assert "already been proposed" in " ".join(response.context["form"].errors["name"])
    assert TopicProposal.objects.count() == 1


def test_outsiders_cannot_see_or_propose_on_a_pairs_menu(pair, client, outsider):
    client.force_login(outsider)
    url = reverse("meetings:topics", args=[pair.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Sneaky", "direction": "junior_teaches"}).status_code == 404
    assert not TopicProposal.objects.exists()


def test_an_ended_pair_reads_the_menu_but_proposes_nothing(pair, client):
    Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.COMPLETED)
    client.force_login(pair.mentor.user)
    url = reverse("meetings:topics", args=[pair.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Late idea", "direction": "junior_teaches"}).status_code == 302
    assert not TopicProposal.objects.exists()
