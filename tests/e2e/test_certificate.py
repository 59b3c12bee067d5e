"""A program closes: the junior mentor follows the e-mail to their certificate, agrees to a note to
their manager, and the next run of the job sends it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluation import services
from evaluation.models import ManagerNote
from programs.models import Program
from tests.evaluation import builders as b
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_opens_the_certificate_from_the_email_and_agrees_to_a_note(live_server, page: Page, lead):
    program, _q = b.program(k=3, leads=[lead], name="Reverse Mentoring Spring", status=Program.Status.CLOSED,
                            closed_at=timezone.now())
    boss = UserFactory(full_name="Grace Manager", email="grace.manager@example.com", level=12)
    mentor = b.person(program, "mentor", department="Engineering", name="Aisha Rahman", manager=boss)
    mentee = b.person(program, "mentee", department="Sales", name="Robert Whitfield")
    b.held(b.pair(program, mentor, mentee), 2)

    services.certificates_tick()
    notice = next(m for m in mail.outbox if m.to == [mentor.user.email])
    path = re.search(r"/evaluation/certificate/\d+/", notice.body).group(0)

    page.goto(live_server.url + path)  # not signed in yet: the sign-in page comes first
    page.get_by_label("Email").fill(mentor.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Certificate of participation")).to_be_visible()
    expect(page.locator("article.certificate")).to_contain_text("Aisha Rahman")
    expect(page.get_by_text("2 sessions held")).to_be_visible()
    page.get_by_role("button", name="Yes, my manager may receive a note").click()
    expect(page.get_by_text("in the next few minutes").first).to_be_visible()

    services.certificates_tick()  # what beat runs every minute
    assert [m.subject for m in mail.outbox if m.to == [boss.email]]
    assert ManagerNote.objects.get(enrollment=mentor).sent_at is not None
    page.reload()
    expect(page.locator(".eval-consent")).to_contain_text("Your manager has received a note")

    page.goto(live_server.url + "/mentoring/")
    page.get_by_role("link", name="Your certificate").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
