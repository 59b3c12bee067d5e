"""The circles pages: HR creates and proposes, the host books, members answer and write notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from circles.models import Circle, CircleNote, CircleReflection, CircleRsvp, CircleSession
from pairing.models import Expertise, LearningInterest
from tests.circles.conftest import START, book
from tests.factories import MentorEnrollmentFactory, ProfileFactory, TopicFactory

pytestmark = pytest.mark.usefixtures("now")


def test_hr_creates_a_learning_circle_in_the_browser(client, hr_admin, circle_program, host, seniors):
    client.force_login(hr_admin)
    url = reverse("circles:hr_new", args=[circle_program.pk])
    assert "Aisha Rahman" in client.get(url).content.decode()
    response = client.post(url, {"name": "Cloud for the board", "kind": "learning", "purpose": "Basics",
                                 "hosts": [host.pk], "members": [s.pk for s in seniors], "places": 3,
                                 "cadence_weeks": 2})
    circle = Circle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("circles:hr_circle", args=[circle.pk])
    assert circle.kind == "learning" and circle.places == 3
    assert circle.memberships.filter(role="member").count() == 3


def test_hr_sees_the_rule_when_a_circle_is_wrong(client, hr_admin, circle_program, host, seniors):
    client.force_login(hr_admin)
    response = client.post(reverse("circles:hr_new", args=[circle_program.pk]), {
        "name": "One senior", "kind": "learning", "hosts": [host.pk], "members": [seniors[0].pk],
        "places": 3, "cadence_weeks": 2})
    assert response.status_code == 200
    assert "A learning circle has 2 to 8 seniors." in response.content.decode()
    assert not Circle.objects.exists()


def test_hr_asks_the_app_to_propose_circles_with_explanations(client, hr_admin, circle_program, host,
                                                              seniors):
    ai = TopicFactory(name="Generative AI")
    Expertise.objects.create(profile=ProfileFactory(user=host.user), topic=ai, proficiency=5, can_teach=True)
    for senior in seniors:
        LearningInterest.objects.create(profile=ProfileFactory(user=senior.user), topic=ai, priority=1)
    for _ in range(2):  # two more juniors: a peer circle of three
        MentorEnrollmentFactory(program=circle_program)
    client.force_login(hr_admin)
    assert client.get(reverse("circles:hr_propose", args=[circle_program.pk])).status_code == 405
    client.post(reverse("circles:hr_propose", args=[circle_program.pk]))
    drafts = {c.kind: c for c in Circle.objects.filter(status="draft")}
    assert set(drafts) == {"peer", "learning"}
    assert "3 seniors want to learn Generative AI" in drafts["learning"].explanation
    assert "Aisha Rahman knows it well (5 of 5)" in drafts["learning"].explanation
    assert "3 junior mentors who started in" in drafts["peer"].explanation
    page = client.get(reverse("circles:hr_list", args=[circle_program.pk])).content.decode()
    assert "3 seniors want to learn Generative AI" in page
    client.post(reverse("circles:hr_status", args=[drafts["learning"].pk]), {"status": "active"})
    drafts["learning"].refresh_from_db()
    assert drafts["learning"].status == "active"


def test_the_host_books_in_their_own_zone_and_members_see_theirs(client, circle, host, seniors):
    client.force_login(host.user)  # Aisha, Berlin (UTC+1 in March)
    response = client.post(reverse("circles:book", args=[circle.pk]), {
        "day": "2027-03-03", "start": "15:00", "minutes": 60, "places": 2, "mode": "video",
        "video_link": "https://meet.example.com/c", "tz": "Europe/Berlin"})
    session = CircleSession.objects.get()
    assert response.status_code == 302
    assert session.starts_at == START and session.places == 2
    client.force_login(seniors[0].user)  # Robert, New York
    page = client.get(reverse("circles:session", args=[session.pk])).content.decode()
    assert "09:00" in page and "New York" in page


def test_members_rsvp_and_the_third_is_told_it_is_full(client, circle, host, seniors):
    session = book(circle, host.user, places=2)
    url = reverse("circles:rsvp", args=[session.pk])
    for senior in seniors[:2]:
        client.force_login(senior.user)
        client.post(url, {"answer": "yes"})
    client.force_login(seniors[2].user)
    response = client.post(url, {"answer": "yes"}, follow=True)
    assert "this session is full" in response.content.decode()
    assert CircleRsvp.objects.filter(session=session, answer="yes").count() == 2
    assert client.get(url).status_code == 405


def test_outsiders_get_404_everywhere(client, circle, host, outsider):
    session = book(circle, host.user)
    client.force_login(outsider)
    for url in (reverse("circles:circle", args=[circle.pk]), reverse("circles:session", args=[session.pk]),
                reverse("circles:notes", args=[session.pk]), reverse("circles:book", args=[circle.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("circles:rsvp", args=[session.pk]), {"answer": "yes"}).status_code == 404
    assert not CircleRsvp.objects.exists()


def test_a_member_cannot_book_or_cancel(client, circle, host, seniors):
    session = book(circle, host.user)
    client.force_login(seniors[0].user)
    assert client.get(reverse("circles:book", args=[circle.pk])).status_code == 404
    assert client.post(reverse("circles:cancel", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert session.status == "confirmed"


def test_notes_through_the_page(client, circle, host, seniors, time_machine):
    session = book(circle, host.user)
    time_machine.move_to(START + timedelta(hours=1), tick=False)
    client.force_login(host.user)
    response = client.post(reverse("circles:notes", args=[session.pk]), {
        "summary_revision": "0", "shared_summary": "Prompting basics", "reflection": "Went fast",
        "action_owner": str(seniors[0].user_id), "action_text": "Write three prompts"})
    assert response.status_code == 302
    note = CircleNote.objects.get()
    assert note.shared_summary == "Prompting basics"
    assert CircleReflection.objects.get().author == host.user
    client.force_login(seniors[0].user)
    page = client.get(reverse("circles:notes", args=[session.pk])).content.decode()
    assert "Prompting basics" in page and "Write three prompts" in page and "Went fast" not in page
