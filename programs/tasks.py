from __future__ import annotations

from celery import shared_task

from programs import invitations, services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def purge_expired_programs() -> list[int]:
    """Daily: remove participant data past each program's retention period."""
    return services.programs_purge_expired()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1700, time_limit=1800)
def invite_everyone(batch_id: int) -> int:
    """Invite everyone not yet invited (HR's button), reporting progress on the batch row."""
    return invitations.invitation_batch_run(batch_id=batch_id).done
