"""The recurring-slot pages: happy paths checked in the database, outsiders 404, wrong methods 405."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from meetings import series
from meetings.models import Meeting, MeetingAttendance, MeetingSeries
from tests.factories import ActivePairFactory
from tests.meetings.conftest import BERLIN, at

pytestmark = pytest.mark.usefixtures("now")
TUESDAY = date(2027, 3, 2)


def form(**overrides) -> dict:
    data = {
        "first_day": "2027-03-02",
        "start_time": "15:00",
        "interval_weeks": "2",
        "until": "2027-04-13",
        "minutes": "45",
        "mode": "video",
        "video_link": "https://meet.example.com/s",
        "tz": "Europe/Berlin",
    }
    return {**data, **overrides}


@pytest.fixture
def proposal(pair):
    return series.series_propose(
        pair=pair,
        proposer=pair.mentor.user,
        first_day=TUESDAY,
        start_time=time(15),
        minutes=45,
        interval_weeks=2,
        until=TUESDAY + timedelta(weeks=6),
        mode="video",
    )


def test_outsiders_hr_and_leads_get_404_on_every_series_page(
    client, pair, proposal, outsider, hr_admin, lead
):
    other = ActivePairFactory(program=pair.program).mentor.user
    urls = [
        reverse("meetings:series_propose", args=[pair.pk]),
        reverse("meetings:series_answer", args=[proposal.pk]),
        reverse("meetings:series_end", args=[proposal.pk]),
    ]
    for user in (outsider, hr_admin, lead, other):
        client.force_login(user)
        for url in urls:
            assert client.post(url, {**form(), "answer": "accept", "reason": "x"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and MeetingSeries.objects.count() == 1


def test_answering_refuses_get(client, pair, proposal):
    client.force_login(pair.mentee.user)
    assert client.get(reverse("meetings:series_answer", args=[proposal.pk])).status_code == 405


def test_the_mentor_proposes_in_their_zone_and_the_mentee_accepts_and_sees_every_session(client, pair):
    client.force_login(pair.mentor.user)
    response = client.post(reverse("meetings:series_propose", args=[pair.pk]), form())
    assert response.status_code == 302
    proposal = MeetingSeries.objects.get(pair=pair)
    assert (
        proposal.zone,
        proposal.first_day,
        proposal.start_time,
        proposal.interval_weeks,
        proposal.status,
    ) == ("Europe/Berlin", TUESDAY, time(15), 2, "proposed")

    client.force_login(pair.mentee.user)
    pair_page = client.get(reverse("meetings:pair", args=[pair.pk])).content.decode()
    assert (
        "Every 2 weeks on Tuesday at 15:00 (Berlin)" in pair_page and "Accept the regular slot" in pair_page
    )
    client.post(reverse("meetings:series_answer", args=[proposal.pk]), {"answer": "accept"})

    proposal.refresh_from_db()
    assert proposal.status == "active"
    starts = list(Meeting.objects.filter(pair=pair, status="confirmed").values_list("starts_at", flat=True))
    assert len(starts) == 4
    for user in (pair.mentor.user, pair.mentee.user):
        client.force_login(user)
        sessions = client.get(reverse("meetings:sessions")).content.decode()
        assert sessions.count(f'href="/sessions/pair/{pair.pk}/"') >= 1
        assert sessions.count("/sessions/meeting/") >= 1


def test_a_clash_is_shown_next_to_the_first_day_and_nothing_is_saved(client, pair):
    start = at(date(2027, 3, 16), 15, zone=BERLIN)
    meeting = Meeting.objects.create(
        pair=pair, starts_at=start, ends_at=start + timedelta(hours=1), status="confirmed"
    )
    MeetingAttendance.objects.create(
        meeting=meeting, user=pair.mentee.user, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    client.force_login(pair.mentor.user)

    response = client.post(reverse("meetings:series_propose", args=[pair.pk]), form())

    assert response.status_code == 200
    assert "The session on 16 Mar 2027 can" in response.context["form"].errors["first_day"][0]
    assert not MeetingSeries.objects.exists()


def test_a_time_off_the_quarter_hour_is_refused(client, pair):
    client.force_login(pair.mentor.user)
    response = client.post(reverse("meetings:series_propose", args=[pair.pk]), form(start_time="15:10"))
    assert "quarter hour" in response.context["form"].errors["start_time"][0]
    assert not MeetingSeries.objects.exists()


def test_ending_the_series_needs_a_reason_then_drops_the_sessions_ahead(client, pair, proposal):
    series.series_accept(series=proposal, user=pair.mentee.user)
    client.force_login(pair.mentee.user)
    url = reverse("meetings:series_end", args=[proposal.pk])
    response = client.post(url, {"reason": ""})
    assert response.context["form"].errors["reason"] == ["Say why you are ending the recurring slot."]

    response = client.post(url, {"reason": "New job"})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "ended"
    assert not Meeting.objects.filter(pair=pair, status="confirmed").exists()


def test_a_program_without_series_offers_no_proposal(client, pair):
    pair.program.series_allowed = False
    pair.program.save(update_fields=["series_allowed"])
    client.force_login(pair.mentor.user)

    html = client.get(reverse("meetings:pair", args=[pair.pk])).content.decode()
    response = client.get(reverse("meetings:series_propose", args=[pair.pk]))

    assert "Propose a regular slot" not in html and "books single sessions only" in html
    assert response.status_code == 302 and not MeetingSeries.objects.exists()
