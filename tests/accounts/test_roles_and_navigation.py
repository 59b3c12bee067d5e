"""Navigation differs by role; anonymous people are sent to sign in from every private page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PRIVATE_PAGES = [
    "accounts:preferences", "programs:list", "programs:people", "account_email",
    "account_change_password", "mfa_index",
]


def nav_roles(client) -> set[str]:
    html = client.get(reverse("home")).content.decode()
    return {role for role in ("hr_admin", "lead", "superuser") if f'data-role-nav="{role}"' in html}


def test_an_hr_admin_sees_the_programs_and_people_areas(client, hr_admin):
    client.force_login(hr_admin)
    assert nav_roles(client) == {"hr_admin"}
    html = client.get(reverse("home")).content.decode()
    assert reverse("programs:people") in html
    assert 'data-home-panel="hr_admin"' in html


def test_a_program_lead_sees_their_dashboards(client, lead, program):
    client.force_login(lead)
    assert nav_roles(client) == {"lead"}
    assert program.name in client.get(reverse("home")).content.decode()


def test_a_participant_sees_neither_hr_nor_lead_areas(client, mentor):
    client.force_login(mentor)
    assert nav_roles(client) == set()
    html = client.get(reverse("home")).content.decode()
    assert 'data-home-panel="participant"' in html
    assert 'data-home-panel="hr_admin"' not in html


def test_a_superuser_gets_the_back_office_link(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root@example.com", "pw-long-enough-1")
    client.force_login(admin)
    assert "superuser" in nav_roles(client)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert f"next={url}" in response.url.replace("%2F", "/")


@pytest.mark.parametrize("name", ["programs:list", "programs:people"])
def test_hr_pages_are_hidden_from_participants(client, mentor, name):
    client.force_login(mentor)
    assert client.get(reverse(name)).status_code == 404


def test_the_back_office_is_closed_to_hr_admins_without_staff_status(client, hr_admin):
    client.force_login(hr_admin)
    assert client.get(reverse("admin:login")).status_code == 403


def test_the_back_office_sign_in_goes_through_the_rate_limited_sign_in(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
