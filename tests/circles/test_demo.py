"""The demo has one learning circle and one peer circle, the same on any day and hour."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.demo import seed_people
from circles.demo import seed_circles
from circles.models import Circle, CircleNote, CircleSession
from meetings.demo import seed_meetings
from pairing.demo import seed_pairing
from programs.demo import seed_programs

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MOMENTS = [dt.datetime(2026, 12, 7, 0, 30, tzinfo=BERLIN), dt.datetime(2026, 12, 13, 23, 30, tzinfo=BERLIN)]


@pytest.mark.parametrize("moment", MOMENTS, ids=["monday-0030", "sunday-2330"])
def test_the_demo_seeds_a_learning_and_a_peer_circle_on_any_day(moment):
    with time_machine.travel(moment, tick=False):
        people = seed_people()
        programs = seed_programs(people)
        pairing = seed_pairing(people, programs)
        seed_meetings(people, programs, pairing)
        result = seed_circles(people, programs)
        assert seed_circles(people, programs)["circles"] == 2  # idempotent
        now = timezone.now()
    assert result["circles"] == 2
    learning = Circle.objects.get(kind="learning")
    peer = Circle.objects.get(kind="peer")
    assert learning.memberships.get(role="host").enrollment.user == people["mentor"]
    assert learning.memberships.filter(enrollment__user=people["mentee"], role="member").exists()
    assert peer.memberships.filter(enrollment__user=people["mentor"], role="member").exists()
    held = CircleSession.objects.get(circle=learning, status="held")
    assert held.starts_at < now and held.rsvps.filter(attended=True).count() == 3
    assert CircleNote.objects.get(session=held).topics_taught.exists()
    upcoming = CircleSession.objects.get(circle=learning, status="confirmed")
    assert upcoming.starts_at > now + dt.timedelta(days=1) and upcoming.places_left > 0
    assert CircleSession.objects.get(circle=peer).starts_at > now
    assert not [m for m in mail.outbox if "Circle" in m.subject or "circle" in m.subject]  # history: no news
