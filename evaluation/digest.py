"""The weekly lead digest's content: the dashboard's own figures, built by the dashboard's code.

``surveys.digests`` plans the digests (one row per lead and ISO week, claimed before sending) but
sits below evaluation and may not read it, so evaluation registers the builder of the message kind
(as every app registers the kinds it owns). A digest shows, for each program the lead watches, the
key figures of two dashboard queries — the whole program, and the dates of the week before (widened,
like any date range, to whole reporting periods) — as :func:`evaluation.queries.report_for_query`
returns them: the same figures, hidden the same way and in the same words, as the dashboard page,
its CSV exports and the API give for that query. There is no second anonymity rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluation.queries import report_for_query
from evaluation.report import Report, Stat
from notifications import kinds, render
from notifications.models import Message
from programs.models import Program
from surveys import digests
from surveys.models import LeadDigest

# The dashboard's key figures a digest repeats: (section, label) as on the page.
WHOLE = (("engagement", "Sessions held"), ("engagement", "No-shows"), ("engagement", "Pairs on track"),
         ("quality", "Average satisfaction"), ("quality", "Survey response rate"))
RECENT = (("engagement", "Sessions held"), ("engagement", "No-shows"))


def week_before_query(zone, now: dt.datetime) -> dict[str, str]:
    """The dashboard query for the Monday-to-Sunday week before ``now`` in the lead's zone."""
    today = now.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return {"from": monday.isoformat(), "to": (monday + dt.timedelta(days=6)).isoformat()}


def stats_of(report: Report, wanted) -> list[Stat]:
    """The report's key figures named in ``wanted``, in that order (labels in the active language)."""
    by_key = {(section.key, stat.label): stat for section in report.sections for stat in section.stats}
    return [by_key[(key, _(label))] for key, label in wanted if (key, _(label)) in by_key]


@dataclass
class ProgramDigest:
    program: Program
    k: int
    whole: list[Stat]
    recent: list[Stat]
    recent_from: dt.date | None
    recent_to: dt.date | None
    dashboard_url: str


def program_digest(program: Program, zone, *, now: dt.datetime) -> ProgramDigest:
    """One program's part of a digest (build it in the reader's language: labels are translated)."""
    whole = report_for_query(program, {}, now=now)
    recent = report_for_query(program, week_before_query(zone, now), now=now)
    window = recent.window
    return ProgramDigest(program=program, k=whole.k, whole=stats_of(whole, WHOLE),
                         recent=stats_of(recent, RECENT) if window.first_day else [],
                         recent_from=window.first_day, recent_to=window.last_day,
                         dashboard_url=render.site_url(reverse("evaluation:dashboard", args=[program.pk])))


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(LeadDigest, messages, "lead")
    led: dict[int, list[Program]] = {}
    rows = (Program.leads.through.objects
            .filter(user_id__in={m.ref.lead_id for m in messages if m.ref},
                    program__status__in=digests.DIGEST_PROGRAM_STATUSES)
            .select_related("program"))
    for row in rows:
        led.setdefault(row.user_id, []).append(row.program)
    for message in messages:
        message.led = led


def _build(message: Message):
    row: LeadDigest | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    now = timezone.now()
    if digests.digest_week(row.lead.zone, now) != row.iso_week:
        return kinds.Skip("stale")
    programs = sorted(message.led.get(row.lead_id, []), key=lambda p: p.name)
    if not programs or not row.lead.is_active:
        return kinds.Skip("no_programs")
    with translation.override(render.language_of(row.lead)):
        figures = [program_digest(program, row.lead.zone, now=now) for program in programs]
    url = render.site_url(reverse("evaluation:list"))
    return render.render(
        template="evaluation/emails/lead_digest",
        recipient=row.lead,
        context={"figures": figures, "week": row.iso_week, "dashboard_url": url, "program": None},
        links=[(_("Open the dashboards"), url)],
    )


def register() -> None:
    kinds.register(digests.KIND, build=_build, load=_load, group="other")
