"""HR connects the company directory: a SCIM token (shown once, then revoked) and SAML single sign-on."""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.error
import urllib.request

import pytest
from allauth.socialaccount.models import SocialApp
from playwright.sync_api import Browser, Page, expect

from scim.models import ScimToken
from tests.accounts.saml_idp import SigningIdP
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _scim_status(base: str, secret: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - http to the live server only
        f"{base}/scim/v2/ServiceProviderConfig", headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the live server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def phone(browser: Browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_hr_creates_a_scim_token_sees_it_once_and_revokes_it(live_server, page, hr_admin, shot):
    _sign_in(page, live_server.url, hr_admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role(
        "link", name="Directory provisioning (SCIM)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory provisioning (SCIM)")
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    expect(page.locator("main code").first).to_have_text(f"{live_server.url}/scim/v2")

    page.get_by_label("Name").fill("Okta production")
    page.get_by_role("button", name="Create token").click()
    callout = page.get_by_role("status").filter(has_text="Copy the token now")
    expect(callout).to_be_visible()
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("flp_scim_")
    shot(page, "hr-scim-token-created", top=page.get_by_role("heading", level=1))
    token = ScimToken.objects.get()
    assert (token.name, token.created_by_id, token.revoked_at) == ("Okta production", hr_admin.pk, None)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()  # only the digest is kept
    row = page.get_by_role("row").filter(has_text="Okta production")
    expect(row).to_contain_text(secret[:12])
    assert _scim_status(live_server.url, secret) == 200

    # Shown once: the page read again lists the token by its first characters only.
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(secret)
    # The directory's call shows as the token's last use.
    assert ScimToken.objects.get().last_used_at is not None
    expect(row.get_by_role("cell").nth(3)).to_have_text("just now")

    row.get_by_role("button", name="Revoke Okta production").click()
    expect(page.get_by_role("status").filter(has_text="revoked")).to_contain_text(
        "Token “Okta production” revoked: the directory can no longer use it.")
    expect(page.get_by_role("row").filter(has_text="Okta production")).to_contain_text("Revoked")
    expect(page.get_by_role("button", name="Revoke Okta production")).to_have_count(0)
    assert ScimToken.objects.get().revoked_at is not None
    assert _scim_status(live_server.url, secret) == 401


def test_a_token_name_already_used_is_refused_with_a_message(live_server, page, hr_admin):
    _sign_in(page, live_server.url, hr_admin.email)
    page.goto(live_server.url + "/hr/scim-tokens/")
    for _ in range(2):
        page.get_by_label("Name").fill("Entra ID")
        page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("A token named “Entra ID” already exists.")).to_be_visible()
    expect(page.locator("#new-token")).to_have_count(0)
    assert ScimToken.objects.count() == 1


def test_the_new_token_fits_a_phone_screen(live_server, phone, hr_admin):
    _sign_in(phone, live_server.url, hr_admin.email)
    phone.goto(live_server.url + "/hr/scim-tokens/")
    phone.get_by_label("Name").fill("OneLogin")
    phone.get_by_role("button", name="Create token").click()
    expect(phone.locator("#new-token")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_hr_connects_saml_from_pasted_metadata_and_the_sign_in_page_offers_it(
        live_server, page, hr_admin, shot):
    idp = SigningIdP.create(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    _sign_in(page, live_server.url, hr_admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Single sign-on (SAML)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on (SAML 2.0)")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(f"{live_server.url}/accounts/saml/company/metadata/")
    expect(facts).to_contain_text(f"{live_server.url}/accounts/saml/company/acs/")

    # A broken paste is explained and nothing is saved.
    page.get_by_label("…or paste the metadata XML").fill("<md:EntityDescriptor><oops")
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_text("not well-formed XML")).to_be_visible()
    assert not SocialApp.objects.exists()

    page.get_by_label("Button label").fill("Corp SSO")
    page.get_by_label("…or paste the metadata XML").fill(idp.metadata_xml())
    page.get_by_label("E-mail attribute").fill("user.email")
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_role("status")).to_contain_text("Single sign-on with SAML is saved.")
    expect(page.locator("form.card")).to_contain_text(f"Now signing people in with {idp.entity_id}")
    shot(page, "hr-saml-settings", top=page.get_by_role("heading", level=1))
    app = SocialApp.objects.get(provider="saml")
    assert (app.name, app.settings["idp"]["entity_id"]) == ("Corp SSO", idp.entity_id)
    assert app.settings["attribute_mapping"]["email"][0] == "user.email"

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server.url + "/accounts/login/")
    offer = page.get_by_role("link", name="Corp SSO").or_(page.get_by_role("button", name="Corp SSO"))
    expect(offer).to_be_visible()
