from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache

from mentoring.tasks import HEARTBEAT_KEY, heartbeat
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_a_real_worker_runs_a_task_sent_through_redis(start_worker):
    marker = f"before-{uuid.uuid4()}"
    cache.set(HEARTBEAT_KEY, marker, timeout=60)
    start_worker()

    heartbeat.delay()

    # The worker process (not this one) wrote the heartbeat into the shared Redis cache.
    value = wait_for(lambda: (v := cache.get(HEARTBEAT_KEY)) != marker and v)
    assert value.startswith("20")
