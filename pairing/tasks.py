"""Background jobs of the pairing app: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from pairing import match_runs


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=600,
    time_limit=660,  # below the broker's visibility timeout (3600 s), so a lost run is redelivered once
    autoretry_for=(OperationalError, InterfaceError),  # only transient database errors
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=3,
)
def run_matching(run_id: int) -> None:
    """Execute one matching run (large programs take a while; the run page shows progress)."""
    match_runs.match_run_execute(run_id=run_id)
