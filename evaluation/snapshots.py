"""Dashboard snapshots: the aggregates of a large program's dashboard, computed once, read many times.

A dashboard's reads (see :mod:`evaluation.selectors`) scan every session, invitation and survey answer
of the program: at 25,000 pairs that is a million answers, seconds of SQL however well indexed. Their
*results* are small (bounded by departments × level bands × intake months × questions, not by the
data), so for programs with at least ``DASHBOARD_SNAPSHOT_MIN_PAIRS`` pairs they are kept in the
cache (Redis in production) with the moment they were read:

* the job ``evaluation.tasks.refresh_dashboards`` (beat, every ``DASHBOARD_SNAPSHOT_SECONDS / 2``)
  reads each large program's unfiltered dashboard, so a lead opening it never waits;
* a filtered view is read live the first time and kept for the same time;
* a snapshot older than ``DASHBOARD_SNAPSHOT_SECONDS`` is never shown: it is read again.

Smaller programs keep their reads for ``DASHBOARD_CACHE_SECONDS`` (60; 0 reads live on every
render): even a small dashboard's reads cost hundreds of milliseconds, mostly building its large
aggregate in the ORM, while a lead's visits come in bursts (filters, print, back). Nothing refreshes
them ahead: the first visit after they expire reads them again.

What is kept are the query results; the disclosure control (:mod:`evaluation.disclosure`) runs on
every render, so a change in its rules applies at once. The rendered sections of a kept view are
kept beside them (see :func:`sections_key`): they change only with the reads, k, the program's
settings, the language and the time zone. The page says how fresh the figures are ("Figures up to
<the moment they were read>", and how often they are read).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from evaluation import selectors
from evaluation.periods import Filters
from pairing.models import Pair
from programs.models import Program

VERSION = 2  # bump when the shape of the reads changes: old snapshots are then never read


@dataclass(frozen=True)
class Reads:
    """A dashboard's reads and, when they come from a snapshot, when they were made."""

    enrollments: list[dict]
    as_of: dt.datetime | None  # None: read live for this render


def with_pair_count(programs: QuerySet[Program]) -> QuerySet[Program]:
    """The programs with ``n_pairs``: read with the program itself, so the choice costs no query."""
    pairs = (Pair.objects.filter(program=OuterRef("pk")).order_by().values("program")
             .annotate(n=Count("id")).values("n"))
    return programs.annotate(n_pairs=Coalesce(Subquery(pairs), 0))


def get_program_for_dashboard(user, pk: int) -> Program:
    """:func:`evaluation.selectors.get_program_for_lead`, with the program's pair count (404 alike)."""
    program = with_pair_count(selectors.programs_for_viewer(user)).filter(pk=pk).first()
    if program is None:
        raise Http404
    return program


def is_large(program: Program) -> bool:
    """Does this program's dashboard use snapshots? (its ``n_pairs`` when read with it, else a COUNT
    on the pairs' program index)"""
    n_pairs = getattr(program, "n_pairs", None)
    if n_pairs is None:
        n_pairs = Pair.objects.filter(program=program).count()
    return n_pairs >= settings.DASHBOARD_SNAPSHOT_MIN_PAIRS


def _key(program: Program, part: str, filters: Filters | None = None) -> str:
    # The database's name keeps test databases (one per test worker) apart in a shared Redis.
    view = json.dumps(filters.as_query() if filters else {}, sort_keys=True)
    digest = hashlib.sha256(view.encode()).hexdigest()[:16]
    return f"dashboard:v{VERSION}:{connection.settings_dict['NAME']}:{program.pk}:{part}:{digest}"


def _fresh(entry, now: dt.datetime, seconds: int) -> bool:
    return entry is not None and (now - entry["as_of"]).total_seconds() < seconds


def _keep(key: str, value, seconds: int) -> None:
    cache.set(key, value, timeout=2 * seconds)


def kept_for(program: Program, *, large: bool | None = None) -> int:
    """How long this program's reads are kept: the snapshot's age for a large program, the short
    ``DASHBOARD_CACHE_SECONDS`` for the others (0: read on every render)."""
    large = is_large(program) if large is None else large
    return settings.DASHBOARD_SNAPSHOT_SECONDS if large else settings.DASHBOARD_CACHE_SECONDS


def enrollment_reads(program: Program, *, large: bool, now: dt.datetime | None = None) -> Reads:
    """The enrolment cube (the filter form needs it before the filters are known)."""
    seconds = kept_for(program, large=large)
    if not seconds:
        return Reads(enrollments=selectors.enrollment_cube(program), as_of=None)
    now = now or timezone.now()
    key = _key(program, "enrollments")
    entry = cache.get(key)
    if not _fresh(entry, now, seconds):
        entry = {"as_of": now, "rows": selectors.enrollment_cube(program)}
        _keep(key, entry, seconds)
    return Reads(enrollments=entry["rows"], as_of=entry["as_of"])


def _timeline(program: Program, enrollments: Reads) -> selectors.Timeline:
    """The program's reporting periods as of its kept reads (the same for every filter, so kept once
    beside the enrolment cube, from the same moment)."""
    key = _key(program, "timeline")
    entry = cache.get(key)
    if entry is None or entry["as_of"] != enrollments.as_of:
        entry = {"as_of": enrollments.as_of, "timeline": selectors.reporting_timeline(
            program, enrollments.enrollments, now=enrollments.as_of)}
        _keep(key, entry, kept_for(program))
    return entry["timeline"]


def dashboard_data(program: Program, filters: Filters, *, enrollments: Reads, now: dt.datetime | None = None,
                   timeline: selectors.Timeline | None = None) -> tuple[dict, dt.datetime | None]:
    """:func:`evaluation.selectors.dashboard_data`, from a fresh snapshot when the program's reads
    are kept (see :func:`kept_for`).

    Returns the data and the moment it was read (None when read live for this render). The
    snapshot's figures run up to that moment, so they agree with each other.
    """
    if enrollments.as_of is None:
        data = selectors.dashboard_data(program, filters, enrollments=enrollments.enrollments, now=now,
                                        timeline=timeline)
        return data, None
    seconds = kept_for(program)
    now = now or timezone.now()
    key = _key(program, "data", filters)
    entry = cache.get(key)
    # Only a snapshot of the same moment as the filter form's: a refresh replaces every view.
    if not _fresh(entry, now, seconds) or entry["as_of"] != enrollments.as_of:
        as_of = enrollments.as_of  # the same moment as the filter form's figures
        entry = {"as_of": as_of, "data": selectors.dashboard_data(
            program, filters, enrollments=enrollments.enrollments, now=as_of,
            timeline=_timeline(program, enrollments))}
        _keep(key, entry, seconds)
    return entry["data"], entry["as_of"]


def sections_key(program: Program, filters: Filters, as_of: dt.datetime | None) -> str:
    """The cache key of the rendered sections of a kept view ("" when read live: not kept).

    The sections are a function of the kept reads (program, filters, moment), the threshold k and
    the program's settings (its ``updated_at``); the template adds language and time zone.
    """
    if as_of is None:
        return ""
    return (f"{_key(program, 'sections', filters)}:{as_of.timestamp()}:{program.anonymity_k}:"
            f"{program.updated_at.timestamp()}")


def refresh(program: Program, *, now: dt.datetime | None = None) -> dt.datetime:
    """Read a program's unfiltered dashboard and its reporting periods now, and keep them (the job
    calls this)."""
    now = now or timezone.now()
    with selectors.analytic_reads():
        enrollments = selectors.enrollment_cube(program)
        timeline = selectors.reporting_timeline(program, enrollments, now=now)
        data = selectors.dashboard_data(program, Filters(), enrollments=enrollments, now=now,
                                        timeline=timeline)
    seconds = settings.DASHBOARD_SNAPSHOT_SECONDS
    _keep(_key(program, "enrollments"), {"as_of": now, "rows": enrollments}, seconds)
    _keep(_key(program, "timeline"), {"as_of": now, "timeline": timeline}, seconds)
    _keep(_key(program, "data", Filters()), {"as_of": now, "data": data}, seconds)
    return now


def programs_to_refresh() -> list[Program]:
    """Programs whose dashboards are watched and large enough for snapshots."""
    return list(Program.objects.filter(status__in=[Program.Status.MATCHING, Program.Status.RUNNING],
                                       purged_at__isnull=True)
                .annotate(n_pairs=Count("pairs")).filter(n_pairs__gte=settings.DASHBOARD_SNAPSHOT_MIN_PAIRS)
                .order_by("pk"))


def refresh_all() -> dict[str, int]:
    """Refresh every large program's dashboard (beat calls this)."""
    programs = programs_to_refresh()
    for program in programs:
        refresh(program)
    return {"refreshed": len(programs)}
