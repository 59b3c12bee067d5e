"""Thin Celery tasks for the periodic e-mail jobs: each calls one service (see surveys.services).

Beat runs them every minute (the digest hourly; see CELERY_BEAT_SCHEDULE). All of them are safe to
run twice at once or after a killed worker: the outbox rows are claimed before sending. They
acknowledge late, retry on mail-transport errors with an exponential backoff that stays far below
the broker's visibility timeout (3600 s), and stop within their time limits.
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from surveys import services

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


@shared_task(**JOB_OPTIONS)
def tick_meeting_reminders() -> dict:
    return services.meeting_reminders_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_session_surveys() -> dict:
    return services.session_surveys_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_program_surveys() -> dict:
    return services.program_surveys_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_survey_reminders() -> dict:
    return services.survey_reminders_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_nudges() -> dict:
    return services.nudges_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_lead_digest() -> dict:
    return services.lead_digests_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_meeting_notices() -> int:
    return services.meeting_notices_tick()
