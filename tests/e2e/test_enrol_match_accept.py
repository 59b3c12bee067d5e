"""Two employees enrol, HR approves them, runs matching and publishes; both accept the pair.

Everything that is the pairing app's is clicked in the browser. The matching run is queued by
the "Run matching" button like in production; no worker runs during browser tests, so the test
stands in for it by calling the same service the Celery task calls (``match_run_execute``) while
the run page is open, and the page's htmx polling shows the result. (The real worker path is
covered by tests/integration/test_matching_run.py.)
"""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from pairing import match_runs
from pairing.models import Enrollment, MatchRun, Pair
from pairing.services import expertise_save, interest_save, profile_update
from programs import services as program_services
from programs.models import Program, Topic
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _program(hr, lead) -> Program:
    today = timezone.localdate()
    program = program_services.program_create_from_template(
        name="Reverse Mentoring 2027",
        actor=hr,
        enrolment_opens=today - dt.timedelta(days=1),
        enrolment_closes=today + dt.timedelta(days=14),
        starts_on=today + dt.timedelta(days=30),
    )
    program_services.program_lead_add(program=program, actor=hr, user=lead)
    program_services.agreement_publish(program=program, actor=hr)
    return program_services.program_advance(program=program, actor=hr)  # now enrolling


@pytest.fixture
def contexts(browser: Browser):
    """One browser context per person; closed at the end so the live server's connections close."""
    opened = []

    def new(base_url: str):
        context = browser.new_context(base_url=base_url)
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def _sign_in(new_context, base_url: str, email: str) -> Page:
    page = new_context(base_url).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    return page


def _apply(page: Page, program: Program, role: str, learn: str, teach: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My mentoring").click()
    page.get_by_role("link", name=f"Apply to {program.name}").click()
    page.get_by_label(role, exact=True).check()
    page.get_by_label("What I want to learn").fill(learn)
    page.get_by_label("What I can teach").fill(teach)
    page.get_by_label("I have read the agreement and accept it").check()
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("Thank you for applying.")).to_be_visible()
    page.get_by_role("button", name="Mark as done How reverse mentoring works").click()
    expect(page.get_by_text("Marked “How reverse mentoring works” as done.")).to_be_visible()


def test_two_employees_enrol_hr_matches_and_publishes_and_both_accept(live_server, contexts, hr_admin, lead):
    program = _program(hr_admin, lead)
    junior = UserFactory(
        email="aisha@example.com",
        full_name="Aisha Rahman",
        level=3,
        department="Engineering",
        job_title="Cloud Engineer",
    )
    senior = UserFactory(
        email="robert@example.com",
        full_name="Robert Whitfield",
        level=11,
        department="Sales",
        job_title="VP Sales",
    )
    # What they know and want to learn (their profile pages have their own tests).
    expertise_save(user=junior, topic=Topic.objects.get(name="Cloud services"), proficiency=5, can_teach=True)
    interest_save(user=senior, topic=Topic.objects.get(name="Cloud services"), priority=1)
    profile_update(user=junior, languages=["English"], bio="")
    profile_update(user=senior, languages=["English"], bio="")

    # The junior applies as a mentor, the senior as a mentee; both finish the required training.
    aisha = _sign_in(contexts, live_server.url, junior.email)
    _apply(aisha, program, "Mentor", "How our market works.", "Cloud services in practice.")
    robert = _sign_in(contexts, live_server.url, senior.email)
    _apply(robert, program, "Mentee", "Cloud services.", "Industry knowledge and stakeholders.")

    # HR approves both and closes enrolment.
    hr = _sign_in(contexts, live_server.url, hr_admin.email)
    hr.get_by_role("navigation", name="Main").get_by_role("link", name="Pairing").click()
    hr.get_by_role("row", name=re.compile(program.name)).get_by_role("link", name="Enrolments").click()
    hr.get_by_role("button", name="Approve Aisha Rahman").click()
    expect(hr.get_by_text("Aisha Rahman: Approved.")).to_be_visible()
    hr.get_by_role("button", name="Approve Robert Whitfield").click()
    expect(hr.get_by_text("Robert Whitfield: Approved.")).to_be_visible()
    hr.get_by_role("link", name="Program settings").click()
    hr.get_by_role("button", name="Close enrolment and start matching").click()
    expect(hr.get_by_role("heading", level=1)).to_contain_text(program.name)
    program.refresh_from_db()
    assert program.status == Program.Status.MATCHING

    # HR runs matching and watches the run page pick up the result.
    hr.goto(f"/mentoring/hr/programs/{program.pk}/matching/")
    with mock.patch("pairing.tasks.run_matching.delay") as queued:
        hr.get_by_role("button", name="Run matching").click()
        expect(hr.get_by_text("Waiting for a worker").first).to_be_visible()
    run = MatchRun.objects.get(program=program)
    queued.assert_called_once_with(run.pk)
    match_runs.match_run_execute(run_id=run.pk)  # what the Celery task does
    expect(hr.get_by_text("1 pair proposed.")).to_be_visible(timeout=10_000)
    hr.get_by_role("link", name="Review the proposals").click()
    card = hr.get_by_role("article", name="Aisha Rahman mentors Robert Whitfield")
    expect(card).to_contain_text("Aisha can teach Robert Cloud services, which Robert ranked first")
    hr.once("dialog", lambda dialog: dialog.accept())
    hr.get_by_role("button", name="Publish 1 pair").click()
    expect(hr.get_by_text("Published 1 pair(s).")).to_be_visible()

    # Both accept from their home page.
    for page, partner, done in (
        (aisha, "Robert Whitfield", "Thank you; we are waiting for your pair to answer."),
        (robert, "Aisha Rahman", "You are paired!"),
    ):
        page.goto("/")
        expect(page.get_by_text(f"HR proposes {partner}")).to_be_visible()
        page.get_by_role("link", name="Answer").click()
        expect(page.get_by_text("Aisha can teach Robert Cloud services")).to_be_visible()
        page.get_by_role("button", name="Accept").click()
        expect(page.get_by_text(done)).to_be_visible()

    pair = Pair.objects.get(program=program)
    assert pair.status == Pair.Status.ACTIVE and pair.activated_at is not None
    assert (pair.mentor.user, pair.mentee.user) == (junior, senior)
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"approved"}
    expect(robert.get_by_role("link", name="aisha@example.com")).to_be_visible()
