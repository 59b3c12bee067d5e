"""Issue 18 items 1 and 5 in the browser: the topic menu with agendas, and the out-of-hours guard.

HR edits a topic's agenda; Aisha (mentor, Berlin) books a session on that topic and finds the agenda
on the session page and in the calendar invitation of the real e-mail; proposing 19:00 Robert's time
(New York, available 09:00–17:00) warns and goes through once confirmed; 23:00 his time is refused.
Every time is computed from "now" in the partner's zone, so the test holds on any day and hour.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from accounts.services import user_set_hr_admin
from meetings import notices
from meetings.models import Meeting
from notifications import outbox
from programs import services as program_services
from programs.models import Program
from tests.factories import (
    PASSWORD,
    ActivePairFactory,
    AvailabilityWindowFactory,
    ProfileFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
AGENDA = "Show your own week's to-do list\nDraft one e-mail with the assistant\nCheck it for made-up facts"


@pytest.fixture
def world(db):
    hannah = user_set_hr_admin(user=UserFactory(email="hannah@example.com", full_name="Hannah Reyes"),
                               is_hr_admin=True)
    today = timezone.localdate()
    program = program_services.program_create_from_template(
        name="Reverse mentoring 2027", actor=hannah, starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=90))
    Program.objects.filter(pk=program.pk).update(status=Program.Status.RUNNING)
    program.agreement_versions.all().delete()  # the pair factory publishes its own version 1
    aisha = UserFactory(email="aisha@example.com", full_name="Aisha Rahman", time_zone="Europe/Berlin")
    robert = UserFactory(email="robert@example.com", full_name="Robert Whitfield",
                         time_zone="America/New_York")
    # Robert is available 09:00–17:00 his time every day; Aisha from 07:00 to midnight hers.
    for user, start, end in ((aisha, time(7), time(23, 59)), (robert, time(9), time(17))):
        profile = ProfileFactory(user=user)
        for weekday in range(7):
            AvailabilityWindowFactory(profile=profile, weekday=weekday, start=start, end=end)
    pair = ActivePairFactory(program=program, mentor__user=aisha, mentee__user=robert)
    return {"program": program, "pair": pair}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def robert_at(hour: int) -> datetime:
    """``hour`` o'clock in New York a week from now, as Aisha types it (a Berlin day and time)."""
    day = timezone.now().astimezone(NEW_YORK).date() + timedelta(days=7)
    return datetime.combine(day, time(hour), tzinfo=NEW_YORK).astimezone(BERLIN)


def type_time(page: Page, moment: datetime) -> None:
    page.get_by_label("Day 1").fill(moment.date().isoformat())
    page.get_by_label("Start 1").fill(moment.strftime("%H:%M"))


def test_hr_edits_an_agenda_the_mentor_books_on_it_and_the_guard_protects_the_partners_evening(
        live_server, page: Page, world, mailoutbox, shot):
    base, program, pair = live_server.url, world["program"], world["pair"]

    # Hannah (HR) rewrites the agenda of "Generative AI" in the program's topic menu.
    sign_in(page, base, "hannah@example.com")
    page.goto(f"{base}/programs/{program.pk}/")
    page.get_by_role("link", name="Topic menu: agendas, kits and proposals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Topic menu")
    page.get_by_role("link", name=re.compile(r"Edit agenda and kit Generative AI")).click()
    page.get_by_label("Session agenda").fill(AGENDA)
    page.get_by_role("button", name="Save agenda and kit").click()
    expect(page.get_by_role("status")).to_contain_text("Agenda and kit of “Generative AI” saved.")
    shot(page, "topic-menu")
    sign_out(page)

    # Aisha books into Robert's availability on that topic, and prepares from the session page.
    sign_in(page, base, "aisha@example.com")
    page.goto(f"{base}/sessions/pair/{pair.pk}/")
    page.get_by_role("link", name="Book into Robert's availability").click()
    page.locator(".slot-option input[type=radio]").first.check()
    page.get_by_label("Topic", exact=True).select_option(label="Generative AI (mentor teaches)")
    page.get_by_role("button", name="Book it").click()
    expect(page.get_by_role("status")).to_contain_text("Booked.")
    meeting = Meeting.objects.get(pair=pair)
    assert meeting.topic.topic.name == "Generative AI" and meeting.status == "confirmed"
    page.goto(f"{base}/sessions/meeting/{meeting.pk}/")
    kit = page.get_by_role("region", name="Prepare: Generative AI")
    expect(kit.get_by_role("listitem").filter(has_text="Draft one e-mail with the assistant")).to_be_visible()
    expect(kit).to_contain_text("Questions to bring")
    shot(page, "session-with-topic")

    # The calendar invitation of the real e-mail carries the agenda in its description.
    outbox.deliver_due(only_kinds=[notices.KIND])
    invitation = next(m for m in mailoutbox if m.to == ["aisha@example.com"] and m.attachments)
    assert "Draft one e-mail with the assistant" in invitation.body
    (_name, content, _mimetype), = invitation.attachments
    event, = Calendar.from_ical(content).walk("VEVENT")
    assert "- Draft one e-mail with the assistant\n- Check it for made-up facts" in str(event["DESCRIPTION"])

    # Proposing 19:00 Robert's time warns, names his local time, and goes through once confirmed.
    page.goto(f"{base}/sessions/pair/{pair.pk}/")
    page.get_by_role("link", name="Propose times").click()
    type_time(page, robert_at(19))
    page.get_by_role("button", name="Send the proposal").click()
    warning = page.locator("#hours-warning")
    expect(warning).to_contain_text("19:00–19:45 for Robert in New York")
    expect(page.get_by_role("alert")).to_contain_text("19:00–19:45 for Robert in New York")
    assert Meeting.objects.filter(pair=pair, status="proposed").count() == 0
    shot(page, "out-of-hours-warning")
    page.get_by_label("I know it is outside Robert's working hours: send it anyway").check()
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Robert picks one")
    proposal = Meeting.objects.get(pair=pair, status="proposed")
    assert proposal.slots.get().starts_at.astimezone(NEW_YORK).time() == time(19)

    # 23:00 his time is the middle of his night: refused, with no way to confirm it.
    page.get_by_role("link", name="Propose times").click()
    type_time(page, robert_at(23))
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_text(re.compile(r"23:00–23:45 for Robert in New York — at night"))).to_be_visible()
    expect(page.get_by_label("I know it is outside Robert's working hours: send it anyway")).to_have_count(0)
    assert Meeting.objects.filter(pair=pair, status="proposed").count() == 1
