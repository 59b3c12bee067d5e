"""Sign-up, e-mail verification, sign-in, password reset and the bad-password rate limit."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-fresh-passphrase-42"


def link_in_last_mail() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"https?://[^/\s]+(/accounts/\S+)", body)
    assert match, body
    return match.group(1)


def test_sign_up_sends_a_verification_link_that_signs_the_person_in(client):
    response = client.post(reverse("account_signup"), {
        "email": "New.Person@Example.com", "full_name": "New Person", "time_zone": "Asia/Tokyo",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert (user.full_name, user.time_zone) == ("New Person", "Asia/Tokyo")
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox[-1].to == ["new.person@example.com"]

    confirm_url = link_in_last_mail()
    assert "/confirm-email/" in confirm_url
    response = client.post(confirm_url)
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("home")).context["user"] == user


def test_an_unverified_person_cannot_sign_in_until_they_verify(client):
    client.post(reverse("account_signup"), {
        "email": "late@example.com", "full_name": "Late Verifier", "time_zone": "UTC",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    client.logout()
    response = client.post(reverse("account_login"), {"login": "late@example.com", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "confirm-email" in response.url
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_sign_up_rejects_an_unknown_time_zone_and_keeps_the_other_fields(client):
    response = client.post(reverse("account_signup"), {
        "email": "tz@example.com", "full_name": "Zoe Zone", "time_zone": "Mars/Olympus",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert b'value="Zoe Zone"' in response.content
    assert not User.objects.filter(email="tz@example.com").exists()


def test_sign_up_can_be_limited_to_the_company_domain(client, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["flipside.example"]
    response = client.post(reverse("account_signup"), {
        "email": "someone@gmail.com", "full_name": "Some One", "time_zone": "UTC",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert "Use your work e-mail address" in response.content.decode()
    assert not User.objects.filter(email="someone@gmail.com").exists()


def test_sign_up_can_be_closed(client, settings):
    settings.ACCOUNT_ALLOW_SIGNUP = False
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.content.decode()


def test_a_verified_person_signs_in_with_email_and_password(client, mentor, password):
    response = client.post(reverse("account_login"), {"login": "MENTOR@example.com", "password": password})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == mentor


def test_password_reset_sends_a_link_that_sets_a_new_password(client, mentor):
    client.post(reverse("account_reset_password"), {"email": mentor.email})
    assert mail.outbox[-1].to == [mentor.email]
    response = client.get(link_in_last_mail())
    set_password_url = response.url  # allauth moves the key out of the URL first
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.check_password(NEW_PASSWORD)


def test_repeated_bad_passwords_hit_the_rate_limit(client, mentor, password):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": mentor.email, "password": "wrong"})
        assert "The email address and/or password you specified are not correct." in response.content.decode()
    response = client.post(reverse("account_login"), {"login": mentor.email, "password": password})
    # Even the right password is refused while the account is rate-limited.
    assert "Too many failed login attempts" in response.content.decode()
    assert not client.get(reverse("home")).context["user"].is_authenticated
