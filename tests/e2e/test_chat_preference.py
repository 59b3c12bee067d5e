"""Chat in the browser: HR connects Slack and tests it, a person chooses chat for reminders, and the
next reminder arrives at the (loopback) Slack server instead of their inbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.reminders import meeting_reminders_tick
from notifications.models import ChatSettings, Delivery
from tests.chat_server import SLACK_LOOKUP, SLACK_POST, SLACK_TOKEN
from tests.factories import PASSWORD, UserFactory
from tests.surveys import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session_in_three_hours(db):
    aisha = UserFactory(email="aisha@example.com", full_name="Aisha Rahman", time_zone="Europe/Berlin")
    robert = UserFactory(email="robert@example.com", full_name="Robert Whitfield",
                         time_zone="America/New_York")
    program = builders.running_program(name="Reverse Mentoring Spring", leads=[UserFactory()])
    pair = builders.active_pair(program, mentor=aisha, mentee=robert)
    return builders.session(pair, timezone.now() + dt.timedelta(hours=3))


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_a_person_who_chooses_chat_gets_their_reminder_in_slack(
        live_server, page: Page, hr_admin, chat_server, session_in_three_hours, mailoutbox, shot):
    base = live_server.url

    # HR connects Slack and sends themself a test message.
    sign_in(page, base, hr_admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat")
    page.get_by_label("Slack", exact=True).check()
    page.get_by_label("Slack bot token or Teams webhook URL").fill(SLACK_TOKEN)
    page.get_by_role("button", name="Save chat settings").click()
    expect(page.get_by_text("The chat settings are saved")).to_be_visible()
    expect(page.get_by_test_id("secret-state")).to_contain_text("••••••••oken")
    assert SLACK_TOKEN not in page.content()
    page.get_by_role("button", name="Send a test message").click()
    expect(page.get_by_text("Test message sent to you")).to_be_visible()
    expect(page.get_by_test_id("last-test")).to_contain_text("Delivered")
    shot(page, "chat-settings")
    assert [r.query["email"] for r in chat_server.received(SLACK_LOOKUP)] == [hr_admin.email]
    page.get_by_role("button", name="Sign out").click()

    # Robert chooses chat for session reminders.
    sign_in(page, base, "robert@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Robert Whitfield").click()
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Notifications").click()
    reminders = page.get_by_role("group", name="Session reminders")
    reminders.get_by_label("Chat").check()
    page.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Your notification choices are saved.")).to_be_visible()
    expect(page.get_by_role("group", name="Session reminders").get_by_label("Chat")).to_be_checked()
    shot(page, "notification-preferences")

    # The reminder job runs: Robert's reminder goes to Slack, Aisha's (who chose nothing) by e-mail.
    meeting_reminders_tick()

    (post,) = [p for p in chat_server.bodies(SLACK_POST) if p["channel"] == "UROBERT"]
    header, section, actions = post["blocks"]
    assert "Reverse Mentoring Spring" in header["text"]["text"]
    assert "Aisha Rahman" in section["text"]["text"]
    session_page = reverse("meetings:meeting", args=[session_in_three_hours.pk])
    assert actions["elements"][0]["url"].endswith(session_page)
    assert [m.to for m in mailoutbox] == [["aisha@example.com"]]
    chat = Delivery.objects.get(channel="chat")
    assert (chat.message.recipient.email, chat.state) == ("robert@example.com", "sent")
    assert ChatSettings.objects.get().last_test_ok is True


def test_the_chat_settings_page_fits_a_phone(live_server, page: Page, hr_admin, chat_server, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, hr_admin.email)
    page.goto(live_server.url + "/notifications/settings/chat/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    expect(page.get_by_role("button", name="Send a test message")).to_be_disabled()
    shot(page, "chat-settings-phone")
