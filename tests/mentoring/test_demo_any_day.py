"""The demo has the same shape whatever the day and hour it is seeded on.

`make run` seeds the demo relative to "now", and the browser journeys (tests/e2e) read it: the lead's
weekly engagement table must be numbers in every week (no "fewer than 5" because of the weekday),
the Operations filter must show its own figures, and Aisha and Robert must have their three logged
sessions, one upcoming session and an open survey. Seeded with the clock frozen at each of seven
consecutive days, just after midnight and just before it (Berlin time, where the demo's mentor
lives), those facts hold every time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from surveys.models import SurveyInvitation
from tests.demo import seed_demo

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY = dt.date(2026, 12, 7)  # any Monday will do; the week around it is the one tried
MOMENTS = [
    dt.datetime.combine(MONDAY + dt.timedelta(days=day), time, tzinfo=BERLIN)
    for day in range(7)
    for time in (dt.time(0, 30), dt.time(23, 30))
]


def _csv(client, program, table: str, **query: str) -> list[list[str]]:
    response = client.get(reverse("evaluation:export", args=[program.pk, table]), query)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _held(program, department: str | None = None) -> int:
    held = Meeting.objects.filter(pair__program=program, status=Meeting.Status.HELD)
    if department:
        held = held.filter(Q(pair__mentor__user__department=department)
                           | Q(pair__mentee__user__department=department))
    return held.distinct().count()


@pytest.mark.parametrize("moment", MOMENTS, ids=[m.strftime("%a-%H%M") for m in MOMENTS])
def test_the_demo_gives_the_browser_journeys_their_facts_on_any_day_and_hour(client, moment):
    with time_machine.travel(moment, tick=False):
        people, programs = seed_demo()
        program = programs["running"]
        now = timezone.now()

        # The lead's dashboard: every week of the weekly table is a number, and they add up.
        client.force_login(people["lead"])
        total = _held(program)
        assert total > 10
        weekly = _csv(client, program, "weekly")
        held_per_week = [row[1] for row in weekly[1:]]
        assert all(cell.isdigit() for cell in held_per_week), weekly
        assert len(held_per_week) >= 8 and sum(map(int, held_per_week)) == total
        figures = {row[0]: row[1] for row in _csv(client, program, "engagement-figures")[1:]}
        assert figures["Sessions held"] == str(total)

        # One department: its own figures, not "fewer than 5" and not hidden.
        operations = _held(program, "Operations")
        assert 5 <= operations < total
        figures = {row[0]: row[1] for row in
                   _csv(client, program, "engagement-figures", department="Operations")[1:]}
        assert figures["Sessions held"] == str(operations)
        assert figures["No-shows"] == "0"

        # Aisha and Robert: three logged sessions in the past, one confirmed session ahead (besides the
        # instances of their recurring slot, from the Tuesday in two weeks).
        theirs = Meeting.objects.filter(pair__mentor__user=people["mentor"],
                                        pair__mentee__user=people["mentee"],
                                        series_occurrence__isnull=True)
        held = list(theirs.filter(status=Meeting.Status.HELD))
        assert len(held) == 3 and all(m.ends_at < now and hasattr(m, "log") for m in held)
        upcoming = theirs.get(status=Meeting.Status.CONFIRMED)
        assert now < upcoming.starts_at < now + dt.timedelta(days=14)

        # Aisha has a survey to answer in "My surveys"; nobody is e-mailed about the past.
        assert SurveyInvitation.objects.filter(
            recipient=people["mentor"], kind="mid_program", answered_at__isnull=True,
            expires_at__gt=now).exists()
        assert not SurveyInvitation.objects.filter(sent_at__isnull=True).exists()
