"""HR pages through a long list of proposals with the keyboard alone, on a laptop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from programs.models import Program
from tests.factories import PASSWORD, ProgramFactory, PublishedAgreementFactory
from tests.pairing.test_hr_paging import bulk_pairs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


@pytest.fixture
def long_review(db) -> Program:
    program = ProgramFactory(status=Program.Status.MATCHING)
    PublishedAgreementFactory(program=program)
    bulk_pairs(program, 45)  # proposals are 25 a page: 2 pages
    return program


def test_hr_reaches_the_next_page_of_proposals_with_the_keyboard(live_server, page: Page, hr_admin,
                                                                  long_review, shot):
    sign_in(page, live_server.url, hr_admin.email)
    page.goto(f"{live_server.url}/mentoring/hr/programs/{long_review.pk}/matching/")
    pages = page.get_by_role("navigation", name="Pages of proposed pairs")
    expect(pages).to_contain_text("Page 1 of 2")

    following = pages.get_by_role("link", name="Next page")
    following.focus()
    expect(following).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/mentoring/hr/programs/{long_review.pk}/matching/"
                             "?page=2#proposals")
    expect(pages).to_contain_text("Page 2 of 2")
    expect(page.locator(".pair-card")).to_have_count(20)
    expect(page.get_by_role("article", name="Mentor 0044 mentors Mentee 0044")).to_be_visible()
    shot(page, "hr-review-page-2", top=page.get_by_role("heading", name="45 proposed pairs"))


def test_the_page_links_fit_a_phone(live_server, browser: Browser, hr_admin, long_review):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        sign_in(phone, live_server.url, hr_admin.email)
        phone.goto(f"{live_server.url}/mentoring/hr/programs/{long_review.pk}/matching/?page=2")
        pages = phone.get_by_role("navigation", name="Pages of proposed pairs")
        for name in ("First page", "Previous page"):
            box = pages.get_by_role("link", name=name).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
