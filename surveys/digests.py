"""The weekly figures e-mail to each program lead, delivered through the outbox (kind "lead-digest").

This module plans and sends the digests (one row per lead and ISO week, claimed before sending).
Their content is the dashboard's own figures, so evaluation — above this app — registers the kind's
builder (``evaluation.digest``): one disclosure rule for the dashboard, its exports, the API and
the digest.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications import outbox
from programs.models import Program
from surveys.models import PENDING, LeadDigest

KIND = "lead-digest"
DIGEST_HOUR = 8  # Monday, 08:00 in the lead's own time zone

DIGEST_PROGRAM_STATUSES = (Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING)


def iso_week(moment: datetime) -> str:
    year, week, _weekday = moment.isocalendar()
    return f"{year}-W{week:02d}"


def digest_week(lead_zone, now: datetime) -> str | None:
    """The lead's current ISO week once it is past Monday 08:00 where they are, else None."""
    local = now.astimezone(lead_zone)
    if local.weekday() == 0 and local.hour < DIGEST_HOUR:
        return None
    return iso_week(local)


def lead_digests_plan(*, now: datetime | None = None) -> int:
    """One digest row per lead of an active program per ISO week (from Monday 08:00, their time)."""
    now = now or timezone.now()
    leads = User.objects.filter(led_programs__status__in=DIGEST_PROGRAM_STATUSES, is_active=True).distinct()
    rows = []
    weeks = {}
    for lead in leads.only("pk", "time_zone"):
        week = digest_week(lead.zone, now)
        if week:
            weeks[lead.pk] = week
    existing = set(
        LeadDigest.objects.filter(iso_week__in=set(weeks.values())).values_list("lead_id", "iso_week")
    )
    rows = [LeadDigest(lead_id=pk, iso_week=week) for pk, week in weeks.items() if (pk, week) not in existing]
    with transaction.atomic():
        LeadDigest.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
        _queue(now)
    return len(rows)


def _queue(now: datetime) -> None:
    rows = list(
        LeadDigest.objects.select_for_update(skip_locked=True).filter(PENDING).values_list("pk", "lead_id")
    )
    LeadDigest.objects.filter(pk__in=[pk for pk, _l in rows]).update(sent_at=now)
    outbox.messages_queue(
        [
            outbox.Draft(kind=KIND, key=f"{KIND}:{pk}", recipient_id=lead_id, ref_id=pk)
            for pk, lead_id in rows
        ],
        now=now,
    )


def lead_digests_send() -> outbox.Outcome:
    return outbox.deliver_due(only_kinds=[KIND])


def lead_digests_tick(*, now: datetime | None = None) -> outbox.Outcome:
    created = lead_digests_plan(now=now)
    outcome = lead_digests_send()
    outcome.created = created
    return outcome
