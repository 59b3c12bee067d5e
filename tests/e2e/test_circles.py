"""A learning circle in the browser: HR creates it, the junior host books a session, two seniors
say yes, the third is refused because the session is full, and the host logs the session. Then the
same pages on a 390 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.services import user_set_hr_admin
from circles.models import Circle, CircleNote, CircleReflection, CircleRsvp, CircleSession
from tests.e2e.test_journeys import nav, sign_in
from tests.factories import MenteeEnrollmentFactory, MentorEnrollmentFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people():
    today = timezone.localdate()
    program = ProgramFactory(name="Reverse mentoring 2027", status="running",
                             starts_on=today - dt.timedelta(days=20), ends_on=today + dt.timedelta(days=90))
    hr = user_set_hr_admin(user=UserFactory(email="hr@corp.example", full_name="Hannah Reyes",
                                            department="People", level=8), is_hr_admin=True)
    aisha = MentorEnrollmentFactory(program=program, user=UserFactory(
        email="aisha@corp.example", full_name="Aisha Rahman", level=3, time_zone="Europe/Berlin"))
    seniors = [MenteeEnrollmentFactory(program=program, user=UserFactory(
        email=email, full_name=name, level=12, department=dept, time_zone=zone))
        for email, name, dept, zone in (
            ("robert@corp.example", "Robert Whitfield", "Sales", "America/New_York"),
            ("margaret@corp.example", "Margaret Chen", "Finance", "Europe/London"),
            ("henrik@corp.example", "Henrik Olsen", "Operations", "Europe/Oslo"))]
    return {"program": program, "hr": hr, "aisha": aisha.user, "seniors": [s.user for s in seniors]}


@pytest.fixture
def window(browser: Browser, browser_context_args, live_server):
    opened = []

    def open_as(email: str, **overrides) -> Page:
        context = browser.new_context(**{**browser_context_args, "base_url": live_server.url, **overrides})
        opened.append(context)
        return sign_in(context.new_page(), email)

    yield open_as
    for context in opened:
        context.close()


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_hr_creates_a_learning_circle_the_host_books_seniors_answer_and_the_host_logs(
        people, window, shot):
    program, robert, margaret, henrik = people["program"], *people["seniors"]

    # HR: Pairing → the program → Circles → New circle.
    hr = window("hr@corp.example")
    hr.goto(f"/circles/hr/program/{program.pk}/")
    hr.get_by_role("link", name="New circle").click()
    hr.get_by_label("Name", exact=True).fill("AI for the leadership team")
    hr.get_by_label("Learning circle").check()
    hr.get_by_role("group", name="Host(s)").get_by_label("Aisha Rahman", exact=False).check()
    members = hr.get_by_role("group", name="Members")
    for name in ("Robert Whitfield", "Margaret Chen", "Henrik Olsen"):
        members.get_by_label(name, exact=False).check()
    hr.get_by_label("Places", exact=True).fill("3")
    hr.get_by_role("button", name="Create the circle").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("AI for the leadership team")
    circle = Circle.objects.get()
    assert circle.kind == "learning" and circle.memberships.filter(role="member").count() == 3

    # Aisha (Berlin) books a session for two, in her own time.
    aisha = window("aisha@corp.example")
    nav(aisha, "Circles")
    aisha.get_by_role("link", name="AI for the leadership team").click()
    aisha.get_by_role("link", name="Book a session").click()
    day = (timezone.now().astimezone(dt.UTC) + dt.timedelta(days=3)).date()
    aisha.get_by_label("Day", exact=True).fill(day.isoformat())
    aisha.get_by_label("Start", exact=True).fill("15:00")
    aisha.get_by_label("Places", exact=True).fill("2")
    aisha.get_by_label("Video link").fill("https://meet.example.com/ai-circle")
    aisha.get_by_role("button", name="Book and invite everyone").click()
    expect(aisha.locator("[data-places]")).to_have_text("0 of 2 places taken")
    session = CircleSession.objects.get()
    invited = sorted(m.to[0] for m in mail.outbox if "Invitation: AI for the leadership team" in m.subject)
    assert invited == sorted(["aisha@corp.example", robert.email, margaret.email, henrik.email])

    # Henrik opens the page while places are left; Robert and Margaret say yes first.
    henrik_page = window("henrik@corp.example")
    henrik_page.goto(f"/circles/session/{session.pk}/")
    for email in (robert.email, margaret.email):
        page = window(email)
        nav(page, "Circles")
        page.get_by_role("link", name="AI for the leadership team").click()
        page.locator(f"#circle-session-{session.pk} a").click()
        if email == robert.email:
            expect(page.get_by_role("heading", level=1)).to_contain_text("New York")  # his own zone
        page.get_by_role("button", name="I'm going").click()
        expect(page.get_by_text("You're going").first).to_be_visible()
    henrik_page.get_by_role("button", name="I'm going").click()
    expect(henrik_page.get_by_text("Sorry, this session is full: all 2 places are taken.")).to_be_visible()
    expect(henrik_page.get_by_role("button", name="I'm going")).to_be_disabled()
    assert sorted(CircleRsvp.objects.filter(answer="yes").values_list("user__email", flat=True)) == sorted(
        [robert.email, margaret.email])
    shot(henrik_page, "circle-session-full")

    # The session takes place (the clock moves on): Aisha logs it.
    CircleSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2), ends_at=timezone.now() - dt.timedelta(hours=1))
    aisha.goto(f"/circles/session/{session.pk}/")
    aisha.get_by_role("link", name="Session notes").click()
    aisha.get_by_label("Shared summary (every member can read it)").fill("Prompts for three real tasks.")
    aisha.get_by_label("Private reflection (only you can ever read it)").fill("AISHA-ONLY-NOTE")
    aisha.get_by_label("Action item for").select_option(label="Robert Whitfield")
    aisha.get_by_label("Action item", exact=True).fill("Try one prompt on a real e-mail")
    aisha.get_by_role("button", name="Save notes").click()
    expect(aisha.get_by_text("Notes saved.")).to_be_visible()
    assert CircleNote.objects.get().shared_summary == "Prompts for three real tasks."
    assert CircleReflection.objects.get().author == people["aisha"]
    session.refresh_from_db()
    assert session.status == "held"

    # Robert reads the shared notes on his phone: not Aisha's reflection; the page fits 390 px.
    phone = window(robert.email, viewport=PHONE)
    phone.goto(f"/circles/session/{session.pk}/notes/")
    summary = phone.get_by_role("region", name="Shared summary")
    expect(summary).to_contain_text("Prompts for three real tasks.")
    expect(phone.get_by_text("Try one prompt on a real e-mail")).to_be_visible()
    assert "AISHA-ONLY-NOTE" not in phone.content()
    for path in (f"/circles/session/{session.pk}/", f"/circles/{circle.pk}/", "/circles/"):
        phone.goto(path)
        assert fits(phone), path
    hr_phone = window("hr@corp.example", viewport=PHONE)
    for path in (f"/circles/hr/program/{program.pk}/", f"/circles/hr/{circle.pk}/",
                 f"/circles/hr/program/{program.pk}/new/"):
        hr_phone.goto(path)
        assert fits(hr_phone), path
    shot(phone, "circle-notes-phone")
