"""The HR enrolments page stays fast as a program grows: pages of 50, search and filters."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.pairing.conftest import enrol

pytestmark = pytest.mark.django_db


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_enrolments_page_costs_the_same_queries_for_10_and_60_participants(
    client, hr_admin, enrolling_program
):
    url = reverse("pairing:hr_enrollments", args=[enrolling_program.pk])
    for i in range(10):
        enrol(enrolling_program, role="mentor" if i % 2 else "mentee", status="applied", trained=i % 3 == 0)
    client.force_login(hr_admin)
    client.get(url)  # warm the session and permission caches alike for both counts
    small = _queries(client, url)
    for i in range(50):
        enrol(enrolling_program, role="mentor" if i % 2 else "mentee", status="applied", trained=i % 3 == 0)
    large = _queries(client, url)
    assert small == large


def test_the_enrolments_page_shows_50_a_page_with_a_count_and_page_links(
    client, hr_admin, enrolling_program
):
    for i in range(60):
        enrol(enrolling_program, status="applied", full_name=f"Person {i:02d}")
    client.force_login(hr_admin)
    url = reverse("pairing:hr_enrollments", args=[enrolling_program.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert first.count('<tr id="enrolment-') == 50 and second.count('<tr id="enrolment-') == 10
    assert "60 applications" in first and "Page 1 of 2" in first
    assert "?page=2" in first and "?page=1" in second
    # Every person on exactly one of the two pages.
    for i in range(60):
        assert (f"Person {i:02d}" in first) != (f"Person {i:02d}" in second)


def test_search_and_filters_narrow_the_list_and_page_links_keep_them(client, hr_admin, enrolling_program):
    for i in range(55):
        enrol(enrolling_program, role="mentor", status="applied", full_name=f"Cloud Mentor {i:02d}")
    enrol(enrolling_program, role="mentee", status="applied", full_name="Cloud Mentee")
    enrol(enrolling_program, role="mentor", status="waitlisted", full_name="Waiting Mentor")
    client.force_login(hr_admin)
    url = reverse("pairing:hr_enrollments", args=[enrolling_program.pk])

    by_role = client.get(url, {"role": "mentee"}).content.decode()
    assert "Cloud Mentee" in by_role and "Cloud Mentor" not in by_role and "1 application" in by_role

    searched = client.get(url, {"q": "cloud mentor", "status": "applied"}).content.decode()
    assert "55 applications" in searched
    assert "Waiting Mentor" not in searched and "Cloud Mentee" not in searched
    assert "q=cloud+mentor&amp;status=applied&amp;page=2" in searched

    nobody = client.get(url, {"q": "zebra"}).content.decode()
    assert "No applications match this search." in nobody


def test_htmx_gets_the_results_alone(client, hr_admin, enrolling_program):
    enrol(enrolling_program, status="applied", full_name="Ann Applied")
    client.force_login(hr_admin)

    partial = client.get(
        reverse("pairing:hr_enrollments", args=[enrolling_program.pk]), {"q": "ann"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "Ann Applied" in partial and "<html" not in partial and "filter-chips" not in partial


def test_a_page_number_past_the_end_shows_the_last_page(client, hr_admin, enrolling_program):
    enrol(enrolling_program, status="applied", full_name="Only One")
    client.force_login(hr_admin)

    page = client.get(reverse("pairing:hr_enrollments", args=[enrolling_program.pk]), {"page": "99"})

    assert page.status_code == 200 and "Only One" in page.content.decode()


def test_outsiders_cannot_search_enrolments(client, mentor, enrolling_program):
    enrol(enrolling_program, status="applied", full_name="Secret Person")
    client.force_login(mentor)

    response = client.get(reverse("pairing:hr_enrollments", args=[enrolling_program.pk]), {"q": "secret"})

    assert response.status_code == 404 and b"Secret Person" not in response.content
