"""Personal API tokens: made in the browser or on the command line, hashed, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from api.models import ApiToken
from api.tokens import api_token_create, hash_token


def bearer(client, secret):
    return client.get("/api/v1/programs/", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_browser_page_shows_a_new_token_once_and_stores_only_its_hash(client, mentee):
    client.force_login(mentee)
    response = client.post(reverse("api_tokens:list"),
                           {"name": "Power BI", "access": "read", "expires_days": 30})
    secret = response.context["secret"]
    token = ApiToken.objects.get(user=mentee)
    assert secret in response.content.decode() and response["Cache-Control"] == "no-store"
    assert token.key_hash == hash_token(secret) and secret not in token.key_hash
    assert token.read_only and token.name == "Power BI"
    assert secret not in client.get(reverse("api_tokens:list")).content.decode()
    assert bearer(client, secret).status_code == 200


def test_revoking_stops_the_token_at_once_and_is_audited(client, mentee):
    token, secret = api_token_create(user=mentee, name="sync")
    client.force_login(mentee)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(actor=mentee, summary__startswith="Revoked API token").exists()
    assert bearer(client, secret).status_code == 401


def test_someone_else_cannot_revoke_my_token(client, mentee, outsider):
    token, _secret = api_token_create(user=mentee, name="sync")
    client.force_login(outsider)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("api_tokens:revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_is_refused(client, mentee):
    _token, secret = api_token_create(user=mentee, name="short", expires_days=1)
    assert bearer(client, secret).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        response = bearer(client, secret)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


def test_the_command_prints_the_token_alone_on_its_last_line(client, hr_admin):
    out = io.StringIO()
    call_command("api_token", "create", "--user", hr_admin.email.upper(), "--expires-days", "7", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(user=hr_admin)
    assert token.key_hash == hash_token(secret) and not token.read_only
    assert token.expires_at is not None
    assert bearer(client, secret).json()["items"] == []


def test_the_command_refuses_an_unknown_person(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "create", "--user", "nobody@example.com", stdout=io.StringIO())


def test_too_many_requests_get_429_with_retry_after(client, mentee, settings):
    settings.API_RATE_LIMIT = 3
    _token, secret = api_token_create(user=mentee, name="busy")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC), tick=False):
        statuses = [bearer(client, secret).status_code for _ in range(4)]
        refused = bearer(client, secret)
    assert statuses == [200, 200, 200, 429]
    assert refused["Retry-After"] == "50" and refused.json()["status"] == 429
