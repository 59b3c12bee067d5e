"""The pair page follows each person's current time zone, not the one they had when matched."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import PairFactory

pytestmark = pytest.mark.django_db

WINTER = dt.datetime(2027, 1, 12, 12, tzinfo=dt.UTC)
MATCHED = (
    "Aisha can teach Robert Cloud services; different departments; 3 hours of overlapping availability; "
    "time zones 6 hours apart; both speak English."
)


@pytest.fixture
def pair(matching_program):
    pair = PairFactory(program=matching_program, published_at=WINTER, status="active", explanation=MATCHED)
    for enrollment, zone in ((pair.mentor, "Europe/Berlin"), (pair.mentee, "America/New_York")):
        user = enrollment.user
        user.time_zone, user.location = zone, zone.split("/")[-1].replace("_", " ")
        user.save()
    return pair


@time_machine.travel(WINTER)
def test_after_the_mentee_moves_the_pair_page_shows_the_new_place_and_time_difference(client, pair):
    mentee, mentor = pair.mentee.user, pair.mentor.user
    client.force_login(mentee)
    move = {"full_name": mentee.full_name, "time_zone": "Europe/London"}
    client.post(reverse("accounts:preferences"), move)
    client.force_login(mentor)

    page = client.get(reverse("pairing:pair", args=[pair.pk])).content.decode()

    assert "London" in page and "New York" not in page
    assert "6 hours apart" not in page
    assert "time zones 1 hour apart; both speak English." in page


def test_the_time_zone_clause_is_recomputed_added_or_dropped():
    from pairing.matching_input import explanation_now

    assert explanation_now(MATCHED, zones=("Europe/Berlin", "Europe/Paris"), now=WINTER) == (
        "Aisha can teach Robert Cloud services; different departments; 3 hours of overlapping availability; "
        "both speak English."
    )
    same = "Aisha can teach Robert Cloud services; no shared language."
    assert explanation_now(same, zones=("Asia/Kolkata", "UTC"), now=WINTER) == (
        "Aisha can teach Robert Cloud services; time zones 5.5 hours apart; no shared language."
    )
    assert explanation_now("", zones=("Asia/Kolkata", "UTC"), now=WINTER) == ""


@time_machine.travel(WINTER)
def test_a_location_typed_by_hr_is_kept_when_the_time_zone_changes(client, pair):
    mentee = pair.mentee.user
    mentee.location = "Head office, 3rd floor"
    mentee.save()
    client.force_login(mentee)

    move = {"full_name": mentee.full_name, "time_zone": "Europe/London"}
    client.post(reverse("accounts:preferences"), move)

    mentee.refresh_from_db()
    assert (mentee.time_zone, mentee.location) == ("Europe/London", "Head office, 3rd floor")
