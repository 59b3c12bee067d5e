"""Every e-mail the circles app sends, through the notifications outbox.

Three kinds, each keyed by a :class:`~circles.models.CircleMessage` row (unique per session,
person, kind, sequence and start) whose id is in the outbox message's key, so a change, a second
tick, a redelivered task or a double click never sends anything twice:

* ``circle-notice``: the calendar invitation, update (METHOD REQUEST) or cancellation (CANCEL) a
  change sends to every host and member, queued in the change's own transaction. A notice
  superseded by a newer one to the same person about the same session is skipped.
* ``circle-reminder``: one reminder ``reminder_first_hours`` (the program's) before the start, to
  the hosts and the members going; skipped when the session was moved, cancelled or has started.
* ``circle-survey``: after a held session, one short question ("how useful was it?") to each
  member who was going; skipped once they answered.

Whether a message is still wanted is decided when it is built, so the checks are current.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from circles import ics
from circles.models import CircleFeedback, CircleMember, CircleMessage, CircleRsvp, CircleSession
from meetings.formatting import span, zone_label
from notifications import kinds, outbox, render
from notifications.models import Message
from pairing.models import Enrollment
from programs.models import Program

NOTICE, REMINDER, SURVEY = "circle-notice", "circle-reminder", "circle-survey"
# How long after a session its survey is still worth sending.
SURVEY_WINDOW = timedelta(days=3)
CLOSED = (Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED)


def _queue(rows: list[CircleMessage], kind: str, *, now: datetime | None = None, soon: bool = False) -> None:
    outbox.rows_queue(kind, rows, soon=soon, now=now)


# Off inside notices_not_queued(): the rows are still written, nothing is sent for them.
_queue_notices: ContextVar[bool] = ContextVar("queue_circle_notices", default=True)


@contextmanager
def notices_not_queued() -> Iterator[None]:
    """Write notices without queueing their messages: the demo's history is not news."""
    token = _queue_notices.set(False)
    try:
        yield
    finally:
        _queue_notices.reset(token)


def notices_queue(session: CircleSession, *, kind: str, recipients) -> list[int]:
    """Write one notice per person for the session's current sequence and queue its message
    (call inside the change's transaction)."""
    rows = [CircleMessage.objects.create(session=session, recipient=user, kind=kind,
                                         sequence=session.ics_sequence, starts_at=session.starts_at)
            for user in recipients]
    if _queue_notices.get():
        _queue(rows, NOTICE, soon=True)
    return [row.pk for row in rows]


# --- the jobs -------------------------------------------------------------------------------------


def reminders_plan(*, now: datetime | None = None) -> int:
    """Insert the reminders due now (one per person and start) and queue them. A fixed number of
    queries however many sessions are due."""
    now = now or timezone.now()
    horizon = Program.objects.filter(status=Program.Status.RUNNING).order_by(
        "-reminder_first_hours").values_list("reminder_first_hours", flat=True).first() or 0
    if not horizon:
        return 0
    sessions = list(CircleSession.objects.filter(
        status=CircleSession.Status.CONFIRMED, circle__status="active",
        circle__program__status=Program.Status.RUNNING,
        starts_at__gt=now, starts_at__lte=now + timedelta(hours=horizon),
    ).select_related("circle__program"))
    due = [s for s in sessions if s.circle.program.reminder_first_hours
           and s.starts_at - timedelta(hours=s.circle.program.reminder_first_hours) <= now]
    circle_ids = {s.circle_id for s in due}
    hosts: dict[int, list[int]] = {}
    for circle_id, user_id in CircleMember.objects.filter(
            circle_id__in=circle_ids, role=CircleMember.Role.HOST).exclude(
            enrollment__status__in=CLOSED).values_list("circle_id", "enrollment__user_id"):
        hosts.setdefault(circle_id, []).append(user_id)
    going: dict[int, list[int]] = {}
    for session_id, user_id in CircleRsvp.objects.filter(
            session__in=due, answer=CircleRsvp.Answer.YES).values_list("session_id", "user_id"):
        going.setdefault(session_id, []).append(user_id)
    rows = [CircleMessage(session=s, recipient_id=user_id, kind=CircleMessage.Kind.REMINDER,
                          sequence=s.circle.program.reminder_first_hours, starts_at=s.starts_at,
                          created_at=now)
            for s in due for user_id in sorted({*hosts.get(s.circle_id, []), *going.get(s.pk, [])})]
    with transaction.atomic():
        CircleMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
        # Queue every reminder row for a start still ahead: keys already queued add nothing.
        _queue(list(CircleMessage.objects.filter(kind=CircleMessage.Kind.REMINDER, starts_at__gt=now)),
               REMINDER, now=now)
    return len(rows)


def surveys_plan(*, now: datetime | None = None) -> int:
    """Insert one survey per member who was going to a session that ended in the last few days."""
    now = now or timezone.now()
    recent = {"session__ends_at__lte": now, "session__ends_at__gt": now - SURVEY_WINDOW}
    pairs = list(CircleRsvp.objects.filter(
        answer=CircleRsvp.Answer.YES, session__status__in=[CircleSession.Status.HELD,
                                                           CircleSession.Status.CONFIRMED],
        session__circle__program__survey_after_session=True, **recent,
    ).exclude(attended=False).values_list("session_id", "user_id", "session__starts_at"))
    rows = [CircleMessage(session_id=session_id, recipient_id=user_id, kind=CircleMessage.Kind.SURVEY,
                          sequence=0, starts_at=starts_at, created_at=now)
            for session_id, user_id, starts_at in pairs]
    with transaction.atomic():
        CircleMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
        _queue(list(CircleMessage.objects.filter(kind=CircleMessage.Kind.SURVEY, **recent)), SURVEY, now=now)
    return len(rows)


def circles_tick(*, now: datetime | None = None) -> outbox.Outcome:
    """Plan reminders and surveys, then deliver every pending circle message."""
    created = reminders_plan(now=now) + surveys_plan(now=now)
    outcome = outbox.deliver_due(only_kinds=[NOTICE, REMINDER, SURVEY])
    outcome.created = created
    return outcome


# --- building the messages -------------------------------------------------------------------------


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(CircleMessage, messages, "recipient", "session__circle__program")
    sessions = {m.ref.session_id for m in messages if m.ref}
    newest = kinds.newest_per_recipient(CircleMessage.objects.filter(
        session__in=sessions, kind__in=[CircleMessage.Kind.REQUEST, CircleMessage.Kind.CANCEL]), "session")
    answered = set(CircleFeedback.objects.filter(session__in=sessions).values_list("session_id", "user_id"))
    for message in messages:
        message.newest, message.answered = newest, answered


def _context(row: CircleMessage) -> dict[str, object]:
    session, recipient = row.session, row.recipient
    return {"session": session, "circle": session.circle, "program": session.circle.program,
            "when": span(session.starts_at, session.ends_at, recipient.zone),
            "zone": zone_label(recipient.zone), "url": ics.session_url(session)}


def _build_notice(message: Message):
    row: CircleMessage | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    if message.newest.get((row.session_id, row.recipient_id)) != row.pk:
        return kinds.Skip("superseded")
    session = row.session
    from circles.services import people_of  # services queue notices: import at call time

    method = "CANCEL" if row.kind == CircleMessage.Kind.CANCEL else "REQUEST"
    document = ics.session_ics(session, people=people_of(session.circle), method=method,
                               sequence=row.sequence)
    context = _context(row)
    context.update({"cancelled": method == "CANCEL", "update": row.sequence > 0,
                    "tentative": session.status == CircleSession.Status.PROPOSED})
    return render.render(
        template="circles/emails/notice", recipient=row.recipient, brand=session.circle.program.name,
        context=context,
        attachments=[("invite.ics", document, f"text/calendar; method={method}; charset=utf-8")],
        links=[(str(_("Open the session")), context["url"])])


def _build_reminder(message: Message):
    row: CircleMessage | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    session = row.session
    if session.status != CircleSession.Status.CONFIRMED:
        return kinds.Skip(session.status)
    if session.starts_at != row.starts_at:
        return kinds.Skip("moved")
    if session.starts_at <= timezone.now():
        return kinds.Skip("started")
    if not row.recipient.is_active:
        return kinds.Skip("inactive")
    context = _context(row)
    return render.render(template="circles/emails/reminder", recipient=row.recipient,
                         brand=session.circle.program.name, context=context,
                         links=[(str(_("Open the session")), context["url"])])


def _build_survey(message: Message):
    row: CircleMessage | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    if (row.session_id, row.recipient_id) in message.answered:
        return kinds.Skip("answered")
    if row.session.status == CircleSession.Status.CANCELLED:
        return kinds.Skip("cancelled")
    context = _context(row)
    context["url"] = render.site_url(reverse("circles:feedback", args=[row.session_id]))
    return render.render(template="circles/emails/survey", recipient=row.recipient,
                         brand=row.session.circle.program.name, context=context,
                         links=[(str(_("Answer one question")), context["url"])])


def register() -> None:
    kinds.register(NOTICE, build=_build_notice, load=_load, group="reminders")
    kinds.register(REMINDER, build=_build_reminder, load=_load, group="reminders")
    kinds.register(SURVEY, build=_build_survey, load=_load, group="surveys")
