"""The periodic e-mail jobs and the writes of the survey pages.

Every job is a *tick*: find what is due with a fixed number of queries and insert the missing
outbox rows (their unique keys make a second tick insert nothing), then claim and send batches
(see :mod:`surveys.outbox` for the claim, the lease and the honest at-most-one-duplicate window).
Ticks are deliberately not wrapped in one transaction: claims and sent stamps must be visible to
other workers as soon as they are written. Each tick takes ``now`` so tests can travel in time.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from meetings import ics
from meetings.formatting import both_zones, zone_label
from meetings.models import Meeting, MeetingEvent, MeetingNotice
from pairing.models import Enrollment, Pair, SkillRating
from programs.models import Program, SurveyQuestion
from surveys import emails, outbox, selectors
from surveys.models import (
    PENDING,
    LeadDigest,
    MeetingReminder,
    Nudge,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from surveys.outbox import Columns, Outcome, Skip

log = logging.getLogger(__name__)

PENDING_SQL = outbox.PENDING_SQL
# Held sessions older than this get no survey any more (bounds the search; surveys expire anyway).
SESSION_SURVEY_LOOKBACK = timedelta(days=30)
# Meeting notices the web request could not hand to the broker go out with the next tick.
NOTICE_GRACE = timedelta(minutes=1)
DIGEST_HOUR = 8  # Monday, 08:00 in the lead's own time zone
TIME_SET = (MeetingEvent.Kind.BOOKED, MeetingEvent.Kind.CONFIRMED, MeetingEvent.Kind.RESCHEDULED)
REMINDER_COLUMNS = Columns("reminder_claimed_at", "reminder_claim_id", "reminder_sent_at")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _side(pair: Pair, user_id: int) -> Enrollment | None:
    if pair.mentor.user_id == user_id:
        return pair.mentor
    if pair.mentee.user_id == user_id:
        return pair.mentee
    return None


def _partner(pair: Pair, user_id: int) -> User:
    return pair.mentee.user if pair.mentor.user_id == user_id else pair.mentor.user


# --- meeting reminders ---------------------------------------------------------------------


def meeting_reminders_plan(*, now: datetime | None = None) -> int:
    """Insert the reminder rows that are due: one per person and lead time, for the current start.

    A reminder is due from exactly ``lead_hours`` before the start until the start. When several
    lead times are due at once only the latest one is sent (the others are recorded as
    superseded), and a lead time is skipped when the session was booked or moved inside it (the
    person was just told). Three queries plus the insert, however many sessions there are.
    """
    now = _now(now)
    leads = Program.objects.filter(status=Program.Status.RUNNING).aggregate(
        first=Max("reminder_first_hours"), second=Max("reminder_second_hours")
    )
    horizon = max(leads["first"] or 0, leads["second"] or 0)
    if not horizon:
        return 0
    window = {"starts_at__gt": now, "starts_at__lte": now + timedelta(hours=horizon)}
    time_set = (
        MeetingEvent.objects.filter(meeting=OuterRef("pk"), kind__in=TIME_SET)
        .order_by("-at")
        .values("at")[:1]
    )
    candidates = (
        Meeting.objects.filter(
            status=Meeting.Status.CONFIRMED,
            pair__status=Pair.Status.ACTIVE,
            pair__program__status=Program.Status.RUNNING,
            **window,
        )
        .annotate(time_set_at=Subquery(time_set))
        .values_list(
            "pk",
            "starts_at",
            "time_set_at",
            "pair__program__reminder_first_hours",
            "pair__program__reminder_second_hours",
            "pair__mentor__user_id",
            "pair__mentor__status",
            "pair__mentee__user_id",
            "pair__mentee__status",
        )
    )
    existing = set(
        MeetingReminder.objects.filter(**window).values_list(
            "meeting_id", "recipient_id", "lead_hours", "starts_at"
        )
    )
    rows: list[MeetingReminder] = []
    for (
        meeting_id,
        starts_at,
        time_set_at,
        first,
        second,
        mentor_id,
        mentor_status,
        mentee_id,
        mentee_status,
    ) in candidates:
        due = sorted(h for h in {first, second} if h and starts_at - timedelta(hours=h) <= now)
        if not due:
            continue
        for hours in due:
            reason = "" if hours == due[0] else "superseded"
            if time_set_at and time_set_at > starts_at - timedelta(hours=hours):
                reason = "booked_late"
            for user_id, status in ((mentor_id, mentor_status), (mentee_id, mentee_status)):
                if (
                    status in selectors.CLOSED_ENROLMENT
                    or (meeting_id, user_id, hours, starts_at) in existing
                ):
                    continue
                rows.append(
                    MeetingReminder(
                        meeting_id=meeting_id,
                        recipient_id=user_id,
                        lead_hours=hours,
                        starts_at=starts_at,
                        skipped_at=now if reason else None,
                        skipped_reason=reason,
                    )
                )
    MeetingReminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
    return len(rows)


def _load_reminders(ids):
    return list(
        MeetingReminder.objects.filter(pk__in=ids)
        .order_by("id")
        .select_related(
            "recipient",
            "meeting__pair__program",
            "meeting__pair__mentor__user",
            "meeting__pair__mentee__user",
        )
    )


def _reminder_message(row: MeetingReminder, calendars: dict[tuple[int, int], bytes]):
    meeting, now = row.meeting, timezone.now()
    pair = meeting.pair
    if meeting.status != Meeting.Status.CONFIRMED:
        return Skip(meeting.status)
    if meeting.starts_at != row.starts_at:
        return Skip("moved")
    if meeting.starts_at <= now:
        return Skip("started")
    if pair.status != Pair.Status.ACTIVE:
        return Skip("pair_ended")
    enrollment = _side(pair, row.recipient_id)
    if enrollment is None or enrollment.status in selectors.CLOSED_ENROLMENT:
        return Skip("withdrawn")
    recipient, partner = row.recipient, _partner(pair, row.recipient_id)
    if not recipient.is_active:
        return Skip("inactive")
    message = emails.render(
        template="meeting_reminder",
        recipient=recipient,
        program=pair.program,
        outbox=f"meeting-reminder:{row.pk}",
        context={
            "meeting": meeting,
            "partner": partner,
            "lead_hours": row.lead_hours,
            "lead_days": row.lead_hours // 24,
            "when": both_zones(meeting.starts_at, meeting.ends_at, recipient, partner),
            "zone": zone_label(recipient.zone),
            "url": ics.meeting_url(meeting),
        },
    )
    # Both people get the same calendar document: build it once per session and batch.
    key = (meeting.pk, meeting.ics_sequence)
    if key not in calendars:
        calendars[key] = ics.meeting_ics(meeting, method="REQUEST")
    message.attach("invite.ics", calendars[key], "text/calendar; method=REQUEST; charset=utf-8")
    return message


def meeting_reminders_send() -> Outcome:
    calendars: dict[tuple[int, int], bytes] = {}
    return outbox.claim_and_send(
        MeetingReminder,
        where=PENDING_SQL,
        load=_load_reminders,
        build=lambda row: _reminder_message(row, calendars),
    )


def meeting_reminders_tick(*, now: datetime | None = None) -> Outcome:
    """Insert the due reminder rows, then claim and send every pending one."""
    created = meeting_reminders_plan(now=now)
    outcome = meeting_reminders_send()
    outcome.created = created
    return outcome


# --- survey invitations --------------------------------------------------------------------


def session_surveys_plan(*, now: datetime | None = None) -> int:
    """Invite both people to a survey once a held session ended the program's delay ago."""
    now = _now(now)
    earlier_held = Meeting.objects.filter(
        pair=OuterRef("pair"), status=Meeting.Status.HELD, starts_at__lt=OuterRef("starts_at")
    )
    invited = SurveyInvitation.objects.filter(
        meeting=OuterRef("pk"), kind=SurveyInvitation.Kind.AFTER_SESSION
    )
    candidates = (
        Meeting.objects.filter(
            status=Meeting.Status.HELD,
            ends_at__lte=now,
            ends_at__gte=now - SESSION_SURVEY_LOOKBACK,
            pair__program__status=Program.Status.RUNNING,
            pair__program__survey_after_session=True,
        )
        .exclude(Exists(invited))
        .annotate(first=~Exists(earlier_held))
        .values_list(
            "pk",
            "ends_at",
            "first",
            "pair__program_id",
            "pair__program__survey_delay_hours",
            "pair__mentor_id",
            "pair__mentor__user_id",
            "pair__mentor__status",
            "pair__mentee_id",
            "pair__mentee__user_id",
            "pair__mentee__status",
        )
    )
    rows = []
    for (
        meeting_id,
        ends_at,
        first,
        program_id,
        delay,
        mentor_e,
        mentor_u,
        mentor_s,
        mentee_e,
        mentee_u,
        mentee_s,
    ) in candidates:
        if ends_at + timedelta(hours=delay) > now:
            continue
        for enrollment_id, user_id, status in (
            (mentor_e, mentor_u, mentor_s),
            (mentee_e, mentee_u, mentee_s),
        ):
            if status in selectors.CLOSED_ENROLMENT:
                continue
            rows.append(
                SurveyInvitation(
                    program_id=program_id,
                    recipient_id=user_id,
                    enrollment_id=enrollment_id,
                    kind=SurveyInvitation.Kind.AFTER_SESSION,
                    meeting_id=meeting_id,
                    first_session=first,
                    created_at=now,
                )
            )
    SurveyInvitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
    return len(rows)


def _program_survey_due(program: Program, today) -> str | None:
    if not (program.starts_on and program.ends_on) or today < program.starts_on:
        return None
    if program.survey_end_program and program.end_survey_sent_at is None and today >= program.ends_on:
        return SurveyInvitation.Kind.END_PROGRAM
    midpoint = program.starts_on + (program.ends_on - program.starts_on) / 2
    if program.survey_mid_program and midpoint <= today < program.ends_on:
        return SurveyInvitation.Kind.MID_PROGRAM
    return None


def program_surveys_plan(*, now: datetime | None = None) -> tuple[dict[str, list[int]], int]:
    """Invite every participant (approved, in an active or completed pair) to the mid-program survey
    from the program's midpoint, and to the end-of-program survey from its last day (dates in UTC).

    Returns the ids of the programs each survey is due in, and how many invitations were added
    (rows a concurrent tick inserted first are not counted twice). Three queries, four when
    something was added.
    """
    now = _now(now)
    today = now.date()
    due: dict[str, list[int]] = {SurveyInvitation.Kind.MID_PROGRAM: [], SurveyInvitation.Kind.END_PROGRAM: []}
    for program in Program.objects.filter(
        status=Program.Status.RUNNING, starts_on__lte=today, ends_on__isnull=False
    ).filter(Q(survey_mid_program=True) | Q(survey_end_program=True, end_survey_sent_at__isnull=True)):
        kind = _program_survey_due(program, today)
        if kind:
            due[kind].append(program.pk)
    in_pair = Pair.objects.filter(
        Q(mentor=OuterRef("pk")) | Q(mentee=OuterRef("pk")),
        status__in=[Pair.Status.ACTIVE, Pair.Status.COMPLETED],
    )
    rows = []
    for kind, program_ids in due.items():
        if not program_ids:
            continue
        invited = SurveyInvitation.objects.filter(enrollment=OuterRef("pk"), kind=kind)
        for enrollment_id, program_id, user_id in (
            Enrollment.objects.filter(program_id__in=program_ids, status=Enrollment.Status.APPROVED)
            .filter(Exists(in_pair))
            .exclude(Exists(invited))
            .values_list("pk", "program_id", "user_id")
        ):
            rows.append(
                SurveyInvitation(
                    program_id=program_id,
                    recipient_id=user_id,
                    enrollment_id=enrollment_id,
                    kind=kind,
                    created_at=now,
                )
            )
    if not rows:
        return due, 0
    SurveyInvitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
    # The rows stamped with this tick's moment are the ones this tick inserted (no ids come back
    # from an insert that ignores conflicts).
    return due, SurveyInvitation.objects.filter(kind__in=list(due), created_at=now).count()


def _load_invitations(ids):
    return list(
        SurveyInvitation.objects.filter(pk__in=ids)
        .order_by("id")
        .select_related(
            "recipient", "program", "enrollment", "meeting__pair__mentor__user", "meeting__pair__mentee__user"
        )
    )


def _invitation_invalid(row: SurveyInvitation, now: datetime) -> Skip | None:
    if row.program.status != Program.Status.RUNNING:
        return Skip("program_not_running")
    if row.enrollment.status in selectors.CLOSED_ENROLMENT:
        return Skip("withdrawn")
    if row.answered_at is not None:
        return Skip("answered")
    if not row.recipient.is_active:
        return Skip("inactive")
    if row.kind == SurveyInvitation.Kind.AFTER_SESSION and row.meeting.status != Meeting.Status.HELD:
        return Skip("not_held")
    return None


def _new_token(row: SurveyInvitation, attribute: str) -> None:
    token = secrets.token_urlsafe(32)
    row.raw_token = token  # kept in memory only, for the e-mail being built
    setattr(row, attribute, selectors.token_hash(token))


def _survey_url(row: SurveyInvitation) -> str:
    return emails.site_url(reverse("surveys:answer_token", args=[row.raw_token]))


def _invitation_context(row: SurveyInvitation) -> dict[str, Any]:
    context: dict[str, Any] = {
        "invitation": row,
        "expires_at": row.expires_at,
        "mine_url": emails.site_url(reverse("surveys:mine")),
    }
    if row.meeting_id:
        context["partner"] = _partner(row.meeting.pair, row.recipient_id)
        context["meeting"] = row.meeting
    return context


def survey_deadline(*, sent_at: datetime, days: int, zone: tzinfo) -> datetime:
    """When a survey sent at ``sent_at`` closes: the end of the ``days``-th day after, in the reader's zone.

    "14 days after sending" closed a survey at whatever minute the tick ran (02:01), which nobody
    can remember; the end of a day people can name is a deadline they can keep.
    """
    last_day = (sent_at + timedelta(days=days)).astimezone(zone).date()
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)


def survey_invitations_send() -> Outcome:
    """Claim and send every pending survey invitation (all kinds)."""

    def prepare(rows: list[SurveyInvitation]) -> None:
        for row in rows:
            _new_token(row, "token_hash")
        SurveyInvitation.objects.bulk_update(rows, ["token_hash"], batch_size=outbox.INSERT_BATCH)

    def build(row: SurveyInvitation):
        invalid = _invitation_invalid(row, timezone.now())
        if invalid:
            return invalid
        row.closes_at = survey_deadline(
            sent_at=timezone.now(), days=row.program.survey_expiry_days, zone=row.recipient.zone
        )
        return _LazyMessage(
            lambda: emails.render(
                template=f"invitation_{row.kind}",
                recipient=row.recipient,
                program=row.program,
                outbox=f"survey-invitation:{row.pk}",
                context={**_invitation_context(row), "url": _survey_url(row), "closes_at": row.closes_at},
            )
        )

    def mark(row: SurveyInvitation, now: datetime) -> dict[str, object]:
        # The message already promised row.closes_at: store exactly that.
        days = timedelta(days=row.program.survey_expiry_days)
        return {"expires_at": row.closes_at, "remind_at": now + days / 2}

    return outbox.claim_and_send(
        SurveyInvitation, where=PENDING_SQL, load=_load_invitations, build=build, prepare=prepare, mark=mark
    )


class _LazyMessage:
    """A message rendered only when it is sent (after ``prepare`` created the link's token)."""

    def __init__(self, factory) -> None:
        self.factory = factory
        self.connection = None

    def send(self) -> int:
        message = self.factory()
        message.connection = self.connection
        return message.send()


def session_surveys_tick(*, now: datetime | None = None) -> Outcome:
    created = session_surveys_plan(now=now)
    outcome = survey_invitations_send()
    outcome.created = created
    return outcome


def program_surveys_tick(*, now: datetime | None = None) -> Outcome:
    """Mid- and end-of-program invitations; stamps ``end_survey_sent_at`` once all have gone out."""
    due, created = program_surveys_plan(now=now)
    outcome = survey_invitations_send()
    outcome.created = created
    end_ids = due[SurveyInvitation.Kind.END_PROGRAM]
    if end_ids:
        pending = SurveyInvitation.objects.filter(
            PENDING, program=OuterRef("pk"), kind=SurveyInvitation.Kind.END_PROGRAM
        )
        Program.objects.filter(pk__in=end_ids, end_survey_sent_at__isnull=True).exclude(
            Exists(pending)
        ).update(end_survey_sent_at=timezone.now())
    return outcome


# --- survey reminders ----------------------------------------------------------------------


def survey_reminders_tick(*, now: datetime | None = None) -> Outcome:
    """One reminder per unanswered invitation, half-way to its closing date; none after it closed.

    The reminder carries a fresh link (its own token); the first e-mail's link keeps working.
    A reminder that is no longer wanted (withdrawn, closed program) is dropped by clearing
    ``remind_at``; expiry needs no job (an invitation is expired once ``expires_at`` has passed).
    """
    now = _now(now)
    now_db = SurveyInvitation._meta.get_field("remind_at").get_db_prep_value(now, connection)
    where = (
        "sent_at IS NOT NULL AND answered_at IS NULL AND reminder_sent_at IS NULL "
        "AND remind_at <= %s AND expires_at > %s"
    )

    def prepare(rows: list[SurveyInvitation]) -> None:
        for row in rows:
            _new_token(row, "reminder_token_hash")
        SurveyInvitation.objects.bulk_update(rows, ["reminder_token_hash"], batch_size=outbox.INSERT_BATCH)

    def build(row: SurveyInvitation):
        current = timezone.now()
        invalid = _invitation_invalid(row, current)
        if invalid:
            return invalid
        if row.is_expired(current):
            return Skip("expired")
        return _LazyMessage(
            lambda: emails.render(
                template="survey_reminder",
                recipient=row.recipient,
                program=row.program,
                outbox=f"survey-reminder:{row.pk}",
                context={**_invitation_context(row), "url": _survey_url(row), "closes_at": row.expires_at},
            )
        )

    def on_skip(skipped: dict[str, list[int]]) -> None:
        ids = [pk for pks in skipped.values() for pk in pks]
        SurveyInvitation.objects.filter(pk__in=ids, reminder_sent_at__isnull=True).update(remind_at=None)

    return outbox.claim_and_send(
        SurveyInvitation,
        where=where,
        params=[now_db, now_db],
        load=_load_invitations,
        build=build,
        prepare=prepare,
        columns=REMINDER_COLUMNS,
        on_skip=on_skip,
    )


# --- nudges and escalations ----------------------------------------------------------------


def nudges_plan(*, now: datetime | None = None) -> int:
    """Nudge both people of an active pair that has gone its cadence plus a grace period without a
    session (and has none booked); after twice that, tell the program's leads. One row per silence
    (``period`` = the day it began). Two queries plus the insert.
    """
    now = _now(now)
    today = now.date()
    pairs = list(
        selectors.active_pairs_with_activity(now)
        .filter(Q(program__ends_on__isnull=True) | Q(program__ends_on__gte=today), booked_ahead=False)
        .values_list(
            "pk",
            "program_id",
            "activated_at",
            "last_session",
            "program__cadence_weeks",
            "program__starts_on",
            "mentor__user_id",
            "mentor__user__nudges_opt_out",
            "mentor__status",
            "mentee__user_id",
            "mentee__user__nudges_opt_out",
            "mentee__status",
        )
    )
    leads: dict[int, list[int]] = {}
    for program_id, user_id in Program.leads.through.objects.filter(
        program_id__in={p[1] for p in pairs}
    ).values_list("program_id", "user_id"):
        leads.setdefault(program_id, []).append(user_id)
    rows = []
    for (
        pair_id,
        program_id,
        activated_at,
        last_session,
        cadence,
        starts_on,
        mentor_id,
        mentor_out,
        mentor_status,
        mentee_id,
        mentee_out,
        mentee_status,
    ) in pairs:
        start = selectors.silence_start(
            last_session=last_session,
            activated_at=activated_at,
            program_starts=selectors.day_start(starts_on),
        )
        if start is None:
            continue
        nudge_after, escalate_after = selectors.nudge_thresholds(cadence)
        period = start.date()
        if now - start >= nudge_after:
            for user_id, opted_out, status in (
                (mentor_id, mentor_out, mentor_status),
                (mentee_id, mentee_out, mentee_status),
            ):
                if not opted_out and status not in selectors.CLOSED_ENROLMENT:
                    rows.append(
                        Nudge(pair_id=pair_id, recipient_id=user_id, kind=Nudge.Kind.NUDGE, period=period)
                    )
        if now - start >= escalate_after:
            rows += [
                Nudge(pair_id=pair_id, recipient_id=lead_id, kind=Nudge.Kind.ESCALATION, period=period)
                for lead_id in leads.get(program_id, [])
            ]
    Nudge.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
    return len(rows)


def nudges_send() -> Outcome:
    context: dict[str, Any] = {}

    def load(ids):
        rows = list(
            Nudge.objects.filter(pk__in=ids)
            .order_by("id")
            .select_related("recipient", "pair__program", "pair__mentor__user", "pair__mentee__user")
        )
        pair_ids = {r.pair_id for r in rows}
        context["counts"] = selectors.session_counts(pair_ids)
        context["leads"] = set(
            Program.leads.through.objects.filter(
                program_id__in={r.pair.program_id for r in rows}
            ).values_list("program_id", "user_id")
        )
        return rows

    def build(row: Nudge):
        now, pair = timezone.now(), row.pair
        counts = context["counts"].get(row.pair_id, {"held": 0, "cancelled": 0, "last": None})
        if pair.status != Pair.Status.ACTIVE or pair.program.status != Program.Status.RUNNING:
            return Skip("pair_ended")
        if counts["last"] and counts["last"].date() > row.period:
            return Skip("met_since")
        start = selectors.day_start(row.period)
        weeks = max(1, (now - start).days // 7)
        if row.kind == Nudge.Kind.NUDGE:
            enrollment = _side(pair, row.recipient_id)
            if enrollment is None or enrollment.status in selectors.CLOSED_ENROLMENT:
                return Skip("withdrawn")
            if row.recipient.nudges_opt_out:
                return Skip("opted_out")
            unsubscribe = emails.unsubscribe_url(row.recipient)
            return emails.render(
                template="nudge",
                recipient=row.recipient,
                program=pair.program,
                outbox=f"nudge:{row.pk}",
                context={
                    "pair": pair,
                    "partner": _partner(pair, row.recipient_id),
                    "weeks": weeks,
                    "never_met": counts["held"] == 0 and counts["last"] is None,
                    "url": emails.site_url(reverse("meetings:pair", args=[pair.pk])),
                    "unsubscribe_url": unsubscribe,
                    "preferences_url": emails.site_url(reverse("accounts:preferences")),
                },
                headers={
                    "List-Unsubscribe": f"<{unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        if (pair.program_id, row.recipient_id) not in context["leads"]:
            return Skip("not_lead")
        # Names and counts only: never session notes, reflections or ratings.
        return emails.render(
            template="escalation",
            recipient=row.recipient,
            program=pair.program,
            outbox=f"escalation:{row.pk}",
            context={
                "pair": pair,
                "mentor": pair.mentor.user,
                "mentee": pair.mentee.user,
                "weeks": weeks,
                "held": counts["held"],
                "cancelled": counts["cancelled"],
                "cadence_weeks": pair.program.cadence_weeks,
            },
        )

    return outbox.claim_and_send(Nudge, where=PENDING_SQL, load=load, build=build)


def nudges_tick(*, now: datetime | None = None) -> Outcome:
    created = nudges_plan(now=now)
    outcome = nudges_send()
    outcome.created = created
    return outcome


# --- weekly digest for program leads -------------------------------------------------------

DIGEST_PROGRAM_STATUSES = (Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING)


def iso_week(moment: datetime) -> str:
    year, week, _weekday = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _digest_week(lead_zone, now: datetime) -> str | None:
    """The lead's current ISO week once it is past Monday 08:00 where they are, else None."""
    local = now.astimezone(lead_zone)
    if local.weekday() == 0 and local.hour < DIGEST_HOUR:
        return None
    return iso_week(local)


def lead_digests_plan(*, now: datetime | None = None) -> int:
    """One digest row per lead of an active program per ISO week (from Monday 08:00, their time)."""
    now = _now(now)
    leads = User.objects.filter(led_programs__status__in=DIGEST_PROGRAM_STATUSES, is_active=True).distinct()
    rows = []
    weeks = {}
    for lead in leads.only("pk", "time_zone"):
        week = _digest_week(lead.zone, now)
        if week:
            weeks[lead.pk] = week
    existing = set(
        LeadDigest.objects.filter(iso_week__in=set(weeks.values())).values_list("lead_id", "iso_week")
    )
    rows = [LeadDigest(lead_id=pk, iso_week=week) for pk, week in weeks.items() if (pk, week) not in existing]
    LeadDigest.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
    return len(rows)


def lead_digests_send() -> Outcome:
    context: dict[str, Any] = {}

    def load(ids):
        rows = list(LeadDigest.objects.filter(pk__in=ids).order_by("id").select_related("lead"))
        led: dict[int, list[int]] = {}
        for program_id, user_id in Program.leads.through.objects.filter(
            user_id__in={r.lead_id for r in rows}, program__status__in=DIGEST_PROGRAM_STATUSES
        ).values_list("program_id", "user_id"):
            led.setdefault(user_id, []).append(program_id)
        context["led"] = led
        context["figures"] = selectors.program_figures(
            {p for ps in led.values() for p in ps}, now=timezone.now()
        )
        return rows

    def build(row: LeadDigest):
        now = timezone.now()
        if _digest_week(row.lead.zone, now) != row.iso_week:
            return Skip("stale")
        figures = sorted(
            (context["figures"][p] for p in context["led"].get(row.lead_id, [])), key=lambda f: f.program.name
        )
        if not figures or not row.lead.is_active:
            return Skip("no_programs")
        return emails.render(
            template="lead_digest",
            recipient=row.lead,
            program=None,
            outbox=f"lead-digest:{row.pk}",
            context={
                "figures": figures,
                "week": row.iso_week,
                "dashboard_url": emails.site_url(reverse("home")),
            },
        )

    return outbox.claim_and_send(LeadDigest, where=PENDING_SQL, load=load, build=build)


def lead_digests_tick(*, now: datetime | None = None) -> Outcome:
    created = lead_digests_plan(now=now)
    outcome = lead_digests_send()
    outcome.created = created
    return outcome


# --- meeting notices the web request could not enqueue --------------------------------------


def meeting_notices_tick(*, now: datetime | None = None) -> int:
    """Send calendar notices still unsent a minute after they were written (broker outage, lost
    task). ``meeting_notices_send`` claims each one itself, so a notice never goes out twice."""
    from meetings.services import meeting_notices_send

    now = _now(now)
    ids = list(
        MeetingNotice.objects.filter(sent_at__isnull=True, created_at__lte=now - NOTICE_GRACE)
        .order_by("id")
        .values_list("id", flat=True)[: outbox.INSERT_BATCH]
    )
    return meeting_notices_send(notice_ids=ids) if ids else 0


# --- answering a survey --------------------------------------------------------------------


class AlreadyAnswered(Exception):  # noqa: N818 - reads as the situation, like Http404
    """The invitation has its answers already; nothing was stored a second time."""


RANGES = {SurveyQuestion.Kind.RATING: (1, 5), SurveyQuestion.Kind.RECOMMENDATION: (0, 10)}


def _answer_rows(questions, answers: dict[int, object]) -> list[SurveyAnswer]:
    errors: dict[str, str] = {}
    rows = []
    for question in questions:
        if question.kind == SurveyQuestion.Kind.SKILLS:
            continue
        value = answers.get(question.pk)
        empty = value is None or (isinstance(value, str) and not value.strip())
        key = f"q_{question.pk}"
        if empty:
            if question.required:
                errors[key] = _("Please answer this question.")
            continue
        row = SurveyAnswer(question=question, question_text=question.text, kind=question.kind)
        if question.kind in RANGES:
            low, high = RANGES[question.kind]
            if not isinstance(value, int) or not low <= value <= high:
                errors[key] = _("Pick a number from %(low)s to %(high)s.") % {"low": low, "high": high}
                continue
            row.number = value
        elif question.kind == SurveyQuestion.Kind.CHOICE:
            if value not in question.choices:
                errors[key] = _("Pick one of the options.")
                continue
            row.text = value
        else:
            row.text = str(value).strip()[:2000]
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows


def _skill_rows(
    invitation: SurveyInvitation, questions, skills: dict[tuple[int, str], int]
) -> list[SkillRating]:
    asked = [q for q in questions if q.kind == SurveyQuestion.Kind.SKILLS]
    if not asked:
        return []
    errors: dict[str, str] = {}
    ratings = []
    for row in selectors.skill_rows_for(invitation):
        score = skills.get((row.topic_id, row.direction))
        if score is None:
            if any(q.required for q in asked):
                errors[row.field_name] = _("Rate this topic from 1 to 5.")
            continue
        if not isinstance(score, int) or not 1 <= score <= 5:
            errors[row.field_name] = _("Rate this topic from 1 to 5.")
            continue
        ratings.append(
            SkillRating(
                enrollment_id=invitation.enrollment_id,
                topic_id=row.topic_id,
                direction=row.direction,
                phase=SkillRating.Phase.END,
                score=score,
            )
        )
    if errors:
        raise ValidationError(errors)
    return ratings


@transaction.atomic
def survey_response_submit(
    *,
    invitation: SurveyInvitation,
    answers: dict[int, object],
    skills: dict[tuple[int, str], int] | None = None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Store the answers to one invitation, once.

    ``answers`` maps question ids to a number (rating, recommendation), an option or a text;
    ``skills`` maps (topic id, direction) to a 1–5 self-assessment (end-of-program survey, stored
    as the enrolment's end-phase skill ratings). Raises :class:`AlreadyAnswered` for a second
    submit and ValidationError (code "expired") once the invitation has closed; stores nothing then.
    """
    now = _now(now)
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("program", "enrollment")
        .get(pk=invitation.pk)
    )
    if invitation.answered_at is not None:
        raise AlreadyAnswered
    if invitation.sent_at is None:
        raise ValidationError(_("This survey has not been sent yet."), code="not_sent")
    if invitation.is_expired(now):
        raise ValidationError(_("This survey closed before your answers arrived."), code="expired")
    questions = selectors.questions_for(invitation)
    answer_rows = _answer_rows(questions, answers)
    ratings = _skill_rows(invitation, questions, skills or {})
    response = SurveyResponse(
        invitation=invitation, program=invitation.program, kind=invitation.kind, submitted_at=now
    )
    response.full_clean(exclude=["invitation"])
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise AlreadyAnswered from None
    for row in answer_rows:
        row.response = response
    SurveyAnswer.objects.bulk_create(answer_rows)
    if ratings:
        SkillRating.objects.filter(
            enrollment_id=invitation.enrollment_id, phase=SkillRating.Phase.END
        ).delete()
        SkillRating.objects.bulk_create(ratings)
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    log.info("survey invitation %s answered", invitation.pk)
    return response


# --- nudge preference ----------------------------------------------------------------------


@transaction.atomic
def nudges_unsubscribe(*, user_id: int) -> User | None:
    """Stop nudge e-mails for this person (escalations to leads are not theirs to stop)."""
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    if not user.nudges_opt_out:
        user.nudges_opt_out = True
        user.save(update_fields=["nudges_opt_out"])
        log.info("user %s unsubscribed from nudges", user.pk)
    return user
