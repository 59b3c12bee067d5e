"""Demo programs for `seed_demo`: one running, one open for enrolment, both from the template.

Idempotent: a program that already exists (by name) is returned unchanged.

The demo's history (program dates, pairs, held sessions, surveys) is laid out from
``history_anchor()``, the start of the current week, not from the current moment: the dashboards
count sessions in whole (UTC) weeks, so a history measured from "now" would put a different number
of sessions into each week depending on the weekday and hour `seed_demo` runs at, and some weeks
would fall under the anonymity threshold. Only what must lie ahead (upcoming sessions, the open
enrolment) is placed from "now".
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from programs import services
from programs.models import Program


def history_anchor(now: dt.datetime | None = None) -> dt.datetime:
    """Monday 00:00 UTC of the week of ``now``: the same moment on every day of that week."""
    day = timezone.localtime(now or timezone.now(), dt.UTC).date()
    return dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time.min, tzinfo=dt.UTC)


RUNNING = "Reverse Mentoring 2026 — Spring"
ENROLLING = "Reverse Mentoring 2027 — Cohort 2"


@transaction.atomic
def seed_programs(people: dict) -> dict:
    """Create (or find) the demo programs. Returns {"running": Program, "enrolling": Program}."""
    today = timezone.localdate()
    monday = history_anchor().date()
    hr, lead = people["hr"], people["lead"]
    running = Program.objects.filter(name=RUNNING).first() or _create(
        name=RUNNING, cohort="2026 spring", actor=hr, lead=lead,
        enrolment_opens=monday - dt.timedelta(weeks=16), enrolment_closes=monday - dt.timedelta(weeks=13),
        # Twenty weeks with this week's Monday half-way: the mid-program survey went out this week
        # (see surveys.demo), and ten weeks of sessions fill the dashboards.
        starts_on=monday - dt.timedelta(weeks=10), ends_on=monday + dt.timedelta(weeks=10),
        status=Program.Status.RUNNING)
    enrolling = Program.objects.filter(name=ENROLLING).first() or _create(
        name=ENROLLING, cohort="2027 cohort 2", actor=hr, lead=lead,
        enrolment_opens=today - dt.timedelta(days=7), enrolment_closes=today + dt.timedelta(days=21),
        starts_on=today + dt.timedelta(weeks=6), ends_on=today + dt.timedelta(weeks=32),
        status=Program.Status.ENROLLING)
    return {"running": running, "enrolling": enrolling}


def _create(*, name: str, cohort: str, actor, lead, status: str, **dates: dt.date) -> Program:
    program = services.program_create_from_template(name=name, cohort=cohort, actor=actor, **dates)
    services.program_lead_add(program=program, actor=actor, user=lead)
    services.agreement_publish(program=program, actor=actor)
    # Opening enrolment goes through the real checks, so the demo proves the template is complete.
    program = services.program_advance(program=program, actor=actor)
    if status != program.status:
        # Matching and pairing happened "before" the demo starts; seed_pairing adds the pairs.
        before = program.status
        Program.objects.filter(pk=program.pk).update(status=status)
        services.change_record(program=program, actor=actor, area="status",
                               summary="Demo data: set to running", changes={"status": [before, status]})
        program.refresh_from_db()
    return program
