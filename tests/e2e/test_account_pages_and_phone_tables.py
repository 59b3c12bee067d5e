"""An invitee's first password leads into Flipside; account pages look like Flipside; wide tables
stay readable on a 390 px phone."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from programs.people import employee_invite, invitation_link
from tests.factories import (
    PASSWORD,
    ActivePairFactory,
    MenteeEnrollmentFactory,
    MentorEnrollmentFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-and-fresh-passphrase-42"


def test_an_invitee_sets_a_first_password_and_lands_on_their_home_page(live_server, page, hr_admin, shot):
    invited = employee_invite(actor=hr_admin, email="new.joiner@example.com", full_name="Nia Joiner").user
    page.goto(live_server.url + urlsplit(invitation_link(invited)).path)
    expect(page.locator(".site-header")).to_be_visible()
    page.get_by_label(re.compile(r"^New Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    shot(page, "account-first-password")
    page.get_by_role("button", name="Change Password").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Nia")
    expect(page.get_by_text("Your password is saved.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My mentoring")).to_be_visible()
    shot(page, "account-after-first-password")

    # Two-factor set-up: asks for the password again, then shows the QR code, both in Flipside's look.
    page.goto(live_server.url + "/accounts/2fa/totp/activate/")
    expect(page.locator(".site-header")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Authenticator App")
    expect(page.get_by_role("button", name="Activate")).to_have_class("button primary")
    expect(page.get_by_role("navigation", name="Your account")).to_be_visible()
    shot(page, "account-two-factor-setup")


@pytest.fixture
def phone(browser: Browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_the_published_pairs_table_can_be_read_to_its_last_column_on_a_phone(
        live_server, phone, hr_admin, shot):
    program = ProgramFactory()
    pair = ActivePairFactory(
        program=program,
        mentor=MentorEnrollmentFactory(program=program, user=UserFactory(full_name="Anastasia Konstantinou")),
        mentee=MenteeEnrollmentFactory(program=program, user=UserFactory(full_name="Bartholomew Fanshawe")),
    )
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_label("Email").fill(hr_admin.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.goto(live_server.url + f"/mentoring/hr/programs/{pair.program_id}/matching/")

    # The page itself never scrolls sideways; the table scrolls inside a labelled, focusable region.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    region = phone.locator("#published .table-wrap")
    expect(region).to_be_visible()
    expect(region).to_have_attribute("role", "region")
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_attribute("aria-label", "Published pairs")
    box = region.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    last = region.get_by_role("columnheader", name="Published")
    shot(phone, "phone-published-pairs", top=phone.get_by_role("heading", name="Published pairs"))
    region.focus()
    phone.keyboard.press("End")
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    last_box = last.bounding_box()
    assert last_box is not None and last_box["x"] + last_box["width"] <= 390 + 1, last_box
    expect(region.get_by_role("cell", name=pair.mentee.user.display_name)).to_be_attached()
    shot(phone, "phone-published-pairs-scrolled", top=phone.get_by_role("heading", name="Published pairs"))
