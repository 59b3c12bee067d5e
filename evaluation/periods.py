"""The dashboard's filters and the period its figures cover.

Time is cut into the program's weeks (Monday to Sunday, UTC): the *atoms*. The sessions series
groups them into periods of one level — weeks, fortnights or months (a month being the weeks whose
Thursday falls in it, so that every level nests in the next) — chosen by
:func:`evaluation.disclosure.coarsen`. A date window never cuts a period: it is widened to whole
periods (:func:`window_for`), so every windowed figure is a sum of whole, safe periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from evaluation import disclosure
from evaluation.disclosure import Fig, Span
from programs.models import Program

MAX_WEEKS = 104  # at most this many weekly buckets; earlier sessions count in the first one


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters (validated by ``forms.FilterForm``)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    department: str | None = None
    cohort: dt.date | None = None  # first day of the intake month

    @property
    def people(self) -> bool:
        """Does a filter select a group of people (department or intake)?"""
        return self.department is not None or self.cohort is not None

    def as_query(self) -> dict[str, str]:
        data = {"from": self.date_from, "to": self.date_to, "department": self.department,
                "cohort": self.cohort.strftime("%Y-%m") if self.cohort else None}
        return {key: str(value) for key, value in data.items() if value not in (None, "")}


@dataclass(frozen=True)
class Bucket:
    start: dt.datetime
    end: dt.datetime

    @property
    def label_date(self) -> dt.date:
        return self.start.date()

    def days_in(self, lower: dt.datetime | None, upper: dt.datetime) -> float:
        """Days of this bucket inside [lower, upper)."""
        start = max(self.start, lower) if lower else self.start
        end = min(self.end, upper)
        return max(0.0, (end - start).total_seconds() / 86400)


@dataclass(frozen=True)
class Window:
    """The period the engagement figures cover, in the viewer's time zone."""

    start: dt.datetime | None  # the `from` filter (inclusive)
    end: dt.datetime  # now, the program's end or the `to` filter, whichever comes first (exclusive)
    program_start: dt.datetime | None
    buckets: tuple[Bucket, ...] = field(default_factory=tuple)
    first_week: int = 0  # index of the first of the program's weeks in the window
    last_week: int = -1
    snapped: bool = False  # the date filters were widened to whole periods

    @property
    def first_day(self) -> dt.date | None:
        return self.buckets[0].start.date() if self.buckets else None

    @property
    def last_day(self) -> dt.date | None:
        return (min(self.buckets[-1].end, self.end) - dt.timedelta(microseconds=1)).date() if self.buckets \
            else None

    @property
    def lower(self) -> dt.datetime | None:
        """Nothing is expected of a pair before the program starts or the `from` date."""
        bounds = [b for b in (self.start, self.program_start) if b is not None]
        return max(bounds) if bounds else None


def _midnight(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


WEEK, FORTNIGHT, MONTH = 0, 1, 2  # levels of the sessions series


def program_weeks(program: Program, *,
                  now: dt.datetime | None = None) -> tuple[tuple[Bucket, ...], dt.datetime]:
    """The program's weeks up to now or its end (at most MAX_WEEKS, the latest), and that end."""
    tz = dt.UTC
    now = now or timezone.now()
    end = now
    if program.ends_on:
        end = min(end, _midnight(program.ends_on + dt.timedelta(days=1), tz))
    first_day = program.starts_on or timezone.localtime(program.created_at, tz).date()
    monday = first_day - dt.timedelta(days=first_day.weekday())
    weeks = []
    cursor = _midnight(monday, tz)
    while cursor < end:
        following = _midnight(cursor.date() + dt.timedelta(days=7), tz)
        weeks.append(Bucket(cursor, following))
        cursor = following
    return tuple(weeks[-MAX_WEEKS:]), end


def series_levels(weeks: tuple[Bucket, ...]) -> list[list[tuple[int, int]]]:
    """For each level (week, fortnight, month), its periods as (first, last) week indexes."""
    months: list[list[int]] = []
    for index, week in enumerate(weeks):
        month = (week.start + dt.timedelta(days=3)).strftime("%Y-%m")  # the month of its Thursday
        if months and (weeks[months[-1][0]].start + dt.timedelta(days=3)).strftime("%Y-%m") == month:
            months[-1].append(index)
        else:
            months.append([index])
    fortnights = [(m[i], m[min(i + 1, len(m) - 1)]) for m in months for i in range(0, len(m), 2)]
    return [[(i, i) for i in range(len(weeks))], fortnights, [(m[0], m[-1]) for m in months]]


def series_spans(rows: list[dict], levels: list[list[tuple[int, int]]], k: int, *,
                 scoped: bool) -> tuple[int, list[Span]]:
    """The sessions series' periods: the finest level at which each period is safe (see
    :func:`evaluation.disclosure.coarsen`), as (level, periods whose figure is the sessions held)."""
    return disclosure.coarsen(series_candidates(rows, levels, scoped=scoped), k)


def series_candidates(rows: list[dict], levels: list[list[tuple[int, int]]], *,
                      scoped: bool) -> list[list[Span]]:
    """The sessions held in each period of each level (people in and outside the filter)."""
    by_key = {(r["level"], r["period"]): r for r in rows}
    candidates = []
    for level, periods in enumerate(levels):
        spans = []
        for index, (first, last) in enumerate(periods):
            row = by_key.get((level, index), {})
            people = (row.get("mentors") or 0) + (row.get("mentees") or 0)
            rests = ((row.get("rest__mentors") or 0) + (row.get("rest__mentees") or 0),) if scoped else ()
            # The people behind the sessions of active and completed pairs must be safe too (the
            # rates are computed from them): checked like a rest, none or at least k.
            rests += (row.get("measured_people") or 0,)
            spans.append(Span(first, last, Fig(row.get("held") or 0, people, rests)))
        candidates.append(spans)
    return candidates


def week_of(weeks: tuple[Bucket, ...], day: dt.date | None) -> int | None:
    """The index of the week holding ``day`` (clamped to the program's weeks); None for no day."""
    if day is None or not weeks:
        return None
    moment = _midnight(day, dt.UTC)
    for index, week in enumerate(weeks):
        if moment < week.end:
            return index
    return len(weeks) - 1


def window_for(program: Program, filters: Filters, *, now: dt.datetime | None = None,
               periods: list[tuple[int, int]] | None = None) -> Window:
    """The period the figures cover: the program up to now or its end, narrowed by the date filters
    to whole ``periods`` (week index ranges; by default whole weeks), never to part of one."""
    tz = dt.UTC
    weeks, end = program_weeks(program, now=now)
    program_start = _midnight(program.starts_on, tz) if program.starts_on else None
    if not weeks:
        return Window(start=None, end=end, program_start=program_start)
    periods = periods or [(i, i) for i in range(len(weeks))]
    first = week_of(weeks, filters.date_from)
    last = week_of(weeks, filters.date_to)
    first = 0 if first is None else next(a for a, b in periods if b >= first)
    last = len(weeks) - 1 if last is None else next(b for a, b in reversed(periods) if a <= last)
    last = max(first, last)
    # The first period also holds what came before it (sessions before the program started).
    start = weeks[first].start if first > 0 else None
    if last < len(weeks) - 1:
        end = weeks[last].end
    return Window(start=start, end=end, program_start=program_start, buckets=weeks[first:last + 1],
                  first_week=first, last_week=last,
                  snapped=(filters.date_from, filters.date_to) != (
                      None if first == 0 and filters.date_from is None else weeks[first].start.date(),
                      None if last == len(weeks) - 1 and filters.date_to is None
                      else (weeks[last].end - dt.timedelta(days=1)).date()))


def _between(path: str, window: Window) -> Q:
    q = Q(**{f"{path}__lt": window.end})
    if window.start:
        q &= Q(**{f"{path}__gte": window.start})
    return q



def person_q(filters: Filters, prefix: str = "") -> Q | None:
    """The enrolments a department/intake filter selects (``prefix`` leads to an Enrollment)."""
    if not filters.people:
        return None
    q = Q()
    if filters.department is not None:
        q &= Q(**{f"{prefix}user__department": filters.department})
    if filters.cohort is not None:
        tz = dt.UTC
        month = filters.cohort.replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        q &= Q(**{f"{prefix}applied_at__gte": _midnight(month, tz),
                  f"{prefix}applied_at__lt": _midnight(following, tz)})
    return q


def pair_q(filters: Filters, prefix: str = "") -> Q | None:
    """Pairs with at least one member in the selection."""
    mentor, mentee = person_q(filters, f"{prefix}mentor__"), person_q(filters, f"{prefix}mentee__")
    return None if mentor is None else mentor | mentee

