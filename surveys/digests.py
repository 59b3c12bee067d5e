"""The weekly figures e-mail to each program lead, delivered through the outbox (kind "lead-digest")."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications import kinds, outbox, render
from notifications.models import Message
from programs.models import Program
from surveys import selectors
from surveys.models import PENDING, LeadDigest

KIND = "lead-digest"
DIGEST_HOUR = 8  # Monday, 08:00 in the lead's own time zone

DIGEST_PROGRAM_STATUSES = (Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING)


def iso_week(moment: datetime) -> str:
    year, week, _weekday = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _digest_week(lead_zone, now: datetime) -> str | None:
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
        week = _digest_week(lead.zone, now)
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


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(LeadDigest, messages, "lead")
    led: dict[int, list[int]] = {}
    for program_id, user_id in Program.leads.through.objects.filter(
        user_id__in={m.ref.lead_id for m in messages if m.ref}, program__status__in=DIGEST_PROGRAM_STATUSES
    ).values_list("program_id", "user_id"):
        led.setdefault(user_id, []).append(program_id)
    figures = selectors.program_figures({p for ps in led.values() for p in ps}, now=timezone.now())
    for message in messages:
        message.led, message.figures = led, figures


def _build(message: Message):
    row: LeadDigest | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    if _digest_week(row.lead.zone, timezone.now()) != row.iso_week:
        return kinds.Skip("stale")
    figures = sorted(
        (message.figures[p] for p in message.led.get(row.lead_id, [])), key=lambda f: f.program.name
    )
    if not figures or not row.lead.is_active:
        return kinds.Skip("no_programs")
    url = render.site_url(reverse("home"))
    return render.render(
        template="surveys/emails/lead_digest",
        recipient=row.lead,
        context={"figures": figures, "week": row.iso_week, "dashboard_url": url, "program": None},
        links=[(_("Open the dashboards"), url)],
    )


def lead_digests_send() -> outbox.Outcome:
    return outbox.deliver_due(only_kinds=[KIND])


def lead_digests_tick(*, now: datetime | None = None) -> outbox.Outcome:
    created = lead_digests_plan(now=now)
    outcome = lead_digests_send()
    outcome.created = created
    return outcome


def register() -> None:
    kinds.register(KIND, build=_build, load=_load, group="other")
