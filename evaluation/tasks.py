"""The certificates job (beat runs it every minute): see ``evaluation.services.certificates_tick``."""

from __future__ import annotations

from celery import shared_task

from evaluation import services
from notifications.tasks import JOB_OPTIONS


@shared_task(**JOB_OPTIONS)
def tick_certificates() -> dict:
    return services.certificates_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def refresh_dashboards() -> dict:
    """Read large programs' dashboards ahead of their leads (see ``evaluation.snapshots``)."""
    from evaluation import snapshots

    return snapshots.refresh_all()
