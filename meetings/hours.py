"""The out-of-hours guard: a session outside the partner's working hours needs a confirmation,
one at night (22:00–07:00 the partner's time) is refused unless the partner accepts night sessions.

The partner's working hours are their published availability when they have one (they said when
they are free), otherwise the program's usual working day (08:00–18:00 by default) in their zone.
``assess`` is pure time arithmetic (no database), so zones and DST edges can be tested on their own;
``check`` reads the pair, program and partner and words the verdicts for the person booking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from accounts.dates import show_time, show_weekday
from meetings import slots
from meetings.formatting import zone_label
from meetings.selectors import availability_of

NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(7, 0)


class Level(Enum):
    OK = "ok"
    WARN = "warn"  # outside working hours: send only after confirming
    REFUSE = "refuse"  # at night, and the partner has not opted in


@dataclass(frozen=True)
class Hours:
    """What the guard knows about the partner."""

    zone: ZoneInfo
    availability: slots.WeeklyCalendar | None = None
    day_starts: time = time(8, 0)
    day_ends: time = time(18, 0)
    accepts_night: bool = False


def _at_night(local: datetime) -> bool:
    moment = local.time()
    return moment >= NIGHT_STARTS or moment < NIGHT_ENDS


def touches_night(start: datetime, end: datetime, zone: ZoneInfo) -> bool:
    """Whether any minute of [start, end) falls between 22:00 and 07:00 in ``zone``.

    Sessions last at most a few hours, so the first and last minute decide, plus a session that
    runs over local midnight (which is night by definition).
    """
    first = start.astimezone(zone)
    last = (end - timedelta(minutes=1)).astimezone(zone)
    return _at_night(first) or _at_night(last) or first.date() != last.date()


def within_working_day(start: datetime, end: datetime, hours: Hours) -> bool:
    """Whether the session starts and ends inside the usual working day, on one local day."""
    first = start.astimezone(hours.zone)
    last = end.astimezone(hours.zone)
    return first.date() == last.date() and hours.day_starts <= first.time() and last.time() <= hours.day_ends


def assess(start: datetime, end: datetime, hours: Hours) -> Level:
    """The verdict on a session from ``start`` to ``end`` (aware datetimes) for this partner."""
    if timezone_naive(start) or timezone_naive(end):
        raise ValueError("session times must be timezone-aware")
    if touches_night(start, end, hours.zone) and not hours.accepts_night:
        return Level.REFUSE
    if hours.availability is not None:
        inside = slots.fits_calendar(start, end, hours.availability)
    else:
        inside = within_working_day(start, end, hours)
    return Level.OK if inside else Level.WARN


def timezone_naive(moment: datetime) -> bool:
    return moment.tzinfo is None or moment.utcoffset() is None


# --- reading the partner and wording the verdict --------------------------------------------


@dataclass(frozen=True)
class Verdict:
    level: Level
    start: datetime
    end: datetime
    message: str = ""


def hours_of(user, program) -> Hours:
    """The guard's view of ``user`` in ``program``: zone, availability, usual day, night opt-in."""
    return Hours(zone=user.zone, availability=availability_of(user),
                 day_starts=program.working_hours_start, day_ends=program.working_hours_end,
                 accepts_night=user.accepts_night_sessions)


def _their_time(start: datetime, end: datetime, actor, partner) -> str:
    """"19:30–20:15", with the weekday when the partner's day is not the actor's."""
    theirs = f"{show_time(start, partner.zone)}–{show_time(end, partner.zone)}"
    if start.astimezone(partner.zone).date() != start.astimezone(actor.zone).date():
        theirs = f"{show_weekday(start, partner.zone)} {theirs}"
    return theirs


def _message(level: Level, start: datetime, end: datetime, *, actor, partner, hours: Hours) -> str:
    values = {"time": _their_time(start, end, actor, partner), "name": partner.first_name,
              "city": zone_label(partner.zone)}
    if level is Level.REFUSE:
        return _("That is %(time)s for %(name)s in %(city)s — at night. %(name)s has not said they accept "
                 "sessions between 22:00 and 07:00, so pick another time.") % values
    if hours.availability is not None:
        return _("That is %(time)s for %(name)s in %(city)s, outside the times %(name)s has published as "
                 "available.") % values
    values["hours"] = f"{show_time(hours.day_starts)}–{show_time(hours.day_ends)}"
    return _("That is %(time)s for %(name)s in %(city)s, outside their usual working day "
             "(%(hours)s).") % values


def check(*, pair, actor, times: Sequence[tuple[datetime, datetime]]) -> list[Verdict]:
    """The guard's verdict on each of ``times`` for ``actor``'s partner (all OK when the program
    switched the guard off)."""
    if not pair.program.hours_guard:
        return [Verdict(Level.OK, start, end) for start, end in times]
    partner = pair.partner_of(actor)
    hours = hours_of(partner, pair.program)
    verdicts = []
    for start, end in times:
        level = assess(start, end, hours)
        message = "" if level is Level.OK else _message(level, start, end, actor=actor, partner=partner,
                                                         hours=hours)
        verdicts.append(Verdict(level, start, end, message))
    return verdicts


def signature(verdicts: Sequence[Verdict]) -> str:
    """What a confirmation covers: the warned times. Ticking the box for other times means nothing."""
    return ",".join(v.start.isoformat() for v in verdicts if v.level is Level.WARN)


def problems(*, pair, actor, times: Sequence[tuple[datetime, datetime]], keys: Sequence[str],
             confirmed: bool | str) -> dict[str, list[str]]:
    """Errors for a service to raise: refusals under each time's key, and the warnings under
    ``confirm_hours`` unless ``confirmed`` (True, or the signature of exactly these warnings)."""
    verdicts = check(pair=pair, actor=actor, times=times)
    errors: dict[str, list[str]] = {}
    for key, verdict in zip(keys, verdicts, strict=True):
        if verdict.level is Level.REFUSE:
            errors.setdefault(key, []).append(verdict.message)
    warned = [v for v in verdicts if v.level is Level.WARN]
    ok = confirmed is True or (bool(confirmed) and confirmed == signature(verdicts))
    if warned and not ok:
        errors["confirm_hours"] = [v.message for v in warned]
    return errors


def refused(*, pair, actor, times: Sequence[tuple[datetime, datetime]]) -> set[datetime]:
    """Starts the guard refuses, to leave out of offered times."""
    return {v.start for v in check(pair=pair, actor=actor, times=times) if v.level is Level.REFUSE}


def without_refused(pair, actor, times: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Offered times minus the ones the guard would refuse (nobody is offered the partner's night)."""
    if not times:
        return times
    refused_starts = refused(pair=pair, actor=actor, times=times)
    return [(start, end) for start, end in times if start not in refused_starts]
