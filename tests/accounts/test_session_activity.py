"""Idle sessions end, and the session list's "last seen" moves, with a write at most once a minute
(accounts.middleware.SessionActivityMiddleware) instead of two transactions on every page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.UTC)  # a Monday just after midnight


def state(client) -> tuple[dt.datetime, dt.datetime]:
    """(the session's expiry in the database, its UserSession's last_seen_at)."""
    key = client.session.session_key
    return (Session.objects.get(session_key=key).expire_date,
            UserSession.objects.get(session_key=key).last_seen_at)


def test_pages_within_a_minute_write_nothing_and_a_later_one_moves_expiry_and_last_seen(
    client, mentor, password, settings
):
    with time_machine.travel(START, tick=False) as clock:
        client.post(reverse("account_login"), {"login": mentor.email, "password": password})
        client.get(reverse("home"))  # the first page refreshes the new session
        signed_in = state(client)

        clock.shift(dt.timedelta(seconds=40))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).context["user"] == mentor
        writes = [q["sql"] for q in captured.captured_queries
                  if q["sql"].startswith(("UPDATE", "INSERT")) and ("session" in q["sql"])]
        assert writes == [] and state(client) == signed_in

        clock.shift(dt.timedelta(seconds=30))  # 70 s after the last refresh
        client.get(reverse("home"))
        expiry, seen = state(client)
    assert expiry == signed_in[0] + dt.timedelta(seconds=70)
    assert seen == START + dt.timedelta(seconds=70)
    assert expiry == seen + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_session_left_idle_for_the_idle_timeout_is_signed_out(client, mentor, password, settings):
    with time_machine.travel(START, tick=False) as clock:
        client.post(reverse("account_login"), {"login": mentor.email, "password": password})
        for _ in range(5):  # busy for 4 minutes, refreshed as it goes
            clock.shift(dt.timedelta(seconds=59))
            assert client.get(reverse("home")).context["user"] == mentor
        clock.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get(reverse("home")).context["user"] == mentor  # within the timeout of a refresh
        clock.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        # The cached copy's TTL runs on the real clock, which the test does not move: drop it, as
        # its TTL would have (the database copy's expiry is what is checked then).
        caches[settings.SESSION_CACHE_ALIAS].delete(client.session.cache_key)
        assert not client.get(reverse("home")).context["user"].is_authenticated
