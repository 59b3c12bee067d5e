"""Survey invitations and their reminders: planned here, delivered through the outbox.

A tick (1) inserts the invitations that are due (unique per person and session or program, so a
second tick inserts nothing), (2) hands each new one to the outbox — stamping ``sent_at``, its
closing date and its token hash, and queueing a message keyed by the invitation — and (3) delivers
the pending messages. The link's token is derived from the invitation and SECRET_KEY, so a retried
delivery, or the same message by chat, carries the same link; only its hash is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from meetings.models import Meeting
from meetings.selectors import CLOSED_ENROLMENT
from notifications import kinds, outbox, render
from notifications.models import Message
from pairing.models import Enrollment, Pair
from programs.models import Program
from surveys import selectors
from surveys.models import PENDING, SurveyInvitation

INVITATION, REMINDER = "survey-invitation", "survey-reminder"
# Held sessions older than this get no survey any more (bounds the search; surveys expire anyway).
SESSION_SURVEY_LOOKBACK = timedelta(days=30)
RELATED = ("recipient", "program", "enrollment", "meeting__pair__mentor__user", "meeting__pair__mentee__user")


def link_token(invitation_id: int, which: str) -> str:
    """The secret in a survey link: the same for every delivery of one message, unguessable."""
    return salted_hmac(f"surveys.{which}", str(invitation_id)).hexdigest()


# --- planning ------------------------------------------------------------------------------


def session_surveys_plan(*, now: datetime | None = None) -> int:
    """Invite both people to a survey once a held session ended the program's delay ago."""
    now = now or timezone.now()
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
            if status in CLOSED_ENROLMENT:
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
    now = now or timezone.now()
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


def _invalid(row: SurveyInvitation) -> str | None:
    """Why this invitation must not go out (now), or None."""
    if row.program.status != Program.Status.RUNNING:
        return "program_not_running"
    if row.enrollment.status in CLOSED_ENROLMENT:
        return "withdrawn"
    if row.answered_at is not None:
        return "answered"
    if not row.recipient.is_active:
        return "inactive"
    if row.kind == SurveyInvitation.Kind.AFTER_SESSION and row.meeting.status != Meeting.Status.HELD:
        return "not_held"
    return None


def survey_deadline(*, sent_at: datetime, days: int, zone: tzinfo) -> datetime:
    """When a survey sent at ``sent_at`` closes: the end of the ``days``-th day after, in the reader's zone.

    "14 days after sending" closed a survey at whatever minute the tick ran (02:01), which nobody
    can remember; the end of a day people can name is a deadline they can keep.
    """
    last_day = (sent_at + timedelta(days=days)).astimezone(zone).date()
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)


# --- handing over to the outbox --------------------------------------------------------------


@transaction.atomic
def survey_invitations_queue(*, now: datetime | None = None) -> int:
    """Hand every pending invitation to the outbox: it opens now and closes after the program's
    expiry days (its reminder half-way); one that is no longer valid is skipped with the reason."""
    now = now or timezone.now()
    rows = list(
        SurveyInvitation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(PENDING)
        .select_related(*RELATED)
        .order_by("id")
    )
    skipped: dict[str, list[int]] = {}
    ready = []
    for row in rows:
        reason = _invalid(row)
        if reason:
            skipped.setdefault(reason, []).append(row.pk)
            continue
        days = row.program.survey_expiry_days
        # The message promises this closing moment (the end of a day the reader can name).
        row.sent_at, row.remind_at = now, now + timedelta(days=days) / 2
        row.expires_at = survey_deadline(sent_at=now, days=days, zone=row.recipient.zone)
        row.token_hash = selectors.token_hash(link_token(row.pk, "invitation"))
        ready.append(row)
    for reason, ids in skipped.items():
        SurveyInvitation.objects.filter(pk__in=ids).update(skipped_at=now, skipped_reason=reason[:40])
    SurveyInvitation.objects.bulk_update(
        ready, ["sent_at", "expires_at", "remind_at", "token_hash"], batch_size=outbox.INSERT_BATCH
    )
    outbox.messages_queue(
        [
            outbox.Draft(
                kind=INVITATION, key=f"{INVITATION}:{r.pk}", recipient_id=r.recipient_id, ref_id=r.pk
            )
            for r in ready
        ],
        now=now,
    )
    return len(ready)


@transaction.atomic
def survey_reminders_queue(*, now: datetime | None = None) -> int:
    """One reminder per unanswered invitation, half-way to its closing date; none after it closed.
    A reminder that is no longer wanted (withdrawn, closed program) is dropped by clearing
    ``remind_at``; expiry needs no job (an invitation is expired once ``expires_at`` has passed)."""
    now = now or timezone.now()
    rows = list(
        SurveyInvitation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            sent_at__isnull=False,
            answered_at__isnull=True,
            reminder_sent_at__isnull=True,
            remind_at__lte=now,
            expires_at__gt=now,
        )
        .select_related(*RELATED)
        .order_by("id")
    )
    dropped, ready = [], []
    for row in rows:
        if _invalid(row):
            dropped.append(row.pk)
            continue
        row.reminder_sent_at = now
        row.reminder_token_hash = selectors.token_hash(link_token(row.pk, "reminder"))
        ready.append(row)
    SurveyInvitation.objects.filter(pk__in=dropped).update(remind_at=None)
    SurveyInvitation.objects.bulk_update(
        ready, ["reminder_sent_at", "reminder_token_hash"], batch_size=outbox.INSERT_BATCH
    )
    outbox.messages_queue(
        [
            outbox.Draft(kind=REMINDER, key=f"{REMINDER}:{r.pk}", recipient_id=r.recipient_id, ref_id=r.pk)
            for r in ready
        ],
        now=now,
    )
    return len(ready)


# --- building the messages -------------------------------------------------------------------


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(SurveyInvitation, messages, *RELATED)


def _context(row: SurveyInvitation, which: str) -> dict:
    url = render.site_url(reverse("surveys:answer_token", args=[link_token(row.pk, which)]))
    context = {
        "invitation": row,
        "program": row.program,
        "expires_at": row.expires_at,
        "closes_at": row.expires_at,
        "url": url,
        "mine_url": render.site_url(reverse("surveys:mine")),
    }
    if row.meeting_id:
        context["partner"] = row.meeting.pair.partner_of(row.recipient_id)
        context["meeting"] = row.meeting
    return context


def _build_invitation(message: Message):
    row: SurveyInvitation | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    reason = _invalid(row)
    if reason:
        return kinds.Skip(reason)
    context = _context(row, "invitation")
    return render.render(
        template=f"surveys/emails/invitation_{row.kind}",
        recipient=row.recipient,
        brand=row.program.name,
        context=context,
        links=[(_("Answer the survey"), context["url"])],
    )


def _build_reminder(message: Message):
    row: SurveyInvitation | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    reason = _invalid(row) or ("expired" if row.is_expired(timezone.now()) else None)
    if reason:
        return kinds.Skip(reason)
    context = _context(row, "reminder")
    return render.render(
        template="surveys/emails/survey_reminder",
        recipient=row.recipient,
        brand=row.program.name,
        context=context,
        links=[(_("Answer the survey"), context["url"])],
    )


# --- the ticks -------------------------------------------------------------------------------


def survey_invitations_send() -> outbox.Outcome:
    """Hand over and deliver every pending survey invitation (all kinds)."""
    survey_invitations_queue()
    return outbox.deliver_due(only_kinds=[INVITATION])


def session_surveys_tick(*, now: datetime | None = None) -> outbox.Outcome:
    created = session_surveys_plan(now=now)
    outcome = survey_invitations_send()
    outcome.created = created
    return outcome


def program_surveys_tick(*, now: datetime | None = None) -> outbox.Outcome:
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


def survey_reminders_tick(*, now: datetime | None = None) -> outbox.Outcome:
    created = survey_reminders_queue(now=now)
    outcome = outbox.deliver_due(only_kinds=[REMINDER])
    outcome.created = created
    return outcome


def register() -> None:
    kinds.register(INVITATION, build=_build_invitation, load=_load, group="surveys")
    kinds.register(REMINDER, build=_build_reminder, load=_load, group="surveys")
