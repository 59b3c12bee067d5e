"""Thin Celery tasks: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from circles import messages
from notifications.tasks import JOB_OPTIONS


@shared_task(**JOB_OPTIONS)
def tick_circles() -> dict:
    """Every minute: circle reminders and after-session surveys (see circles.messages)."""
    return messages.circles_tick().as_dict()
