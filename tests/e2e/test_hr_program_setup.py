"""An HR admin sets up a program in the browser: template → framework → agreement → people → enrolment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.services import user_set_hr_admin
from programs.models import Program
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPLOYEES = (
    "Name,E-mail,Department,Job title,Level,Manager email,Location,Time zone\n"
    "Aisha Rahman,aisha@corp.example,Engineering,Cloud Engineer,3,leonard@corp.example,Berlin,Europe/Berlin\n"
    "Robert Whitfield,robert@corp.example,Sales,VP Sales,11,leonard@corp.example,New York,America/New_York\n"
    "Leonard Brooks,leonard@corp.example,People,Chief People Officer,13,,London,Europe/London\n"
)


def test_an_hr_admin_sets_up_a_program_from_the_template_and_opens_enrolment(live_server, page: Page):
    hannah = UserFactory(email="hannah@corp.example", full_name="Hannah Reyes")
    user_set_hr_admin(user=hannah, is_hr_admin=True)
    today = timezone.localdate()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("hannah@corp.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Start from the template.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="New program from the template").click()
    page.get_by_label("Name").fill("Reverse mentoring 2027")
    page.get_by_label("Cohort").fill("2027 spring")
    page.get_by_label("Enrolment opens").fill(today.isoformat())
    page.get_by_label("Enrolment closes").fill((today + dt.timedelta(days=21)).isoformat())
    page.get_by_label("Program starts").fill((today + dt.timedelta(days=35)).isoformat())
    page.get_by_role("button", name="Create from the template").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Reverse mentoring 2027")
    status = page.locator("#status")
    expect(status.get_by_role("link", name="Publish the agreement")).to_be_visible()
    expect(status.get_by_role("link", name="Assign a program lead")).to_be_visible()
    expect(status.get_by_role("button", name="Open enrolment")).to_be_disabled()
    expect(page.locator("#topics")).to_contain_text("Generative AI")

    # Adjust the framework.
    page.locator("#framework").get_by_role("link", name="Edit").click()
    page.get_by_label("Session length (minutes)").fill("60")
    page.get_by_label("Video call").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Framework saved.")
    expect(page.locator("#framework")).to_contain_text("60 minutes")

    # Review and publish the agreement.
    page.locator("#agreement").get_by_role("link", name="Edit the agreement").click()
    page.get_by_label("Agreement text").fill(
        "We meet every two weeks, keep what we share confidential, and either of us may end the "
        "pairing without blame.")
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Agreement version 1 is published.")

    # Import the employees: preview first, then apply.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Import a CSV").click()
    page.get_by_label("Employee list (CSV)").set_input_files(
        files=[{"name": "employees.csv", "mimeType": "text/csv", "buffer": EMPLOYEES.encode()}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.locator(".import-table")).to_contain_text("aisha@corp.example")
    assert not User.objects.filter(email__endswith="@corp.example").exclude(pk=hannah.pk).exists()
    page.get_by_role("button", name="Import 3 changes").click()
    expect(page.get_by_role("status")).to_contain_text("Import done: 3 added, 0 updated, 0 unchanged.")
    expect(page.get_by_role("row", name="Aisha Rahman")).to_contain_text("Engineering")

    # Assign the lead and open enrolment.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Reverse mentoring 2027").click()
    page.get_by_label("E-mail address of the new lead").fill("leonard@corp.example")
    page.get_by_role("button", name="Add lead").click()
    expect(page.get_by_role("status")).to_contain_text("Leonard Brooks is now a program lead.")
    expect(page.locator("#status")).to_contain_text("Nothing is missing")
    page.locator("#status").get_by_role("button", name="Open enrolment").click()
    expect(page.get_by_role("status")).to_contain_text("is now enrolling")
    expect(page.locator(".status-steps [aria-current=step]")).to_have_text("Enrolling")

    program = Program.objects.get(name="Reverse mentoring 2027")
    assert program.status == Program.Status.ENROLLING
    assert (program.session_minutes, program.meeting_modes) == (60, Program.MeetingModes.VIDEO)
    assert program.current_agreement().text.startswith("We meet every two weeks")
    assert list(program.leads.values_list("email", flat=True)) == ["leonard@corp.example"]
    assert User.objects.get(email="aisha@corp.example").manager.email == "leonard@corp.example"
    areas = set(program.changes.values_list("area", flat=True))
    assert {"program", "framework", "agreement", "leads", "status"} <= areas
