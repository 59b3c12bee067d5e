"""The certificates job (beat runs it every minute): see ``evaluation.services.certificates_tick``."""

from __future__ import annotations

from celery import shared_task

from evaluation import services
from notifications.tasks import JOB_OPTIONS


@shared_task(**JOB_OPTIONS)
def tick_certificates() -> dict:
    return services.certificates_tick().as_dict()
