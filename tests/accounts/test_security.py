"""Headers, sessions, two-factor for powerful roles, and the audit trail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.services import user_set_hr_admin

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, user, password):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content
    return response


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_page_template_has_inline_scripts_handlers_or_styles():
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"\sstyle\s*=", re.I)
    for path in (ROOT / "templates").rglob("*.html"):
        if "emails" in path.relative_to(ROOT / "templates").parts:
            continue  # e-mail bodies need inline styles; the page CSP does not apply to mail
        text = path.read_text()
        for pattern in (inline_script, handler, style_attr):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []


def test_sign_in_starts_a_new_session_and_is_audited(client, mentor, password):
    client.get(reverse("account_login"))
    before = client.session.session_key
    sign_in(client, mentor, password)
    assert client.session.session_key != before
    event = AuditEvent.objects.get(kind="sign_in")
    assert event.actor == mentor
    assert event.ip == "127.0.0.1"


def test_a_failed_sign_in_is_audited_without_the_password(client, mentor):
    client.post(reverse("account_login"), {"login": mentor.email, "password": "hunter2-secret"})
    event = AuditEvent.objects.get(kind="sign_in_failed")
    assert mentor.email in event.summary
    assert "hunter2" not in str(event.data) + event.summary


def test_people_see_and_revoke_their_other_sessions(client, mentor, password, django_user_model):
    from django.test import Client

    other_device = Client()
    sign_in(other_device, mentor, password)
    sign_in(client, mentor, password)
    sessions = UserSession.objects.filter(user=mentor)
    assert sessions.count() == 2
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert len(page.context["sessions"]) == 2

    client.post(reverse("usersessions_list"))  # "sign out other sessions"
    assert UserSession.objects.filter(user=mentor).count() == 1
    assert not other_device.get(reverse("home")).context["user"].is_authenticated
    assert client.get(reverse("home")).context["user"] == mentor


def test_changing_the_password_ends_every_session(client, mentor, password):
    from django.test import Client

    other_device = Client()
    sign_in(other_device, mentor, password)
    sign_in(client, mentor, password)
    new = "brand-new-passphrase-77"
    response = client.post(reverse("account_change_password"),
                           {"oldpassword": password, "password1": new, "password2": new})
    assert response.status_code == 302
    assert not other_device.get(reverse("home")).context["user"].is_authenticated
    assert not client.get(reverse("home")).context["user"].is_authenticated
    assert AuditEvent.objects.filter(kind="password_changed", actor=mentor).exists()


def test_hr_admins_must_set_up_two_factor_when_required(client, hr_admin, settings):
    settings.MFA_REQUIRED_ROLES = ["hr_admin", "lead"]
    client.force_login(hr_admin)
    response = client.get(reverse("programs:list"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # Their account pages stay reachable so they can do it (allauth asks for the password first).
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert client.get(response.url).status_code == 200


def test_with_two_factor_set_up_hr_admins_get_through(client, hr_admin, settings):
    settings.MFA_REQUIRED_ROLES = ["hr_admin", "lead"]
    Authenticator.objects.create(user=hr_admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(hr_admin)
    assert client.get(reverse("programs:list")).status_code == 200


def test_participants_are_not_asked_for_two_factor_by_default(client, mentor, settings):
    settings.MFA_REQUIRED_ROLES = ["hr_admin", "lead"]
    client.force_login(mentor)
    assert client.get(reverse("accounts:preferences")).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_granting_hr_admin_is_audited(hr_admin, mentor):
    user_set_hr_admin(user=mentor, is_hr_admin=True, actor=hr_admin)
    user_set_hr_admin(user=mentor, is_hr_admin=True, actor=hr_admin)  # no change, no new row
    events = AuditEvent.objects.filter(kind="role_changed", data__user_id=mentor.pk)
    assert events.count() == 1
    assert events.get().actor == hr_admin
    assert events.get().data == {"user_id": mentor.pk, "role": "hr_admin", "granted": True}
