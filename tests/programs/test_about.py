"""Who may read a program's participant-facing page, and what they see there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Program

from .conftest import enroll, set_status

pytestmark = pytest.mark.django_db


def about(program: Program) -> str:
    return reverse("programs:about", args=[program.pk])


def test_hr_admins_read_any_program(hr_client, draft):
    response = hr_client.get(about(draft))
    assert response.status_code == 200 and draft.name in response.content.decode()


def test_a_draft_is_invisible_to_everyone_else(outsider_client, draft):
    assert outsider_client.get(about(draft)).status_code == 404


def test_a_program_lead_reads_their_program(client, lead, ready):
    set_status(ready, Program.Status.RUNNING)
    ready.leads.add(lead)
    client.force_login(lead)
    html = client.get(about(ready)).content.decode()
    assert "How it works" in html and "Confidentiality" in html


def test_a_lead_of_another_program_gets_404(client, lead, ready, draft):
    set_status(ready, Program.Status.RUNNING)
    ready.leads.clear()
    draft.leads.add(lead)
    client.force_login(lead)
    assert client.get(about(ready)).status_code == 404


def test_while_enrolling_any_employee_may_read_it(outsider_client, ready):
    set_status(ready, Program.Status.ENROLLING)
    html = outsider_client.get(about(ready)).content.decode()
    assert ready.current_agreement().text.splitlines()[0] in html
    assert "Enrolment closes on" in html


def test_after_enrolment_only_participants_read_it(client, outsider, mentor, ready):
    program = set_status(ready, Program.Status.RUNNING)
    enroll(program, mentor, role="mentor")
    client.force_login(outsider)
    assert client.get(about(program)).status_code == 404
    client.force_login(mentor)
    assert client.get(about(program)).status_code == 200


def test_participants_see_the_resources_for_their_side_only(client, mentor, mentee, ready):
    program = set_status(ready, Program.Status.RUNNING)
    enroll(program, mentor, role="mentor")
    enroll(program, mentee, role="mentee")
    client.force_login(mentor)
    html = client.get(about(program)).content.decode()
    assert "Mentoring a senior colleague" in html and "Learning from a junior colleague" not in html
    assert "How reverse mentoring works" in html  # for everyone
    client.force_login(mentee)
    html = client.get(about(program)).content.decode()
    assert "Learning from a junior colleague" in html and "Mentoring a senior colleague" not in html


def test_the_page_says_whether_leads_read_summaries(client, mentor, ready):
    program = set_status(ready, Program.Status.RUNNING)
    enroll(program, mentor, role="mentor")
    client.force_login(mentor)
    assert "Program leads never read your session summaries" in client.get(about(program)).content.decode()
    Program.objects.filter(pk=program.pk).update(leads_can_read_summaries=True)
    assert "program leads may read the shared summaries" in client.get(about(program)).content.decode()


def test_only_the_published_agreement_is_shown(client, hr_admin, ready):
    from programs import services

    services.agreement_save(program=ready, actor=hr_admin, text="Secret draft wording")
    program = set_status(ready, Program.Status.ENROLLING)
    client.force_login(hr_admin)
    assert "Secret draft wording" not in client.get(about(program)).content.decode()


def test_the_about_page_is_get_only_and_needs_sign_in(client, hr_client, ready):
    assert hr_client.post(about(ready)).status_code == 405
    client.logout()
    response = client.get(about(ready))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_inactive_account_reads_nothing(ready):
    from accounts.models import User
    from programs.selectors import can_read_program

    set_status(ready, Program.Status.ENROLLING)
    assert not can_read_program(User(is_active=False, email="x@example.com"), ready)
