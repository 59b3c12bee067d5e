"""Thin Celery tasks for the periodic survey jobs: each calls one service.

Beat runs them every minute (the digest hourly; see CELERY_BEAT_SCHEDULE). All of them are safe to
run twice at once or after a killed worker: the rows are planned under unique keys and their
messages claimed before sending (see ``notifications.outbox``). Options: ``notifications.tasks.JOB_OPTIONS``.
"""

from __future__ import annotations

from celery import shared_task

from notifications.tasks import JOB_OPTIONS
from surveys import digests, invitations, pulse


@shared_task(**JOB_OPTIONS)
def tick_session_surveys() -> dict:
    return invitations.session_surveys_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_program_surveys() -> dict:
    return invitations.program_surveys_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_survey_reminders() -> dict:
    return invitations.survey_reminders_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_lead_digest() -> dict:
    return digests.lead_digests_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_safety_pulses() -> dict:
    return pulse.safety_pulses_tick().as_dict()
