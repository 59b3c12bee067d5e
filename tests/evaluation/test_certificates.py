"""Celebrating success: certificates, a junior mentor's consent and the notes to their managers."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from evaluation import services
from evaluation.models import ManagerNote, RecognitionConsent
from notifications import outbox
from notifications.models import Delivery
from programs.models import Program, Topic
from tests.evaluation import builders as b
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTE_MARKER = "SESSION-NOTE-MARKER-0b7e"


@pytest.fixture
def closed(db, frozen, lead):
    program, _q = b.program(k=3, leads=[lead], status=Program.Status.CLOSED, name="Spring pilot")
    boss = UserFactory(full_name="Grace Manager", email="grace.manager@example.com", level=12)
    mentor = b.person(program, "mentor", department="Engineering", name="Aisha Rahman", manager=boss)
    mentee = b.person(program, "mentee", department="Sales", name="Robert Whitfield")
    lone = b.person(program, "mentor", department="Engineering", name="Noah Nomanager")
    other_mentee = b.person(program, "mentee", department="Sales", name="Sara Senior")
    ai = Topic.objects.create(name="Generative AI", usual_direction="junior_teaches")
    industry = Topic.objects.create(name="Industry knowledge", usual_direction="senior_teaches")
    sessions = b.held(b.pair(program, mentor, mentee), 3)
    for meeting in sessions:
        entry = b.log(meeting, by_mentor=[ai], by_mentee=[industry], summary=NOTE_MARKER)
        b.reflection(entry, mentor.user, NOTE_MARKER)
    b.held(b.pair(program, lone, other_mentee), 1)
    return {"program": program, "mentor": mentor, "mentee": mentee, "lone": lone, "boss": boss}


def test_a_participant_gets_a_printable_certificate_without_any_notes(client, closed):
    client.force_login(closed["mentor"].user)
    response = client.get(reverse("evaluation:certificate", args=[closed["program"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Certificate of participation" in html and "Aisha Rahman" in html
    assert "took part as a junior mentor" in html and "3 sessions held" in html
    assert response.context["facts"].taught == ["Generative AI"]
    assert response.context["facts"].learned == ["Industry knowledge"]
    assert NOTE_MARKER not in html


def test_the_senior_mentee_sees_the_topics_the_other_way_round(client, closed):
    client.force_login(closed["mentee"].user)
    response = client.get(reverse("evaluation:certificate", args=[closed["program"].pk]))
    assert response.context["facts"].taught == ["Industry knowledge"]
    assert "Yes, my manager may receive a note" not in response.content.decode()  # mentors only


def test_before_the_program_closes_the_certificate_is_announced(client, closed):
    Program.objects.filter(pk=closed["program"].pk).update(status=Program.Status.RUNNING)
    client.force_login(closed["mentor"].user)
    html = client.get(reverse("evaluation:certificate", args=[closed["program"].pk])).content.decode()
    assert "ready when the program closes" in html


def test_someone_who_did_not_take_part_gets_a_404(client, closed, outsider):
    client.force_login(outsider)
    assert client.get(reverse("evaluation:certificate", args=[closed["program"].pk])).status_code == 404
    assert client.post(reverse("evaluation:consent", args=[closed["program"].pk]),
                       {"consent": "yes"}).status_code == 404


def test_a_junior_mentor_agrees_and_withdraws(client, closed):
    client.force_login(closed["mentor"].user)
    url = reverse("evaluation:consent", args=[closed["program"].pk])
    response = client.post(url, {"consent": "yes"})
    assert response.status_code == 302
    assert RecognitionConsent.objects.filter(enrollment=closed["mentor"]).exists()
    client.post(url, {"consent": "yes"})  # twice: still one row
    assert RecognitionConsent.objects.filter(enrollment=closed["mentor"]).count() == 1
    client.post(url, {"consent": "no"})
    assert not RecognitionConsent.objects.filter(enrollment=closed["mentor"]).exists()


def test_a_senior_mentee_cannot_consent_for_a_note(client, closed):
    client.force_login(closed["mentee"].user)
    response = client.post(reverse("evaluation:consent", args=[closed["program"].pk]), {"consent": "yes"},
                           follow=True)
    assert "Only junior mentors" in response.content.decode()
    assert not RecognitionConsent.objects.exists()


def test_hr_sends_each_consenting_mentors_manager_one_note(client, hr_admin, closed):
    services.recognition_consent_set(enrollment=closed["mentor"], consented=True)
    services.recognition_consent_set(enrollment=closed["lone"], consented=True)  # has no manager
    client.force_login(hr_admin)
    url = reverse("evaluation:manager_notes", args=[closed["program"].pk])
    response = client.post(url, follow=True)
    assert "1 note sent to a manager." in response.content.decode()
    assert "1 mentor has no manager on record." in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace.manager@example.com"]
    assert "Aisha Rahman" in message.subject and "Spring pilot" in message.subject
    assert "3 mentoring sessions" in message.body and "Generative AI" in message.body
    assert NOTE_MARKER not in message.body and NOTE_MARKER not in message.alternatives[0][0]
    note = ManagerNote.objects.get()
    assert note.enrollment == closed["mentor"] and note.manager == closed["boss"] and note.sent_at
    # Pressing again sends nothing twice.
    client.post(url)
    assert len(mail.outbox) == 1
    assert ManagerNote.objects.count() == 1


def test_a_failed_send_keeps_the_note_queued_and_it_goes_out_once_later(closed, monkeypatch):
    services.recognition_consent_set(enrollment=closed["mentor"], consented=True)

    def broken(self, fail_silently=False):
        raise OSError("SMTP down")
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    outcome = services.manager_notes_send(program=closed["program"])
    assert outcome.failed == 1 and ManagerNote.objects.count() == 1
    assert list(Delivery.objects.values_list("state", flat=True)) == ["pending"]
    monkeypatch.undo()
    assert services.manager_notes_send(program=closed["program"]).already_sent == 1
    assert outbox.deliver_due().sent == 1  # the next tick
    assert outbox.deliver_due().sent == 0
    assert [m.to for m in mail.outbox] == [[closed["boss"].email]]


def test_withdrawing_after_the_note_went_out_is_refused(closed):
    services.recognition_consent_set(enrollment=closed["mentor"], consented=True)
    services.manager_notes_send(program=closed["program"])
    with pytest.raises(services.ValidationError):
        services.recognition_consent_set(enrollment=closed["mentor"], consented=False)


def test_notes_wait_for_the_program_to_close(closed):
    Program.objects.filter(pk=closed["program"].pk).update(status=Program.Status.RUNNING)
    closed["program"].refresh_from_db()
    with pytest.raises(services.ValidationError):
        services.manager_notes_send(program=closed["program"])


def test_hr_sees_names_on_the_overview_and_leads_see_counts(client, hr_admin, lead, closed):
    services.recognition_consent_set(enrollment=closed["mentor"], consented=True)
    url = reverse("evaluation:certificates", args=[closed["program"].pk])
    client.force_login(hr_admin)
    html = client.get(url).content.decode()
    assert "Aisha Rahman" in html and "Agreed, not sent yet" in html and "Send waiting notes now" in html
    client.force_login(lead)
    html = client.get(url).content.decode()
    assert "Aisha Rahman" not in html and "Send waiting notes now" not in html
    assert "Certificates" in html
