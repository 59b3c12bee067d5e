from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.demo import seed_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_demo_user_signs_in_and_sees_their_home_page(live_server, page: Page, settings):
    seed_people()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill("hr@flipside.example")
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Hannah")
    # HR admins get the programs area in the navigation; participants do not.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Programs")).to_be_visible()
    expect(page).to_have_title(re.compile("Home · Flipside"))
