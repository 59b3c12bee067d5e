from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.demo import seed_people
from programs import services
from programs.demo import ENROLLING, RUNNING, seed_programs
from programs.models import Program
from programs.selectors import hr_home

pytestmark = pytest.mark.django_db


def test_the_hr_home_panel_offers_the_template_when_there_is_no_program(hr_client):
    html = hr_client.get(reverse("home")).content.decode()
    assert "Set up your first program." in html and reverse("programs:new") in html


def test_the_hr_home_panel_lists_open_programs_with_their_next_step(hr_client, draft):
    html = hr_client.get(reverse("home")).content.decode()
    assert draft.name in html and "Publish the agreement, and 3 more" in html


def test_the_hr_home_panel_costs_a_constant_number_of_queries(hr_admin, draft):
    with CaptureQueriesContext(connection) as one:
        [p.missing_for_next_step() for p in hr_home(hr_admin)["hr_programs"]]
    for i in range(4):
        services.program_create_from_template(name=f"Another {i}", actor=hr_admin)
    with CaptureQueriesContext(connection) as five:
        programs = hr_home(hr_admin)["hr_programs"]
        [p.missing_for_next_step() for p in programs]
    assert len(programs) == 5 and len(five) == len(one)


def test_closed_programs_leave_the_home_panel(hr_admin, draft):
    Program.objects.filter(pk=draft.pk).update(status=Program.Status.CLOSED)
    assert hr_home(hr_admin)["hr_programs"] == []


def test_the_demo_has_a_running_program_and_one_open_for_enrolment():
    people = seed_people()
    programs = seed_programs(people)
    today = timezone.localdate()
    running, enrolling = programs["running"], programs["enrolling"]
    assert (running.name, running.status) == (RUNNING, Program.Status.RUNNING)
    assert running.starts_on < today < running.ends_on
    assert running.current_agreement() is not None and people["lead"] in running.leads.all()
    assert (enrolling.name, enrolling.status) == (ENROLLING, Program.Status.ENROLLING)
    assert enrolling.enrolment_opens <= today <= enrolling.enrolment_closes
    assert enrolling.current_agreement() is not None


def test_seeding_the_demo_twice_changes_nothing():
    people = seed_people()
    first = seed_programs(people)
    counts = (Program.objects.count(), sum(p.changes.count() for p in Program.objects.all()))
    second = seed_programs(people)
    assert first == second
    assert (Program.objects.count(), sum(p.changes.count() for p in Program.objects.all())) == counts
