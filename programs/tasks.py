from __future__ import annotations

from celery import shared_task

from programs import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def purge_expired_programs() -> list[int]:
    """Daily: remove participant data past each program's retention period."""
    return services.programs_purge_expired()
