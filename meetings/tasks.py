"""Thin Celery tasks: take ids, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def send_meeting_notices(notice_ids: list[int]) -> int:
    """Send the calendar e-mails for these notices (each at most once; see the service)."""
    from meetings.services import meeting_notices_send

    return meeting_notices_send(notice_ids=notice_ids)
