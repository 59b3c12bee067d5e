"""Protected recurring slots: a pair agrees a series ("every second Tuesday at 9:00") once.

The series is defined in the proposer's time zone, so its wall-clock time holds across daylight-saving
changes: each instance is the local day and time turned into UTC on its own day. One side proposes, the
other accepts; on acceptance every instance up to ``until`` (at most the program's end) becomes a
confirmed :class:`~meetings.models.Meeting`, so reminders, logs and surveys work per instance, and both
people's time is held for all of them (the slot is protected: nothing else can be booked over it).
Skipping or moving one instance is an ordinary cancel or reschedule of that meeting: it counts for the
commitment guard, and its calendar notice names the instance by RECURRENCE-ID (meetings.ics). Ending the
series drops the instances still ahead and sends an updated series (SEQUENCE + 1, shorter UNTIL).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from accounts.dates import show_date, show_time
from meetings import series_notices
from meetings.formatting import zone_label
from meetings.models import (
    NO_OVERLAP_CONSTRAINT,
    Meeting,
    MeetingAttendance,
    MeetingEvent,
    MeetingSeries,
    SeriesNotice,
    SeriesOccurrence,
)
from meetings.services import BOOKABLE_PAIR_STATUSES, place_problems, slot_problems
from pairing.models import Pair

log = logging.getLogger(__name__)

MAX_OCCURRENCES = 52
# Without a program end date, a series runs this many weeks unless the pair says otherwise.
DEFAULT_WEEKS = 12
INTERVALS = (1, 2, 3, 4)


# --- the dates of a series (pure) ------------------------------------------------------------


def occurrence_days(first_day: date, interval_weeks: int, until: date) -> list[date]:
    """Every ``interval_weeks`` weeks from ``first_day`` up to and including ``until``."""
    step = timedelta(weeks=interval_weeks)
    days, day = [], first_day
    while day <= until and len(days) <= MAX_OCCURRENCES:
        days.append(day)
        day += step
    return days


def wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``zone``, as UTC. A time that does not exist that day (inside the spring
    gap) is taken as the same number of minutes after the gap, as calendar clients do."""
    local = datetime.combine(day, at, tzinfo=zone)
    moment = local.astimezone(UTC)
    back = moment.astimezone(zone)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        # Inside the gap: the fold=0 reading used the offset before the change; use the one after.
        moment = datetime.combine(day, at, tzinfo=zone).replace(fold=1).astimezone(UTC)
    return moment


def series_zone(series: MeetingSeries) -> ZoneInfo:
    return ZoneInfo(series.zone)


def planned_starts(series: MeetingSeries) -> list[datetime]:
    """The UTC start of every instance the series describes (before any is skipped or moved)."""
    zone = series_zone(series)
    return [
        wall_clock(day, series.start_time, zone)
        for day in occurrence_days(series.first_day, series.interval_weeks, series.until)
    ]


def describe(series: MeetingSeries, viewer=None) -> str:
    """ "Every 2 weeks on Tuesday at 09:00 (Berlin), 2 Mar – 25 May 2027"."""
    zone = series_zone(series)
    first = wall_clock(series.first_day, series.start_time, zone)
    every = (
        _("Every week")
        if series.interval_weeks == 1
        else _("Every %(n)s weeks") % {"n": series.interval_weeks}
    )
    text = _("%(every)s on %(weekday)s at %(time)s (%(city)s), %(first)s – %(last)s") % {
        "every": every,
        "weekday": WEEKDAYS[first.astimezone(zone).weekday()],
        "time": show_time(first, zone),
        "city": zone_label(zone),
        "first": show_date(series.first_day),
        "last": show_date(series.until),
    }
    if (
        viewer is not None
        and viewer.zone.key != zone.key
        and first.astimezone(viewer.zone).utcoffset() != first.astimezone(zone).utcoffset()
    ):
        text += " · " + _("first one %(time)s your time") % {"time": show_time(first, viewer.zone)}
    return text


# --- rules ---------------------------------------------------------------------------------


def _member(pair: Pair, user) -> str:
    role = pair.side_of(user)
    if role is None:
        raise PermissionDenied
    if pair.status not in BOOKABLE_PAIR_STATUSES:
        raise ValidationError(_("This pair is no longer active, so its sessions can't be changed."))
    return role


def _locked(series: MeetingSeries) -> MeetingSeries:
    return (
        MeetingSeries.objects.select_for_update(of=("self",))
        .select_related("pair__program", "pair__mentor__user", "pair__mentee__user")
        .get(pk=series.pk)
    )


def open_series(pair: Pair) -> MeetingSeries | None:
    """The pair's proposed or agreed series, if any (there is at most one)."""
    return (
        pair.series.filter(status__in=[MeetingSeries.Status.PROPOSED, MeetingSeries.Status.ACTIVE])
        .select_related("proposed_by")
        .first()
    )


def default_until(program, first_day: date) -> date:
    """Until the program ends, or ``DEFAULT_WEEKS`` weeks when it has no end date."""
    if program.ends_on:
        return program.ends_on
    return first_day + timedelta(weeks=DEFAULT_WEEKS) - timedelta(days=1)


def _instance_problems(series: MeetingSeries, *, actor, now: datetime, skip_past: bool) -> list[datetime]:
    """The starts still to come; raises ValidationError naming the first instance that can't be held."""
    pair = series.pair
    minutes = timedelta(minutes=series.minutes)
    starts = [s for s in planned_starts(series) if not (skip_past and s <= now)]
    if not starts:
        raise ValidationError(
            {"first_day": _("Every session of this series has already passed. Propose a new one.")}
        )
    for start in starts:
        problems = slot_problems(pair=pair, actor=actor, start=start, end=start + minutes, now=now)
        if problems:
            raise ValidationError(
                {
                    "first_day": _("The session on %(day)s can't be held: %(problem)s")
                    % {"day": show_date(start, actor.zone), "problem": problems[0]}
                }
            )
    return starts


# --- services ------------------------------------------------------------------------------


@transaction.atomic
def series_propose(
    *,
    pair: Pair,
    proposer,
    first_day: date,
    start_time: time,
    minutes: int,
    interval_weeks: int,
    until: date | None = None,
    mode: str,
    location: str = "",
    video_link: str = "",
    now: datetime | None = None,
) -> MeetingSeries:
    """Offer a recurring slot in the proposer's zone; the partner accepts or declines it."""
    _member(pair, proposer)
    now = now or timezone.now()
    program = pair.program
    if not program.series_allowed:
        raise ValidationError(
            _("This program does not use recurring slots. Propose single sessions instead.")
        )
    # The pair's row lock makes two proposals at once wait for each other (the constraint backs it up).
    list(Pair.objects.select_for_update().filter(pk=pair.pk).values_list("pk", flat=True))
    if open_series(pair) is not None:
        raise ValidationError(
            _(
                "You two already have a recurring slot, or one waiting for an answer. End or "
                "withdraw it first."
            )
        )
    if interval_weeks not in INTERVALS:
        raise ValidationError({"interval_weeks": _("Choose every 1, 2, 3 or 4 weeks.")})
    until = until or default_until(program, first_day)
    if program.ends_on and until > program.ends_on:
        raise ValidationError(
            {
                "until": _("The program ends on %(day)s; the series can run until then.")
                % {"day": show_date(program.ends_on)}
            }
        )
    if until < first_day:
        raise ValidationError({"until": _("The last day comes after the first session.")})
    days = occurrence_days(first_day, interval_weeks, until)
    if len(days) < 2:
        raise ValidationError(
            {
                "until": _(
                    "A recurring slot has at least two sessions; pick a later last day, "
                    "or propose a single session."
                )
            }
        )
    if len(days) > MAX_OCCURRENCES:
        raise ValidationError(
            {
                "until": _("A series holds at most %(n)s sessions; pick an earlier last day.")
                % {"n": MAX_OCCURRENCES}
            }
        )
    errors = place_problems(program, mode=mode, location=location, video_link=video_link)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    series = MeetingSeries(
        pair=pair,
        zone=proposer.zone.key,
        first_day=first_day,
        start_time=start_time,
        minutes=minutes,
        interval_weeks=interval_weeks,
        until=until,
        mode=mode,
        location=location.strip(),
        video_link=video_link.strip() if mode == Meeting.Mode.VIDEO else "",
        proposed_by=proposer,
        created_at=now,
    )
    _instance_problems(series, actor=proposer, now=now, skip_past=False)
    series.full_clean()
    series.save()
    series_notices.queue(series, kind=SeriesNotice.Kind.PROPOSED, recipients=[pair.partner_of(proposer)])
    log.info("series %s proposed by user %s (%s sessions)", series.pk, proposer.pk, len(days))
    return series


def _hold_time(meetings: list[Meeting], pair: Pair) -> None:
    """Both people's time for every instance; the exclusion constraint has the last word."""
    rows = [
        MeetingAttendance(meeting=m, user=user, starts_at=m.starts_at, ends_at=m.ends_at)
        for m in meetings
        for user in (pair.mentor.user, pair.mentee.user)
    ]
    try:
        with transaction.atomic():
            MeetingAttendance.objects.bulk_create(rows)
    except IntegrityError as exc:
        if NO_OVERLAP_CONSTRAINT not in str(exc):
            raise
        raise ValidationError(
            {
                "first_day": _(
                    "Someone booked a session over one of these times a moment ago. Ask for a new proposal."
                )
            }
        ) from None


@transaction.atomic
def series_accept(*, series: MeetingSeries, user, now: datetime | None = None) -> MeetingSeries:
    """The partner agrees: every instance becomes a confirmed session and both calendars get the series."""
    series = _locked(series)
    pair = series.pair
    role = _member(pair, user)
    now = now or timezone.now()
    if series.status != MeetingSeries.Status.PROPOSED:
        raise ValidationError(_("This recurring slot has already been answered."))
    if series.proposed_by_id == user.pk:
        raise ValidationError(
            _("You proposed this slot; %(name)s accepts or declines it.")
            % {"name": pair.partner_of(user).first_name}
        )
    starts = _instance_problems(series, actor=user, now=now, skip_past=True)
    length = timedelta(minutes=series.minutes)
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                pair=pair,
                starts_at=start,
                ends_at=start + length,
                mode=series.mode,
                location=series.location,
                video_link=series.video_link,
                status=Meeting.Status.CONFIRMED,
                proposed_by=series.proposed_by,
                confirmed_by=user,
                created_at=now,
            )
            for start in starts
        ]
    )
    _hold_time(meetings, pair)
    SeriesOccurrence.objects.bulk_create(
        [SeriesOccurrence(series=series, meeting=m, recurrence_id=m.starts_at) for m in meetings]
    )
    MeetingEvent.objects.bulk_create(
        [
            MeetingEvent(
                meeting=m,
                actor=user,
                actor_role=role,
                kind=MeetingEvent.Kind.SCHEDULED,
                new_starts_at=m.starts_at,
                at=now,
            )
            for m in meetings
        ]
    )
    series.status, series.answered_by, series.answered_at = MeetingSeries.Status.ACTIVE, user, now
    series.save(update_fields=["status", "answered_by", "answered_at"])
    series_notices.queue(
        series, kind=SeriesNotice.Kind.REQUEST, recipients=[pair.mentor.user, pair.mentee.user]
    )
    log.info("series %s accepted by user %s: %s sessions", series.pk, user.pk, len(meetings))
    return series


@transaction.atomic
def series_decline(
    *, series: MeetingSeries, user, reason: str = "", now: datetime | None = None
) -> MeetingSeries:
    """Close a proposed series without agreeing it (the proposer withdraws it, or the partner declines)."""
    series = _locked(series)
    pair = series.pair
    if pair.side_of(user) is None:
        raise PermissionDenied
    if series.status != MeetingSeries.Status.PROPOSED:
        raise ValidationError(_("This recurring slot has already been answered."))
    series.status, series.answered_by, series.answered_at = (
        MeetingSeries.Status.DECLINED,
        user,
        now or timezone.now(),
    )
    series.reason = reason.strip()
    series.full_clean()
    series.save(update_fields=["status", "answered_by", "answered_at", "reason"])
    series_notices.queue(series, kind=SeriesNotice.Kind.DECLINED, recipients=[pair.partner_of(user)])
    log.info("series %s closed by user %s", series.pk, user.pk)
    return series


@transaction.atomic
def series_end(*, series: MeetingSeries, user, reason: str, now: datetime | None = None) -> MeetingSeries:
    """Stop an agreed series: the sessions still ahead are dropped from both calendars (an updated series
    with SEQUENCE + 1 and an earlier UNTIL, or a cancellation when none was held yet)."""
    series = _locked(series)
    pair = series.pair
    if pair.side_of(user) is None:
        raise PermissionDenied
    role = pair.side_of(user)
    now = now or timezone.now()
    if series.status != MeetingSeries.Status.ACTIVE:
        raise ValidationError(_("Only an agreed recurring slot can be ended."))
    if not reason.strip():
        raise ValidationError(
            {
                "reason": _("Say why you are ending the recurring slot; %(name)s will see it.")
                % {"name": pair.partner_of(user).first_name}
            }
        )
    ahead = list(
        Meeting.objects.select_for_update().filter(
            series_occurrence__series=series, status=Meeting.Status.CONFIRMED, starts_at__gt=now
        )
    )
    Meeting.objects.filter(pk__in=[m.pk for m in ahead]).update(
        status=Meeting.Status.CANCELLED, cancelled_by=user, cancel_reason=reason.strip(), updated_at=now
    )
    MeetingAttendance.objects.filter(meeting__in=ahead).update(active=False)
    MeetingEvent.objects.bulk_create(
        [
            MeetingEvent(
                meeting=m,
                actor=user,
                actor_role=role,
                kind=MeetingEvent.Kind.SERIES_ENDED,
                reason=reason.strip(),
                old_starts_at=m.starts_at,
                at=now,
            )
            for m in ahead
        ]
    )
    dropped = {m.pk for m in ahead}
    kept = (
        SeriesOccurrence.objects.filter(series=series)
        .exclude(meeting_id__in=dropped)
        .order_by("-recurrence_id")
        .first()
    )
    series.status, series.ended_by, series.ended_at = MeetingSeries.Status.ENDED, user, now
    series.reason = reason.strip()
    series.ics_sequence += 1
    fields = ["status", "ended_by", "ended_at", "reason", "ics_sequence"]
    if kept is not None:
        # The series now stops at its last instance that stays (UNTIL in the updated invitation).
        series.until = kept.recurrence_id.astimezone(series_zone(series)).date()
        fields.append("until")
    series.save(update_fields=fields)
    kind = SeriesNotice.Kind.REQUEST if kept is not None else SeriesNotice.Kind.CANCEL
    series_notices.queue(series, kind=kind, recipients=[pair.mentor.user, pair.mentee.user])
    log.info("series %s ended by user %s; %s sessions dropped", series.pk, user.pk, len(ahead))
    return series


def series_for_page(pair: Pair) -> list[MeetingSeries]:
    """The pair page's recurring slots: the open one (if any) and the last ended one."""
    rows = list(
        pair.series.exclude(status=MeetingSeries.Status.DECLINED)
        .select_related("proposed_by")
        .order_by("-created_at")[:2]
    )
    return rows
