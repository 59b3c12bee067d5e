"""Every allauth page people meet renders in Flipside's layout and look, and an invitee's first
password leads somewhere."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from programs.people import employee_invite, invitation_link
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-fresh-passphrase-42"
OLD_PASSWORD = "correct-horse-battery"

SIGNED_IN_PAGES = [
    "account_email", "account_change_password", "account_reauthenticate", "account_logout",
    "mfa_index", "mfa_activate_totp", "usersessions_list", "socialaccount_connections",
]
SIGNED_IN_WITH_TWO_FACTOR = [
    "mfa_index", "mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes",
    "mfa_reauthenticate",
]
SIGNED_OUT_PAGES = [
    "account_login", "account_signup", "account_reset_password", "account_reset_password_done",
    "account_reset_password_from_key_done", "account_email_verification_sent", "account_inactive",
    "socialaccount_login_cancelled", "socialaccount_login_error",
]


def assert_flipside_look(html: str, where: str) -> None:
    # Flipside's layout: its header, its navigation, its stylesheet and its footer.
    assert 'class="site-header"' in html, where
    assert "css/flipside.css" in html, where
    assert 'class="site-footer"' in html, where
    # allauth's bare layout and elements: a "Menu:" list, fields as <p><label>, unclassed
    # buttons, links and sections, bare tables.
    assert "Menu:" not in html, where
    assert not re.search(r"<p>\s*<label", html), where
    for tag in re.findall(r"<(?:button|section)\b[^>]*>", html):
        if "link-button" in tag or "nav-toggle" in tag:
            continue
        assert "class=" in tag, f"{where}: {tag}"
    for table in re.finditer(r"<table\b", html):
        assert 'class="table-wrap"' in html[max(0, table.start() - 200):table.start()], where
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert "<h1" in main, where


def sign_in(client, user) -> None:
    # A real sign-in and a fresh confirmation of the password, so the pages that want a recent
    # authentication (two-factor set-up, recovery codes) render instead of redirecting.
    response = client.post(reverse("account_login"), {"login": user.email, "password": OLD_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    response = client.post(reverse("account_reauthenticate"), {"password": OLD_PASSWORD})
    assert response.status_code == 302, response.content[:500]


@pytest.fixture
def person(settings):
    settings.MFA_REQUIRED_ROLES = []
    user = UserFactory(email="pat@example.com", full_name="Pat Person")
    user.set_password(OLD_PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_account_pages_for_a_signed_in_person_use_flipside_s_layout(client, person, name):
    sign_in(client, person)
    response = client.get(reverse(name))
    assert response.status_code == 200, (name, response.get("Location"))
    assert_flipside_look(response.content.decode(), name)


@pytest.mark.parametrize("name", SIGNED_IN_WITH_TWO_FACTOR)
def test_two_factor_pages_use_flipside_s_layout(client, person, name):
    sign_in(client, person)
    TOTP.activate(person, generate_totp_secret())
    RecoveryCodes.activate(person)
    response = client.get(reverse(name))
    assert response.status_code == 200, (name, response.get("Location"))
    assert_flipside_look(response.content.decode(), name)


def test_the_set_password_page_for_someone_without_one_uses_flipside_s_layout(client, person):
    person.set_unusable_password()
    person.save(update_fields=["password"])
    client.force_login(person)
    response = client.get(reverse("account_set_password"))
    assert response.status_code == 200
    assert_flipside_look(response.content.decode(), "account_set_password")


@pytest.mark.parametrize("name", SIGNED_OUT_PAGES)
def test_account_pages_for_a_visitor_use_flipside_s_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code in (200, 401), (name, response.get("Location"))  # 401: sign-in error
    assert_flipside_look(response.content.decode(), name)


def test_a_password_link_and_a_stale_one_use_flipside_s_layout(client, person):
    response = client.get(urlsplit(invitation_link(person)).path)
    set_password_url = response.url  # allauth moves the key into the session first
    page = client.get(set_password_url).content.decode()
    assert_flipside_look(page, "set password from key")
    assert 'name="password1"' in page
    stale = client.get(reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "x-y"}))
    assert_flipside_look(stale.content.decode(), "stale key")
    bad_confirmation = client.get(reverse("account_confirm_email", kwargs={"key": "nope"}))
    assert_flipside_look(bad_confirmation.content.decode(), "bad confirmation key")


def test_the_two_factor_sign_in_step_uses_flipside_s_layout(client, person):
    TOTP.activate(person, generate_totp_secret())
    response = client.post(reverse("account_login"), {"login": person.email, "password": OLD_PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert_flipside_look(client.get(response.url).content.decode(), "mfa_authenticate")


def test_an_invitee_who_sets_a_first_password_is_signed_in_on_their_home_page(
        client, hr_admin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = employee_invite(actor=hr_admin, email="new.joiner@example.com", full_name="New Joiner")
    link = re.search(r"https?://[^/\s]+(/accounts/\S+)", mailoutbox[-1].body).group(1)
    set_password_url = client.get(link).url
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
                           follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == result.user
    result.user.refresh_from_db()
    assert result.user.check_password(NEW_PASSWORD)
    html = response.content.decode()
    assert "Your password is now changed" not in html
    assert "Your password is saved." in html
    assert reverse("pairing:mine") in html  # the way on: their mentoring, from the home page
    assert_flipside_look(html, "home after first password")
