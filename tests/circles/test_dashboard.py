"""The leads' circles page: figures per circle, with a circle of fewer than k people held back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from circles import services
from circles.models import CircleFeedback, CircleNote, CircleRsvp, CircleSession
from evaluation.circle_report import circle_report
from tests.circles.conftest import NOW
from tests.factories import MenteeEnrollmentFactory, MentorEnrollmentFactory, TopicFactory

pytestmark = pytest.mark.usefixtures("now")


def _held_circle(program, name: str, seniors: int, *, rating: int = 4):
    host = MentorEnrollmentFactory(program=program)
    members = [MenteeEnrollmentFactory(program=program) for _ in range(seniors)]
    circle = services.circle_create(program=program, by=None, name=name, kind="learning", hosts=[host],
                                    members=members)
    start = NOW - timedelta(days=3)
    session = CircleSession.objects.create(circle=circle, starts_at=start, ends_at=start + timedelta(hours=1),
                                           places=seniors, going=seniors, status="held")
    for m in members:
        CircleRsvp.objects.create(session=session, user=m.user, answer="yes", attended=True)
        CircleFeedback.objects.create(session=session, user=m.user, rating=rating)
    note = CircleNote.objects.create(session=session, shared_summary="NOTE-NEVER-ON-DASHBOARD")
    note.topics_taught.set([TopicFactory(name=f"{name} topic")])
    return circle


def test_a_big_enough_circle_shows_its_figures_and_a_small_one_shows_none(circle_program):
    _held_circle(circle_program, "Big", 5, rating=4)
    _held_circle(circle_program, "Small", 2, rating=1)
    report = circle_report(circle_program)
    rows = {r.name: r for r in report.rows}
    big, small = rows["Big"], rows["Small"]
    assert big.sessions_held.shown and big.sessions_held.value == 1
    assert big.attendance.value == 1.0 and big.quality.value == 4.0
    assert big.topics.value == "Big topic"
    for cell in (small.sessions_held, small.attendance, small.quality, small.topics):
        assert not cell.shown and cell.value is None
    assert not hasattr(report, "total_held")  # no total a hidden circle could be worked out from


def test_the_page_shows_leads_aggregates_and_never_notes(client, circle_program, lead, outsider):
    _held_circle(circle_program, "Big", 5, rating=5)
    _held_circle(circle_program, "Small", 2)
    url = reverse("evaluation:circles", args=[circle_program.pk])
    client.force_login(lead)
    page = client.get(url).content.decode()
    assert "Big" in page and "5.0" in page and "100" in page
    assert "hidden (fewer than 5 people)" in page
    assert "NOTE-NEVER-ON-DASHBOARD" not in page
    client.force_login(outsider)
    assert client.get(url).status_code == 404
