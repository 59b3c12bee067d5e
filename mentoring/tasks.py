from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "worker:heartbeat"


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` to the broker once the current transaction commits.

    A broker outage must not fail or hang the web request that caused the work: publishing
    gives up after the short socket timeouts in settings, the failure is logged, and the
    periodic ticks pick up whatever is still due (every job keeps its state in the database).
    Nothing is sent when the transaction rolls back.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # noqa: BLE001 - kombu/redis raise many types; all mean "not sent now"
            log.warning("Broker unavailable: %s not enqueued; the next tick will pick it up", task.name)

    transaction.on_commit(send)


@shared_task(ignore_result=True, soft_time_limit=8, time_limit=10)
def heartbeat() -> str:
    """Record that a worker is alive; the health page reports how long ago this last ran."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
