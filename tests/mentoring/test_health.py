from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from mentoring.tasks import HEARTBEAT_KEY, heartbeat

pytestmark = pytest.mark.django_db


def test_health_reports_database_cache_and_no_worker_yet(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok",
                               "worker_heartbeat_age_s": None}


def test_health_reports_how_long_ago_the_worker_beat(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    heartbeat()  # what the worker runs every minute
    time_machine.shift(90)
    assert client.get(reverse("health")).json()["worker_heartbeat_age_s"] == 90.0


def test_health_is_degraded_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2}}}
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_health_refuses_post(client):
    assert client.post(reverse("health")).status_code == 405
    assert cache.get(HEARTBEAT_KEY) is None
