from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("accounts:preferences")


def test_a_person_changes_their_time_zone_and_name(client, mentor):
    client.force_login(mentor)
    data = {"full_name": "Aisha R.", "time_zone": "Asia/Kolkata", "nudges_opt_out": "on"}
    response = client.post(URL, data)
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert (mentor.full_name, mentor.time_zone, mentor.nudges_opt_out) == ("Aisha R.", "Asia/Kolkata", True)


def test_an_unknown_time_zone_is_refused_and_nothing_changes(client, mentor):
    client.force_login(mentor)
    response = client.post(URL, {"full_name": "Changed", "time_zone": "Europe/Atlantis"})
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    mentor.refresh_from_db()
    assert (mentor.full_name, mentor.time_zone) == ("Aisha Rahman", "Europe/Berlin")


def test_times_are_shown_in_the_persons_own_zone(client, mentor):
    client.force_login(mentor)
    response = client.get(URL)
    assert response.context["TIME_ZONE"] == "Europe/Berlin"


def test_preferences_refuse_other_methods(client, mentor):
    client.force_login(mentor)
    assert client.put(URL).status_code == 405
