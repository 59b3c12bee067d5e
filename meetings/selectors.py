"""Reads of pairs, meetings and logs for the pages, the home panel and the calendar feed.

Each function costs a fixed number of queries, however many meetings or pairs there are.
Private reflections are only ever read for their author (see ``log_page``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core import signing
from django.db.models import (
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.dates import show_date
from meetings import slots
from meetings.models import (
    ActionItem,
    CalendarFeed,
    GoalProgress,
    Meeting,
    MeetingAttendance,
    PrivateReflection,
    SessionLog,
)
from pairing.models import Enrollment, Pair
from programs.models import Program

# Pairs whose pages their two people can open; only active pairs book and log new sessions.
VISIBLE_PAIR_STATUSES = (Pair.Status.ACTIVE, Pair.Status.COMPLETED)
FEED_SALT = "meetings.calendar-feed"


def _member_of(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}mentor__user": user}) | Q(**{f"{prefix}mentee__user": user})


def pairs_for_user(user) -> QuerySet[Pair]:
    """The active and completed pairs a person belongs to, with both people loaded."""
    if not user.is_authenticated:
        return Pair.objects.none()
    return (Pair.objects.filter(_member_of(user), status__in=VISIBLE_PAIR_STATUSES)
            .select_related("program", "mentor__user", "mentee__user"))


def get_meeting_pair_for_user(user, pair_id: int) -> Pair:
    """The pair if ``user`` is its mentor or mentee (active or completed), else 404.

    The agreements are not joined here (the pair page loads them, see ``pair_page``): every session
    page passes through this helper, and PostgreSQL took ~5 ms to plan the eight-table join
    against well under 1 ms to run it."""
    pair = pairs_for_user(user).filter(pk=pair_id).first()
    if pair is None:
        raise Http404
    return pair


def get_meeting_for_user(user, meeting_id: int) -> Meeting:
    """The meeting if ``user`` is one of its pair's two people, else 404."""
    if not user.is_authenticated:
        raise Http404
    meeting = (Meeting.objects
               .filter(_member_of(user, "pair__"), pair__status__in=VISIBLE_PAIR_STATUSES, pk=meeting_id)
               .select_related("pair__program", "pair__mentor__user", "pair__mentee__user",
                               "proposed_by", "confirmed_by", "cancelled_by", "topic__topic")
               .first())
    if meeting is None:
        raise Http404
    return meeting


def get_action_item_for_user(user, item_id: int) -> ActionItem:
    if not user.is_authenticated:
        raise Http404
    item = (ActionItem.objects
            .filter(_member_of(user, "pair__"), pair__status__in=VISIBLE_PAIR_STATUSES, pk=item_id)
            .select_related("pair__mentor__user", "pair__mentee__user").first())
    if item is None:
        raise Http404
    return item


# --- progress against the program's cadence -------------------------------------------------


@dataclass(frozen=True)
class Progress:
    held: int
    target: int
    next_due: date | None
    overdue: bool
    next_booked: date | None = None

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.held / self.target)) if self.target else 100

    @property
    def complete(self) -> bool:
        return self.held >= self.target

    def __str__(self) -> str:
        text = ngettext("%(held)s of %(target)s session", "%(held)s of %(target)s sessions",
                        self.target) % {"held": self.held, "target": self.target}
        if self.next_booked and self.next_due and self.next_booked > self.next_due:
            text += _("; next session on %(date)s (was due by %(due)s)") % {
                "date": show_date(self.next_booked), "due": show_date(self.next_due)}
        elif self.next_booked:
            text += _("; next session on %(date)s") % {"date": show_date(self.next_booked)}
        elif self.next_due:
            text += _("; next due by %(date)s") % {"date": show_date(self.next_due)}
        return text


def progress_for(pair: Pair, *, held: int, last_held: datetime | None, next_booked: datetime | None,
                 today: date) -> Progress:
    """"4 of 8 sessions; next due by 12 March": held sessions against the program's minimum; the
    next one is due a cadence after the last held one (or after the start)."""
    program = pair.program
    next_due = None
    if pair.status == Pair.Status.ACTIVE:
        if last_held:
            base = timezone.localtime(last_held).date()
        else:
            starts = [d for d in (program.starts_on,
                                  timezone.localtime(pair.activated_at).date() if pair.activated_at else None)
                      if d]
            base = max(starts) if starts else None
        if base:
            next_due = base + timedelta(weeks=program.cadence_weeks)
    overdue = bool(next_due and next_due < today and next_booked is None)
    return Progress(held=held, target=program.min_sessions, next_due=next_due, overdue=overdue,
                    next_booked=timezone.localtime(next_booked).date() if next_booked else None)


def _with_counts(pairs: QuerySet[Pair], now: datetime) -> QuerySet[Pair]:
    return pairs.annotate(
        held_count=Count("meetings", filter=Q(meetings__status=Meeting.Status.HELD)),
        last_held=Max("meetings__starts_at", filter=Q(meetings__status=Meeting.Status.HELD)),
        next_booked=Min("meetings__starts_at", filter=Q(meetings__status=Meeting.Status.CONFIRMED,
                                                        meetings__starts_at__gt=now)),
    )


def _progress(pair: Pair, now: datetime) -> Progress:
    return progress_for(pair, held=pair.held_count, last_held=pair.last_held, next_booked=pair.next_booked,
                        today=timezone.localdate(now))


# --- pages ---------------------------------------------------------------------------------


def pair_page(pair: Pair, user, *, now: datetime | None = None) -> dict[str, object]:
    """Everything the pair page shows, in a fixed number of queries."""
    now = now or timezone.now()
    prefetch_related_objects([pair.mentor, pair.mentee], "agreement_version")  # one query for both
    counted = _with_counts(Pair.objects.filter(pk=pair.pk), now).values(
        "held_count", "last_held", "next_booked").get()
    for key, value in counted.items():
        setattr(pair, key, value)
    meetings = list(pair.meetings.select_related("log__updated_by", "proposed_by", "cancelled_by",
                                                 "series_occurrence")
                    .prefetch_related("slots").order_by("starts_at", "created_at"))
    groups: dict[str, list[Meeting]] = {"waiting": [], "mine": [], "upcoming": [], "wrap_up": [],
                                        "past": [], "cancelled": []}
    for meeting in meetings:
        if meeting.status == Meeting.Status.PROPOSED:
            groups["mine" if meeting.proposed_by_id == user.pk else "waiting"].append(meeting)
        elif meeting.status == Meeting.Status.CONFIRMED:
            groups["wrap_up" if meeting.has_started(now) else "upcoming"].append(meeting)
        elif meeting.status == Meeting.Status.CANCELLED:
            groups["cancelled"].append(meeting)
        else:
            groups["past"].append(meeting)
    groups["past"].reverse()
    groups["cancelled"].sort(key=lambda m: m.updated_at, reverse=True)
    items = list(pair.action_items.select_related("owner").order_by("done_at", "due_on", "id"))
    side = "mentor" if pair.mentor.user_id == user.pk else "mentee"
    return {
        "pair": pair,
        "program": pair.program,
        "side": side,
        "me": pair.mentor if side == "mentor" else pair.mentee,
        "partner_enrollment": pair.mentee if side == "mentor" else pair.mentor,
        "partner": pair.mentee.user if side == "mentor" else pair.mentor.user,
        "progress": _progress(pair, now),
        "is_active": pair.status == Pair.Status.ACTIVE,
        "open_items": [i for i in items if not i.is_done],
        "done_items": [i for i in items if i.is_done],
        "shared_notes": [m for m in groups["past"] if hasattr(m, "log") and m.log.shared_summary],
        "same_agreement": pair.mentor.agreement_version_id == pair.mentee.agreement_version_id,
        "now": now,
        **groups,
    }


def log_page(meeting: Meeting, user) -> dict[str, object]:
    """A session's log as ``user`` may see it: shared parts plus their own private reflection."""
    session_log = (SessionLog.objects.filter(meeting=meeting).select_related("updated_by")
                   .prefetch_related("topics_by_mentor", "topics_by_mentee",
                                     Prefetch("goal_progress",
                                              queryset=GoalProgress.objects.select_related("author__user")),
                                     Prefetch("action_items",
                                              queryset=ActionItem.objects.select_related("owner")))
                   .first())
    reflection = None
    if session_log is not None:
        # The only read of private reflections in the app: the author's own.
        reflection = PrivateReflection.objects.filter(log=session_log, author=user).first()
    return {"log": session_log, "my_reflection": reflection}


def participant_sessions(user, *, now: datetime | None = None) -> dict[str, object]:
    """For the participant home panel: the next session, proposals waiting for me, and each pair's
    progress. Three queries, however many pairs and sessions (one without an active pair)."""
    if not user.is_authenticated:
        return {"sessions_next": None, "sessions_waiting": 0, "sessions_pairs": []}
    now = now or timezone.now()
    pairs = list(_with_counts(pairs_for_user(user), now).order_by("-activated_at", "id"))
    # The sessions are looked up by the active pairs just read (with their program and people), not
    # by joining pairs, enrolments, people and programs again: PostgreSQL spent ~13 ms planning that
    # seven-table join with its "mentor or mentee" condition, for a query that ran in under 1 ms.
    active = {pair.pk: pair for pair in pairs if pair.status == Pair.Status.ACTIVE}
    next_meeting = (Meeting.objects
                    .filter(pair_id__in=list(active), status=Meeting.Status.CONFIRMED, starts_at__gt=now)
                    .order_by("starts_at").first())
    if next_meeting is not None:
        next_meeting.pair = active[next_meeting.pair_id]
    waiting = (Meeting.objects
               .filter(pair_id__in=list(active), status=Meeting.Status.PROPOSED)
               .exclude(proposed_by=user).count())
    return {
        "sessions_next": next_meeting,
        "sessions_waiting": waiting,
        "sessions_pairs": [{"pair": pair, "partner": (pair.mentee.user if pair.mentor.user_id == user.pk
                                                      else pair.mentor.user),
                            "progress": _progress(pair, now)} for pair in pairs],
    }


def sessions_page(user, *, now: datetime | None = None) -> dict[str, object]:
    """The person's sessions across their pairs: waiting, upcoming, recent past."""
    now = now or timezone.now()
    base = (Meeting.objects.filter(_member_of(user, "pair__"), pair__status__in=VISIBLE_PAIR_STATUSES)
            .select_related("pair__program", "pair__mentor__user", "pair__mentee__user", "proposed_by",
                            "series_occurrence"))
    return {
        "waiting": list(base.filter(status=Meeting.Status.PROPOSED).exclude(proposed_by=user)
                        .prefetch_related("slots").order_by("created_at")),
        "mine": list(base.filter(status=Meeting.Status.PROPOSED, proposed_by=user)
                     .prefetch_related("slots").order_by("created_at")),
        "upcoming": list(base.filter(status=Meeting.Status.CONFIRMED, starts_at__gt=now)
                         .order_by("starts_at")),
        "wrap_up": list(base.filter(status=Meeting.Status.CONFIRMED, starts_at__lte=now)
                        .order_by("starts_at")),
        "past": list(base.filter(status__in=[Meeting.Status.HELD, Meeting.Status.NO_SHOW])
                     .select_related("log").order_by("-starts_at")[:20]),
        "pairs": participant_sessions(user, now=now)["sessions_pairs"],
        "feed_url_path": feed_path(user),
    }


# --- availability and suggested times -------------------------------------------------------


def availability_of(user) -> slots.WeeklyCalendar | None:
    """A person's published weekly availability, or None when they have not published any."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    windows = [slots.Window(w.weekday, w.start, w.end) for w in profile.availability.all()]
    return slots.WeeklyCalendar(windows, user.zone) if windows else None


def _busy(pair: Pair, now: datetime) -> list[slots.Interval]:
    rows = MeetingAttendance.objects.filter(
        user__in=[pair.mentor.user_id, pair.mentee.user_id], active=True, ends_at__gt=now,
    ).values_list("starts_at", "ends_at")
    return list(rows)


def suggested_times(pair: Pair, user, *, now: datetime | None = None,
                    both: bool = True) -> list[slots.Interval]:
    """Free times of the program's session length over the next three weeks.

    ``both``: inside both people's availability (for proposals); otherwise inside the partner's
    published availability and the viewer's waking hours, 07:00–22:00 (for booking directly).
    """
    now = now or timezone.now()
    partner = pair.mentee.user if pair.mentor.user_id == user.pk else pair.mentor.user
    if both:
        calendars = [availability_of(user), availability_of(partner)]
    else:
        # Your own availability is not required, but nobody wants 03:00 offered: waking hours only.
        waking = slots.WeeklyCalendar([slots.Window(day, time(7), time(22)) for day in range(7)], user.zone)
        calendars = [availability_of(partner), waking]
    if any(calendar is None for calendar in calendars):
        return []
    return slots.suggest_slots(
        calendars=calendars, busy=_busy(pair, now), not_before=now + timedelta(hours=1),
        minutes=pair.program.session_minutes, local_zone=user.zone,
        first_day=pair.program.starts_on, last_day=pair.program.ends_on, per_day=3, limit=12,
    )


# --- the private calendar feed ---------------------------------------------------------------


def feed_version(user) -> int:
    feed = CalendarFeed.objects.filter(user=user).only("version").first()
    return feed.version if feed else 1


def feed_token(user, version: int | None = None) -> str:
    """A signed (user, version) pair: no secret is stored, bumping the version revokes old links."""
    return signing.dumps([user.pk, feed_version(user) if version is None else version], salt=FEED_SALT)


def feed_path(user) -> str:
    from django.urls import reverse

    return reverse("meetings:calendar_feed", args=[feed_token(user)])


def feed_user(token: str):
    """The person a feed token belongs to, or None when it is forged or revoked."""
    from accounts.models import User

    try:
        user_id, version = signing.loads(token, salt=FEED_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or feed_version(user) != version:
        return None
    return user


def feed_meetings(user) -> QuerySet[Meeting]:
    """Booked sessions (confirmed or held) of the person, for their calendar feed."""
    return (Meeting.objects
            .filter(_member_of(user, "pair__"), pair__status__in=VISIBLE_PAIR_STATUSES,
                    status__in=[Meeting.Status.CONFIRMED, Meeting.Status.HELD])
            .select_related("pair__mentor__user", "pair__mentee__user", "topic__topic",
                            "series_occurrence__series__pair__mentor__user",
                            "series_occurrence__series__pair__mentee__user")
            .order_by("starts_at"))


# --- for program leads (the evaluation app) -------------------------------------------------


def shared_summaries_for_lead(user, program) -> QuerySet[SessionLog]:
    """Shared summaries of a program's sessions, only when the program lets its leads read them.

    Private reflections are never reachable from here.
    """
    if not (program.leads_can_read_summaries and program.leads.filter(pk=user.pk).exists()):
        return SessionLog.objects.none()
    return (SessionLog.objects.filter(meeting__pair__program=program).exclude(shared_summary="")
            .select_related("meeting").order_by("-meeting__starts_at"))


# --- pairs and their sessions (nudges, the leads' digest) ---------------------------------------

# A pair is "behind" once it has gone this long past its cadence without a session (nudge);
# twice the cadence plus grace, the program lead hears about it (escalation).
GRACE_DAYS = 7
SESSION_STATUSES = (Meeting.Status.HELD, Meeting.Status.CONFIRMED)
CLOSED_ENROLMENT = (Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED)


def silence_start(
    *, last_session: datetime | None, activated_at: datetime | None, program_starts: datetime | None
) -> datetime | None:
    """When the pair's current silence began: its last session, its start, or the program's."""
    moments = [m for m in (last_session, activated_at, program_starts) if m is not None]
    return max(moments) if moments else None


def nudge_thresholds(cadence_weeks: int) -> tuple[timedelta, timedelta]:
    """(nudge after, escalate after) this much silence."""
    nudge = timedelta(weeks=cadence_weeks, days=GRACE_DAYS)
    return nudge, 2 * nudge


def active_pairs_with_activity(now: datetime, **filters):
    """Active pairs of running programs with their last session and whether one is booked ahead."""
    return Pair.objects.filter(
        status=Pair.Status.ACTIVE, program__status=Program.Status.RUNNING, **filters
    ).annotate(
        last_session=Max(
            "meetings__starts_at",
            filter=Q(meetings__status__in=SESSION_STATUSES, meetings__starts_at__lte=now),
        ),
        booked_ahead=Exists(
            Meeting.objects.filter(pair=OuterRef("pk"), status=Meeting.Status.CONFIRMED, starts_at__gt=now)
        ),
    )


def session_counts(pair_ids) -> dict[int, dict[str, object]]:
    """Per pair: sessions held and cancelled, and the last session (held or booked) so far."""
    rows = (
        Meeting.objects.filter(pair_id__in=list(pair_ids))
        .values("pair_id")
        .annotate(
            held=Count("id", filter=Q(status=Meeting.Status.HELD)),
            cancelled=Count("id", filter=Q(status=Meeting.Status.CANCELLED)),
            last=Max("starts_at", filter=Q(status__in=SESSION_STATUSES)),
        )
    )
    return {row["pair_id"]: row for row in rows}


def day_start(day) -> datetime | None:
    """Midnight UTC at the start of a date (programs' dates are calendar days)."""
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)
