"""The dashboard's filters and the period its figures cover (dates, weeks, the series' periods)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Q,
)
from django.utils import timezone

from programs.models import Program

# Level bands of the breakdown (inclusive; None = no upper limit).
LEVEL_BANDS: tuple[tuple[int, int | None], ...] = ((1, 3), (4, 6), (7, 9), (10, 12), (13, None))

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

    @property
    def lower(self) -> dt.datetime | None:
        """Nothing is expected of a pair before the program starts or the `from` date."""
        bounds = [b for b in (self.start, self.program_start) if b is not None]
        return max(bounds) if bounds else None


def _midnight(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def window_for(program: Program, filters: Filters, *, now: dt.datetime | None = None) -> Window:
    tz = dt.UTC
    now = now or timezone.now()
    program_start = _midnight(program.starts_on, tz) if program.starts_on else None
    ends = [now]
    if program.ends_on:
        ends.append(_midnight(program.ends_on + dt.timedelta(days=1), tz))
    if filters.date_to:
        ends.append(_midnight(filters.date_to + dt.timedelta(days=1), tz))
    end = min(ends)
    start = _midnight(filters.date_from, tz) if filters.date_from else None
    first_day = (filters.date_from or program.starts_on or timezone.localtime(program.created_at, tz).date())
    first_day = min(first_day, timezone.localtime(end, tz).date())
    monday = first_day - dt.timedelta(days=first_day.weekday())
    buckets = []
    cursor = _midnight(monday, tz)
    while cursor < end:
        following = _midnight(cursor.date() + dt.timedelta(days=7), tz)
        buckets.append(Bucket(cursor, following))
        cursor = following
    if len(buckets) > MAX_WEEKS:
        buckets = buckets[-MAX_WEEKS:]
    return Window(start=start, end=end, program_start=program_start, buckets=tuple(buckets))


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

