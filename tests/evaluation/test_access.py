"""Who may open a dashboard: the program's own leads and HR admins. Everyone else gets a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.evaluation import builders as b
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def dashboard_urls(program) -> list[str]:
    return [
        reverse("evaluation:dashboard", args=[program.pk]),
        reverse("evaluation:export", args=[program.pk, "funnel"]),
        reverse("evaluation:export", args=[program.pk, "at_risk_pairs"]),
        reverse("evaluation:certificates", args=[program.pk]),
    ]


@pytest.fixture
def closed_program(db, lead):
    program, _questions = b.program(leads=[lead], status="closed")
    mentor = b.person(program, "mentor", department="Engineering", name="Aisha Mentor")
    mentee = b.person(program, "mentee", department="Sales", name="Robert Mentee")
    b.held(b.pair(program, mentor, mentee), 2)
    return program


def test_the_programs_lead_and_hr_admins_open_the_dashboard(client, lead, hr_admin, closed_program):
    for user in (lead, hr_admin):
        client.force_login(user)
        for url in dashboard_urls(closed_program):
            response = client.get(url)
            assert response.status_code == 200, (user, url)


@pytest.mark.parametrize("who", ["other_lead", "participant", "outsider"])
def test_everyone_else_gets_a_404(client, closed_program, outsider, who):
    if who == "other_lead":
        user = UserFactory(level=13)
        b.program(leads=[user], name="Another program")
    elif who == "participant":
        user = closed_program.enrollments.get(role="mentor").user
    else:
        user = outsider
    client.force_login(user)
    for url in dashboard_urls(closed_program):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("evaluation:manager_notes", args=[closed_program.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, closed_program):
    for url in [reverse("evaluation:list"), *dashboard_urls(closed_program),
                reverse("evaluation:certificate", args=[closed_program.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), url


def test_the_list_shows_only_the_programs_a_lead_leads(client, lead, closed_program):
    b.program(name="Somebody else's program")
    client.force_login(lead)
    html = client.get(reverse("evaluation:list")).content.decode()
    assert closed_program.name in html
    assert "Somebody else&#x27;s program" not in html and "Somebody else's program" not in html


def test_hr_admins_see_every_program_in_the_list(client, hr_admin, closed_program):
    other, _q = b.program(name="Autumn cohort")
    client.force_login(hr_admin)
    html = client.get(reverse("evaluation:list")).content.decode()
    assert closed_program.name in html and other.name in html


def test_a_lead_may_not_send_manager_notes(client, lead, closed_program):
    client.force_login(lead)
    assert client.post(reverse("evaluation:manager_notes", args=[closed_program.pk])).status_code == 404


@pytest.mark.parametrize("name", ["evaluation:manager_notes", "evaluation:consent"])
def test_posting_views_refuse_a_get(client, hr_admin, closed_program, name):
    client.force_login(hr_admin if name == "evaluation:manager_notes"
                       else closed_program.enrollments.get(role="mentor").user)
    assert client.get(reverse(name, args=[closed_program.pk])).status_code == 405


@pytest.mark.parametrize("name", ["evaluation:dashboard", "evaluation:list"])
def test_read_only_pages_refuse_a_post(client, lead, closed_program, name):
    client.force_login(lead)
    url = reverse(name, args=[closed_program.pk]) if name == "evaluation:dashboard" else reverse(name)
    assert client.post(url).status_code == 405


def test_an_unknown_table_is_a_404(client, lead, closed_program):
    client.force_login(lead)
    assert client.get(reverse("evaluation:export", args=[closed_program.pk, "passwords"])).status_code == 404


def test_the_leads_home_panel_and_navigation_lead_to_the_dashboards(client, lead, closed_program):
    client.force_login(lead)
    html = client.get(reverse("home")).content.decode()
    assert reverse("evaluation:dashboard", args=[closed_program.pk]) in html
    assert f'href="{reverse("evaluation:list")}"' in html
