"""Flipside in German, in the browser: a person who chose German signs in and finds their way; a visitor
whose browser asks for German gets the German sign-in page; a visitor switches language by keyboard.

Expected words come from the real catalogue (locale/de/LC_MESSAGES/django.po, compiled by the test
run), so a better translation later does not break these tests, but a missing one does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD, ActivePairFactory, MeetingFactory, ProgramFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A fixed Thursday: the page shows this date whatever day the test runs on.
SESSION = datetime(2027, 3, 4, 14, 0, tzinfo=UTC)  # 15:00 in Berlin


def german(msgid: str) -> str:
    with translation.override("de"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no German for {msgid!r}: is locale/de/LC_MESSAGES/django.po compiled?"
    return text


@pytest.fixture
def meeting(db):
    today = timezone.localdate()
    program = ProgramFactory(status="running", starts_on=today - timedelta(days=14),
                             ends_on=today + timedelta(days=90))
    aisha = UserFactory(email="aisha@example.com", full_name="Aisha Rahman", time_zone="Europe/Berlin",
                        language="de")
    robert = UserFactory(email="robert@example.com", full_name="Robert Whitfield",
                         time_zone="America/New_York")
    pair = ActivePairFactory(program=program, mentor__user=aisha, mentee__user=robert)
    return MeetingFactory(pair=pair, starts_at=SESSION, ends_at=SESSION + timedelta(minutes=45))


def test_a_person_who_chose_german_uses_flipside_in_german(live_server, page: Page, meeting):
    # The browser asks for English: the saved choice wins once Aisha is signed in.
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Email").fill("aisha@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.locator("html")).to_have_attribute("lang", "de")
    nav = page.get_by_role("navigation", name=german("Main"))
    for item in ("Home", "My mentoring", "Sessions", "Surveys"):
        expect(nav.get_by_role("link", name=german(item), exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name=german("Sign out"))).to_be_visible()

    # A session page: its date in German, in Aisha's own time zone.
    nav.get_by_role("link", name=german("Sessions"), exact=True).click()
    page.goto(f"{live_server.url}/sessions/meeting/{meeting.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Do., 4. März 2027, 15:00")
    expect(page.get_by_text(german("%(mine)s your time · %(theirs)s for %(name)s (%(city)s)") % {
        "mine": "Do., 4. März 2027, 15:00–15:45", "theirs": "09:00–09:45", "name": "Robert",
        "city": "New York"})).to_be_visible()
    expect(page).to_have_title(re.compile(german("Session")))

    # Preferences: German labels, German chosen, each language named in itself.
    page.goto(live_server.url + "/me/preferences/")
    expect(page.get_by_role("heading", level=1)).to_have_text(german("Preferences"))
    language = page.get_by_label(german("Language"))
    expect(language).to_have_value("de")
    expect(language.locator("option:checked")).to_have_text("Deutsch")
    expect(page.get_by_label(german("Time zone"))).to_have_value("Europe/Berlin")
    page.get_by_role("button", name=german("Save preferences")).click()
    expect(page.get_by_role("status")).to_contain_text(german("Your preferences are saved."))


def test_a_visitor_whose_browser_asks_for_german_gets_the_german_sign_in_page(live_server, browser: Browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.get_by_role("heading", level=1)).to_have_text(german("Sign In"))
        expect(page.get_by_role("button", name=german("Sign In"))).to_be_visible()
        expect(page.get_by_label(german("Language"))).to_have_value("de")
    finally:
        context.close()


def test_a_visitor_switches_to_german_with_the_keyboard(live_server, page: Page):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switcher = page.get_by_label("Language")
    switcher.focus()
    switcher.select_option("de")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Change language")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(german("Sign In"))
