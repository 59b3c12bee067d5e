"""Task options every job shares, enqueueing after commit, and the delivery tick."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db import transaction

from notifications import outbox

log = logging.getLogger(__name__)

# Every periodic job: acknowledged late (a killed worker's task is redelivered), retried on
# mail-transport errors with a backoff far below the broker's visibility timeout (3600 s), and
# stopped within its time limits (the claim lease is longer than the hard limit).
JOB_OPTIONS = {
    "acks_late": True,
    "ignore_result": True,
    "time_limit": settings.JOBS_TIME_LIMIT,
    "soft_time_limit": max(1, int(settings.JOBS_TIME_LIMIT * 0.8)),
    "autoretry_for": (SMTPException, OSError),  # mail transport: refused, reset, timed out
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


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


@shared_task(**JOB_OPTIONS)
def deliver_messages(message_ids: list[int]) -> dict:
    """Deliver these messages now (queued by a web request; the tick is the safety net)."""
    return outbox.deliver_due(message_ids=message_ids).as_dict()


@shared_task(**JOB_OPTIONS)
def tick_deliveries() -> dict:
    """Every minute: whatever is due (retries, messages a broker outage kept from a worker)."""
    return outbox.deliver_due().as_dict()
