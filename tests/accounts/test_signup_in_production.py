"""Who may sign up: in production only the company's domains, and nobody when none are named."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-fresh-passphrase-42"


def _sign_up(client, email: str):
    return client.post(reverse("account_signup"), {
        "email": email, "full_name": "New Person", "time_zone": "UTC",
        "password1": PASSWORD, "password2": PASSWORD,
    })


def test_production_without_domains_closes_sign_up(client, settings):
    settings.SIGNUP_REQUIRES_DOMAIN, settings.SIGNUP_EMAIL_DOMAINS = True, []
    assert "Sign Up Closed" in client.get(reverse("account_signup")).content.decode()
    _sign_up(client, "anyone@gmail.com")
    assert not User.objects.filter(email="anyone@gmail.com").exists()


def test_production_with_domains_lets_only_those_sign_up(client, settings):
    settings.SIGNUP_REQUIRES_DOMAIN, settings.SIGNUP_EMAIL_DOMAINS = True, ["flipside.example"]
    _sign_up(client, "someone@gmail.com")
    _sign_up(client, "new@flipside.example")
    assert list(User.objects.values_list("email", flat=True)) == ["new@flipside.example"]


@pytest.mark.parametrize(("debug", "expected"), [("false", "True"), ("true", "False")])
def test_the_rule_follows_debug(debug, expected):
    env = {**os.environ, "DEBUG": debug, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.com",
           "DJANGO_SETTINGS_MODULE": "mentoring.settings"}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SIGNUP_REQUIRES_DOMAIN)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == expected
