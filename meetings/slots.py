"""Pure time arithmetic for booking: weekly availability → concrete UTC intervals → slots.

No Django and no database here, so the rules (time zones, DST gaps and folds, program dates,
busy times) can be tested on their own. Every datetime that goes in or out is timezone-aware.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
END_OF_DAY = time(23, 59)


@dataclass(frozen=True)
class Window:
    """A weekly window in its owner's local time: weekday 0 = Monday; 23:59 means midnight."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class WeeklyCalendar:
    windows: Sequence[Window]
    zone: ZoneInfo


class LocalTimeError(ValueError):
    """A wall-clock time that does not name exactly one instant in its zone."""


class NonexistentLocalTime(LocalTimeError):
    """Skipped when the clocks went forward (a DST gap)."""


class AmbiguousLocalTime(LocalTimeError):
    """Happens twice because the clocks went back (a DST fold)."""


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time; raises for DST gaps and folds instead of guessing."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
            raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}")
        raise AmbiguousLocalTime(f"{naive:%Y-%m-%d %H:%M} happens twice in {zone.key}")
    return first.astimezone(UTC)


def _wall(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Like local_to_utc but lenient (for availability windows): a gap time means the instant
    the wall clock would have shown it with the old offset, a fold time its first occurrence."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def expand(calendar: WeeklyCalendar, first: date, last: date) -> list[Interval]:
    """The calendar's windows on every local date from first to last (inclusive), in UTC, merged."""
    by_day: dict[int, list[Window]] = {}
    for window in calendar.windows:
        by_day.setdefault(window.weekday, []).append(window)
    intervals: list[Interval] = []
    day = first
    while day <= last:
        for window in by_day.get(day.weekday(), []):
            start = _wall(day, window.start, calendar.zone)
            if window.end >= END_OF_DAY:
                end = _wall(day + timedelta(days=1), time(0, 0), calendar.zone)
            else:
                end = _wall(day, window.end, calendar.zone)
            if end > start:
                intervals.append((start, end))
        day += timedelta(days=1)
    return merge(intervals)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and join touching or overlapping intervals."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Where two merged, sorted interval lists overlap."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def overlaps(start: datetime, end: datetime, busy: Iterable[Interval]) -> bool:
    return any(start < b_end and b_start < end for b_start, b_end in busy)


def fits_calendar(start: datetime, end: datetime, calendar: WeeklyCalendar) -> bool:
    """Whether [start, end) lies inside one (merged) availability window of the calendar."""
    first = start.astimezone(calendar.zone).date() - timedelta(days=1)
    last = end.astimezone(calendar.zone).date() + timedelta(days=1)
    return any(w_start <= start and end <= w_end for w_start, w_end in expand(calendar, first, last))


def _align_up(moment: datetime, step: timedelta, zone: ZoneInfo) -> datetime:
    """The first instant at or after ``moment`` that falls on the step grid of the local clock."""
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    local = moment + offset
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -(-(local - midnight) // step)  # ceiling division of timedeltas
    return midnight + steps * step - offset


def suggest_slots(
    *,
    calendars: Sequence[WeeklyCalendar],
    busy: Iterable[Interval],
    not_before: datetime,
    minutes: int,
    local_zone: ZoneInfo,
    first_day: date | None = None,
    last_day: date | None = None,
    horizon_days: int = 21,
    step_minutes: int = 30,
    per_day: int = 3,
    limit: int = 12,
) -> list[Interval]:
    """Free slots of ``minutes`` inside every calendar's availability over the next weeks.

    Starts lie on a ``step_minutes`` grid of ``local_zone`` (the viewer's clock), not before
    ``not_before``, and within the program's days (``first_day``/``last_day``, read in
    ``local_zone``). Slots never overlap ``busy`` (either person's booked sessions). Each day
    offers at most ``per_day`` slots, earliest first; no two slots overlap, also across midnight
    (a 23:30 slot and the next day's 00:00 one were both offered, and the booking form refused the pair).
    """
    if not calendars:
        return []
    length = timedelta(minutes=minutes)
    step = timedelta(minutes=step_minutes)
    busy = merge(busy)
    until = not_before + timedelta(days=horizon_days)
    local_first = not_before.astimezone(local_zone).date()
    local_last = until.astimezone(local_zone).date()
    if first_day and first_day > local_first:
        local_first = first_day
    if last_day and last_day < local_last:
        local_last = last_day
    if local_first > local_last:
        return []
    # Each calendar is expanded a day wider than the viewer's range: zones differ by up to a day.
    free: list[Interval] | None = None
    for calendar in calendars:
        expanded = expand(calendar, local_first - timedelta(days=1), local_last + timedelta(days=1))
        free = expanded if free is None else intersect(free, expanded)
    result: list[Interval] = []
    taken_per_day: dict[date, list[Interval]] = {}
    for free_start, free_end in free or []:
        start = _align_up(max(free_start, not_before), step, local_zone)
        while start + length <= free_end and start < until:
            end = start + length
            day = start.astimezone(local_zone).date()
            last_local_day = (end - timedelta(microseconds=1)).astimezone(local_zone).date()
            day_slots = taken_per_day.setdefault(day, [])
            if (local_first <= day and last_local_day <= local_last and len(day_slots) < per_day
                    and not overlaps(start, end, busy) and not overlaps(start, end, result)):
                day_slots.append((start, end))
                result.append((start, end))
                if len(result) >= limit:
                    return result
            start += step
    return result
