"""Demo data for the commitment guard and recurring slots (called by meetings.demo.seed_meetings).

* Aisha and Robert (the demo pair) agreed a recurring slot: every second Tuesday, from the Tuesday two
  weeks after this week's Monday until the program ends, at a time inside both working days.
* Another pair's senior has cancelled twice, the second time eight days ago with no new time since:
  their pair page shows it, and the commitment job tells the program lead on its first tick.

Laid out from ``anchor`` (this week's Monday, UTC), so the demo reads the same on every day of the week.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from meetings import series, services
from meetings.models import Meeting, MeetingEvent, Role
from pairing.models import Pair

CANCEL_REASON = "Quarter-end close: I can't make it, sorry."


def _local_time(moment: dt.datetime, zone) -> dt.time:
    return moment.astimezone(zone).time().replace(second=0, microsecond=0)


def seed_series(pair: Pair, *, anchor: dt.datetime, hour: int) -> None:
    """The demo pair's protected slot, proposed by the mentor and accepted by the mentee."""
    program = pair.program
    if not program.series_allowed:
        return
    mentor = pair.mentor.user
    first = anchor + dt.timedelta(days=15, hours=hour + 1)  # Tuesday in two weeks, an hour after the usual
    until = program.ends_on or (first.date() + dt.timedelta(weeks=series.DEFAULT_WEEKS))
    if first.astimezone(mentor.zone).date() + dt.timedelta(weeks=2) > until:
        return
    proposal = series.series_propose(
        pair=pair, proposer=mentor, first_day=first.astimezone(mentor.zone).date(),
        start_time=_local_time(first, mentor.zone), minutes=program.session_minutes, interval_weeks=2,
        until=until, mode="video", video_link=f"https://meet.flipside.example/pair-{pair.pk}")
    series.series_accept(series=proposal, user=pair.mentee.user)


def seed_cancelling_senior(pair: Pair, *, now: dt.datetime, hour: int) -> None:
    """Bring this pair's mentee to two cancellations, the last one eight days ago with no new time."""
    mentor, mentee = pair.mentor.user, pair.mentee.user
    done = MeetingEvent.objects.filter(meeting__pair=pair, kind=MeetingEvent.Kind.CANCELLED,
                                       actor_role=Role.MENTEE).count()
    minutes = dt.timedelta(minutes=pair.program.session_minutes)
    for back in range(2 - done):
        start = (now - dt.timedelta(days=7 + 7 * back)).replace(hour=hour, minute=0, second=0, microsecond=0)
        then = start - dt.timedelta(days=3)
        # Demo history: a time the partner's working-hours guard would only warn about is accepted.
        proposal = services.meeting_propose(pair=pair, proposer=mentor, slots_utc=[(start, start + minutes)],
                                            mode="video", now=then, hours_confirmed=True)
        meeting = services.meeting_confirm(meeting=proposal, user=mentee, slot_id=proposal.slots.get().pk,
                                           now=then)
        services.meeting_cancel(meeting=meeting, user=mentee, reason=CANCEL_REASON,
                                now=start - dt.timedelta(days=1))


def seed_commitment(pairs: list[Pair], *, demo_pair: Pair | None, now: dt.datetime, anchor: dt.datetime,
                    hour_of) -> None:
    """Both demo stories; a clash with a person's other pair skips one (it is only a demo)."""
    if demo_pair is not None:
        try:
            with transaction.atomic():
                seed_series(demo_pair, anchor=anchor, hour=hour_of(demo_pair, anchor))
        except ValidationError:
            pass
    others = [p for p in pairs if p != demo_pair and not Meeting.objects.filter(
        pair=p, status=Meeting.Status.CONFIRMED, starts_at__gt=now).exists()]
    for pair in others:
        # Near the pair's usual time but not on it, so it does not meet its own history; the first
        # hour that is not night for either of them (the hours guard refuses night sessions).
        for offset in (1, -1, 2, -2, 3, -3):
            try:
                with transaction.atomic():
                    seed_cancelling_senior(pair, now=now, hour=(hour_of(pair, anchor) + offset) % 24)
            except ValidationError:
                continue
            return
