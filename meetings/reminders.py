"""Meeting reminders: the job that reminds both people of a confirmed session, through the outbox.

A tick (1) inserts the due :class:`~meetings.models.MeetingReminder` rows (their unique key makes a
second tick insert nothing), (2) queues one outbox message per new row (kind "meeting-reminder",
idempotent on its key) and (3) delivers the pending reminder messages (claimed with a lease; see
:mod:`notifications.outbox`). Whether a reminder is still wanted is decided when it is built, so a
session cancelled or moved meanwhile is skipped, never sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from meetings import ics
from meetings.formatting import both_zones, zone_label
from meetings.models import Meeting, MeetingEvent, MeetingReminder
from meetings.selectors import CLOSED_ENROLMENT
from notifications import kinds, outbox, render
from notifications.models import Message
from pairing.models import Pair
from programs.models import Program

KIND = "meeting-reminder"
TIME_SET = (MeetingEvent.Kind.BOOKED, MeetingEvent.Kind.CONFIRMED, MeetingEvent.Kind.RESCHEDULED)


def meeting_reminders_plan(*, now: datetime | None = None) -> int:
    """Insert the reminder rows that are due: one per person and lead time, for the current start.

    A reminder is due from exactly ``lead_hours`` before the start until the start. When several
    lead times are due at once only the latest one is sent (the others are recorded as
    superseded), and a lead time is skipped when the session was booked or moved inside it (the
    person was just told). Three queries plus the insert, however many sessions there are.
    """
    now = now or timezone.now()
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
        mentor_s,
        mentee_id,
        mentee_s,
    ) in candidates:
        due = sorted(h for h in {first, second} if h and starts_at - timedelta(hours=h) <= now)
        for hours in due:
            reason = "" if hours == due[0] else "superseded"
            if time_set_at and time_set_at > starts_at - timedelta(hours=hours):
                reason = "booked_late"
            for user_id, status in ((mentor_id, mentor_s), (mentee_id, mentee_s)):
                if status in CLOSED_ENROLMENT or (meeting_id, user_id, hours, starts_at) in existing:
                    continue
                rows.append(
                    MeetingReminder(
                        meeting_id=meeting_id,
                        recipient_id=user_id,
                        lead_hours=hours,
                        starts_at=starts_at,
                        created_at=now,
                        skipped_at=now if reason else None,
                        skipped_reason=reason,
                    )
                )
    with transaction.atomic():
        MeetingReminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
        _queue(now)
    return len(rows)


def _queue(now: datetime) -> None:
    """Hand every planned reminder to the outbox, once (the row's id is in the message's key)."""
    todo = list(
        MeetingReminder.objects.select_for_update(skip_locked=True)
        .filter(sent_at__isnull=True, skipped_at__isnull=True)
        .values_list("pk", "recipient_id")
    )
    MeetingReminder.objects.filter(pk__in=[pk for pk, _user in todo]).update(sent_at=now)
    outbox.messages_queue(
        [
            outbox.Draft(kind=KIND, key=f"{KIND}:{pk}", recipient_id=user_id, ref_id=pk)
            for pk, user_id in todo
        ],
        now=now,
    )


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(
        MeetingReminder,
        messages,
        "recipient",
        "meeting__pair__program",
        "meeting__pair__mentor__user",
        "meeting__pair__mentee__user",
        "meeting__topic__topic",
    )


# Both people get the same calendar document: built once per session (and language) per batch.
_calendars: dict[tuple[int, int, str], bytes] = {}


def _build(message: Message):
    row: MeetingReminder | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    meeting, now = row.meeting, timezone.now()
    pair = meeting.pair
    if meeting.status != Meeting.Status.CONFIRMED:
        return kinds.Skip(meeting.status)
    if meeting.starts_at != row.starts_at:
        return kinds.Skip("moved")
    if meeting.starts_at <= now:
        return kinds.Skip("started")
    if pair.status != Pair.Status.ACTIVE:
        return kinds.Skip("pair_ended")
    enrollment = pair.enrollment_of(row.recipient_id)
    if enrollment is None or enrollment.status in CLOSED_ENROLMENT:
        return kinds.Skip("withdrawn")
    recipient, partner = row.recipient, pair.partner_of(row.recipient)
    if not recipient.is_active:
        return kinds.Skip("inactive")
    # The calendar text is in the recipient's language (the outbox builds inside it): one per language.
    key = (meeting.pk, meeting.ics_sequence, get_language())
    if key not in _calendars:
        if not any(cached[:2] == key[:2] for cached in _calendars):
            _calendars.clear()  # only the current batch's sessions are worth keeping
        _calendars[key] = ics.meeting_ics(meeting, method="REQUEST")
    url = ics.meeting_url(meeting)
    return render.render(
        template="meetings/emails/reminder",
        recipient=recipient,
        brand=pair.program.name,
        context={
            "program": pair.program,
            "meeting": meeting,
            "partner": partner,
            "lead_hours": row.lead_hours,
            "lead_days": row.lead_hours // 24,
            "when": both_zones(meeting.starts_at, meeting.ends_at, recipient, partner),
            "zone": zone_label(recipient.zone),
            "url": url,
        },
        attachments=[("invite.ics", _calendars[key], "text/calendar; method=REQUEST; charset=utf-8")],
        links=[(str(_("Open the session")), url)],
    )


def meeting_reminders_send() -> outbox.Outcome:
    return outbox.deliver_due(only_kinds=[KIND])


def meeting_reminders_tick(*, now: datetime | None = None) -> outbox.Outcome:
    """Insert and queue the due reminders, then deliver every pending one."""
    created = meeting_reminders_plan(now=now)
    outcome = meeting_reminders_send()
    outcome.created = created
    return outcome


def register() -> None:
    kinds.register(KIND, build=_build, load=_load, group="reminders")
