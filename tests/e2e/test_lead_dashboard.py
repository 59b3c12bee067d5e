"""A program lead opens their dashboard, filters it by department and downloads a CSV."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import AuditEvent
from tests.evaluation import builders as b
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def six_pairs_now(lead):
    """Six pairs that started eight weeks ago; p1–p3 have an Engineering mentor (4, 4, 3 sessions).

    Every department has at least k = 3 applicants, so each can be chosen as a filter.
    """
    now = timezone.now()
    start = now - dt.timedelta(weeks=8)
    program, _q = b.program(k=3, leads=[lead], name="Reverse Mentoring Spring", starts_on=start.date(),
                            ends_on=(now + dt.timedelta(weeks=12)).date())
    dates = {"applied_at": start - dt.timedelta(weeks=3), "decided_at": start - dt.timedelta(weeks=2)}
    mentors = [b.person(program, "mentor", department=d, name=f"Mentor {i}", **dates)
               for i, d in enumerate(["Engineering"] * 3 + ["Marketing"] * 3)]
    mentees = [b.person(program, "mentee", department=d, name=f"Mentee {i}", **dates)
               for i, d in enumerate(["Sales"] * 4 + ["Finance"] * 2)]
    for i, status in enumerate(["declined", "waitlisted", "declined"]):  # Finance reaches 5 applicants
        b.person(program, "mentee", department="Finance", status=status, name=f"Applicant {i}", **dates)
    for mentor, mentee, held in zip(mentors, mentees, [4, 4, 3, 3, 1, 0], strict=True):
        pair = b.pair(program, mentor, mentee, activated_at=start)
        b.held(pair, held, first=start + dt.timedelta(days=7, hours=10))
    return program


def test_a_lead_filters_by_department_and_downloads_the_figures(live_server, page: Page, lead):
    program = six_pairs_now(lead)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()
    page.get_by_role("link", name="Reverse Mentoring Spring").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Reverse Mentoring Spring")
    engagement = page.locator("#engagement")
    held = engagement.locator(".eval-stat").filter(
        has=page.get_by_text("Sessions held", exact=True)).locator(".eval-value")
    expect(held).to_have_text("15")

    page.get_by_label("Department", exact=True).select_option("Engineering")
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"department=Engineering"))
    expect(page.get_by_text("Showing:")).to_be_visible()
    expect(held).to_have_text("11")  # only the pairs with an Engineering member

    with page.expect_download() as download_info:
        engagement.get_by_role("link", name="Download these figures (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("reverse-mentoring-spring-engagement-figures-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Figure", "Value", "Definition"]
    assert rows[1][:2] == ["Sessions held", "11"]

    audit = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert audit.actor == lead
    assert audit.data["department"] == "Engineering" and audit.data["program"] == program.pk
