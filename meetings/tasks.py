"""Thin Celery tasks: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from meetings import commitment, nudges, reminders
from notifications.tasks import JOB_OPTIONS


@shared_task(**JOB_OPTIONS)
def tick_meeting_reminders() -> dict:
    """Every minute: remind both people of their confirmed sessions (see meetings.reminders)."""
    return reminders.meeting_reminders_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_nudges() -> dict:
    """Every minute: nudge quiet pairs, and tell the lead about long silences (see meetings.nudges)."""
    return nudges.nudges_tick().as_dict()


@shared_task(**JOB_OPTIONS)
def tick_commitment() -> dict:
    """Every minute: ask mentees for a new time after they cancel, and tell the sponsor or the leads when
    none comes or cancellations pile up (see meetings.commitment)."""
    return commitment.commitment_tick().as_dict()
