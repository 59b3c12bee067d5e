from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "worker:heartbeat"


@shared_task(ignore_result=True, soft_time_limit=8, time_limit=10)
def heartbeat() -> str:
    """Record that a worker is alive; the health page reports how long ago this last ran."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
