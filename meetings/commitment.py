"""The senior's commitment guard: a few cancelled sessions kill a reverse-mentoring pair.

Flipside already records who cancelled and who moved each session, with their role
(:class:`~meetings.models.MeetingEvent`); this module reads that history:

* When the mentee (the senior) cancels, they are asked for a new time within the program's
  ``commitment_rebook_days`` (N). Halfway through, if no new time has been agreed, they get a friendly
  reminder; after N days the executive sponsor (or, without one, the program leads) is told.
* When one side has cancelled ``commitment_max_cancellations`` (M) sessions of the pair, the sponsor or
  the leads are told too.

Those notes come from Flipside's own tracking ("Flipside noticed …"): they never speak for the junior
mentor, never quote a cancellation reason and never carry anyone's notes. A new time counts as agreed
when any session of the pair is confirmed, booked or scheduled by a recurring slot after the cancellation.

Every message is a :class:`~meetings.models.CommitmentAlert` row (unique per pair, kind, trigger and
address), inserted before its outbox message is queued, so ticks running twice send nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from meetings.models import CommitmentAlert, MeetingEvent, Role
from notifications import kinds, outbox, render
from notifications.models import Message
from pairing.models import Pair
from programs.models import Program

NUDGE_KIND = "commitment-nudge"
ALERT_KIND = "commitment-alert"
# Events after which the pair has a time again.
AGREED = (MeetingEvent.Kind.CONFIRMED, MeetingEvent.Kind.BOOKED, MeetingEvent.Kind.SCHEDULED)
# A cancellation older than N days plus this is history, not news (e.g. when the guard is switched on).
LATE_DAYS = 7
MAX_REBOOK_DAYS = 60


# --- reading the record ----------------------------------------------------------------------


def side_counts(pair_ids) -> dict[int, dict[str, dict[str, int]]]:
    """{pair id: {"mentor"/"mentee": {"cancelled": n, "rescheduled": n}}} in one query."""
    counts: dict[int, dict[str, dict[str, int]]] = {}
    rows = (
        MeetingEvent.objects.filter(
            meeting__pair_id__in=list(pair_ids),
            kind__in=[MeetingEvent.Kind.CANCELLED, MeetingEvent.Kind.RESCHEDULED],
        )
        .values_list("meeting__pair_id", "actor_role", "kind")
        .annotate(n=Count("id"))
    )
    for pair_id, role, kind, n in rows:
        sides = counts.setdefault(pair_id, {r: {"cancelled": 0, "rescheduled": 0} for r in Role.values})
        sides[role][kind] = n
    return counts


def pair_counts(pair: Pair) -> dict[str, dict[str, int]]:
    return side_counts([pair.pk]).get(pair.pk, {r: {"cancelled": 0, "rescheduled": 0} for r in Role.values})


def _agreed_since() -> Exists:
    """Whether the pair agreed a time after this event (annotates MeetingEvent rows)."""
    return Exists(
        MeetingEvent.objects.filter(meeting__pair_id=OuterRef("meeting__pair_id"), kind__in=AGREED).filter(
            # Later, or in the same instant but recorded after it (the id breaks the tie).
            Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))
        )
    )


@dataclass(frozen=True)
class Rebook:
    """A mentee's cancellation still waiting for a new time."""

    event_id: int
    cancelled_at: datetime
    due: datetime
    overdue: bool


def rebook_due(pair: Pair, *, now: datetime | None = None) -> Rebook | None:
    """The mentee's latest cancellation that has no new time yet (None when there is nothing to agree)."""
    now = now or timezone.now()
    days = pair.program.commitment_rebook_days
    event = (
        MeetingEvent.objects.filter(
            meeting__pair=pair,
            kind=MeetingEvent.Kind.CANCELLED,
            actor_role=Role.MENTEE,
            at__gte=now - timedelta(days=days + LATE_DAYS),
        )
        .annotate(agreed=_agreed_since())
        .order_by("-at", "-id")
        .first()
    )
    if event is None or event.agreed or pair.status != Pair.Status.ACTIVE:
        return None
    due = event.at + timedelta(days=days)
    return Rebook(event_id=event.pk, cancelled_at=event.at, due=due, overdue=now >= due)


def nudge_after(days: int) -> timedelta:
    """The mentee's reminder comes halfway through the N days (at least one day after cancelling)."""
    return timedelta(days=max(1, days // 2))


# --- who is told -----------------------------------------------------------------------------


def _watchers(programs: list[Program]) -> dict[int, list[tuple[int | None, str]]]:
    """{program id: [(user id or None, e-mail)]}: the named sponsor, or else the program leads."""
    by_email = {}
    sponsors = {p.commitment_sponsor_email.lower() for p in programs if p.commitment_sponsor_email}
    if sponsors:
        for pk, email in User.objects.filter(email__in=[*sponsors]).values_list("pk", "email"):
            by_email[email.lower()] = pk
    leads: dict[int, list[tuple[int | None, str]]] = {}
    for program_id, user_id, email in Program.leads.through.objects.filter(
        program_id__in=[p.pk for p in programs if not p.commitment_sponsor_email]
    ).values_list("program_id", "user_id", "user__email"):
        leads.setdefault(program_id, []).append((user_id, email.lower()))
    out = {}
    for program in programs:
        if program.commitment_sponsor_email:
            email = program.commitment_sponsor_email.lower()
            out[program.pk] = [(by_email.get(email), email)]
        else:
            out[program.pk] = leads.get(program.pk, [])
    return out


# --- the tick --------------------------------------------------------------------------------


def _running() -> Q:
    return Q(meeting__pair__status=Pair.Status.ACTIVE, meeting__pair__program__status=Program.Status.RUNNING)


def commitment_plan(*, now: datetime | None = None) -> int:
    """Insert the alerts now due (a fixed number of queries); returns how many were planned."""
    now = now or timezone.now()
    rows: list[CommitmentAlert] = []
    waiting = list(
        MeetingEvent.objects.filter(
            _running(),
            kind=MeetingEvent.Kind.CANCELLED,
            actor_role=Role.MENTEE,
            at__gte=now - timedelta(days=MAX_REBOOK_DAYS + LATE_DAYS),
        )
        .annotate(agreed=_agreed_since())
        .filter(agreed=False)
        .order_by("meeting__pair_id", "-at", "-id")
        .values_list(
            "pk",
            "at",
            "meeting__pair_id",
            "meeting__pair__program_id",
            "meeting__pair__mentee__user_id",
            "meeting__pair__mentee__user__email",
        )
    )
    repeated = list(
        MeetingEvent.objects.filter(_running(), kind=MeetingEvent.Kind.CANCELLED)
        .values_list("meeting__pair_id", "meeting__pair__program_id", "actor_role")
        .annotate(n=Count("id"))
    )
    programs = {
        p.pk: p for p in Program.objects.filter(pk__in={w[3] for w in waiting} | {r[1] for r in repeated})
    }
    watchers = _watchers(list(programs.values()))
    latest: set[int] = set()
    for event_id, at, pair_id, program_id, mentee_id, mentee_email in waiting:
        if pair_id in latest:
            continue  # only the latest cancellation of a pair is waiting for its new time
        latest.add(pair_id)
        days = programs[program_id].commitment_rebook_days
        age, trigger = now - at, f"cancel:{event_id}"
        if age > timedelta(days=days + LATE_DAYS):
            continue
        if age >= nudge_after(days):
            rows.append(
                CommitmentAlert(
                    pair_id=pair_id,
                    kind=CommitmentAlert.Kind.REBOOK_NUDGE,
                    trigger=trigger,
                    recipient_id=mentee_id,
                    email=mentee_email.lower(),
                    created_at=now,
                )
            )
        if age >= timedelta(days=days):
            rows += [
                CommitmentAlert(
                    pair_id=pair_id,
                    kind=CommitmentAlert.Kind.REBOOK_OVERDUE,
                    trigger=trigger,
                    recipient_id=user_id,
                    email=email,
                    created_at=now,
                )
                for user_id, email in watchers.get(program_id, [])
            ]
    for pair_id, program_id, role, n in repeated:
        limit = programs[program_id].commitment_max_cancellations
        if n >= limit:
            rows += [
                CommitmentAlert(
                    pair_id=pair_id,
                    kind=CommitmentAlert.Kind.CANCELLATIONS,
                    trigger=f"{role}:{limit}",
                    recipient_id=user_id,
                    email=email,
                    created_at=now,
                )
                for user_id, email in watchers.get(program_id, [])
            ]
    with transaction.atomic():
        CommitmentAlert.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
        _queue(now)
    return len(rows)


def _queue(now: datetime) -> None:
    """Hand every planned alert to the outbox once (the row's id is in the message's key)."""
    rows = list(
        CommitmentAlert.objects.select_for_update(skip_locked=True)
        .filter(sent_at__isnull=True)
        .values_list("pk", "kind", "recipient_id")
    )
    CommitmentAlert.objects.filter(pk__in=[pk for pk, _k, _r in rows]).update(sent_at=now)
    outbox.messages_queue(
        [
            outbox.Draft(
                kind=NUDGE_KIND if kind == CommitmentAlert.Kind.REBOOK_NUDGE else ALERT_KIND,
                key=f"commitment:{pk}",
                recipient_id=user_id,
                ref_id=pk,
            )
            for pk, kind, user_id in rows
        ],
        now=now,
    )


def commitment_tick(*, now: datetime | None = None) -> outbox.Outcome:
    created = commitment_plan(now=now)
    outcome = outbox.deliver_due(only_kinds=[NUDGE_KIND, ALERT_KIND])
    outcome.created = created
    return outcome


# --- building the messages -------------------------------------------------------------------


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(
        CommitmentAlert, messages, "recipient", "pair__program", "pair__mentor__user", "pair__mentee__user"
    )
    rows = [m.ref for m in messages if m.ref]
    counts = side_counts({r.pair_id for r in rows})
    events = {
        e.pk: e
        for e in MeetingEvent.objects.filter(
            pk__in=[_event_id(r.trigger) for r in rows if r.trigger.startswith("cancel:")]
        ).annotate(agreed=_agreed_since())
    }
    for message in messages:
        message.counts, message.events = counts, events


def _event_id(trigger: str) -> int:
    return int(trigger.split(":", 1)[1])


def _still_due(message: Message):
    row: CommitmentAlert | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    pair = row.pair
    if pair.status != Pair.Status.ACTIVE or pair.program.status != Program.Status.RUNNING:
        return kinds.Skip("pair_ended")
    event = message.events.get(_event_id(row.trigger)) if row.trigger.startswith("cancel:") else None
    if row.trigger.startswith("cancel:") and (event is None or event.agreed):
        return kinds.Skip("new_time_agreed")
    return row, event


def _day(moment: datetime, user) -> date:
    return moment.astimezone(user.zone).date() if user is not None else moment.date()


def _build_nudge(message: Message):
    due = _still_due(message)
    if isinstance(due, kinds.Skip):
        return due
    row, event = due
    pair, mentee = row.pair, row.recipient
    if mentee is None or mentee.pk != pair.mentee.user_id:
        return kinds.Skip("not_mentee")
    if mentee.nudges_opt_out:
        return kinds.Skip("opted_out")
    url = render.site_url(reverse("meetings:propose", args=[pair.pk]))
    return render.render(
        template="meetings/emails/commitment_nudge",
        recipient=mentee,
        brand=pair.program.name,
        context={
            "program": pair.program,
            "pair": pair,
            "partner": pair.mentor.user,
            "cancelled_on": _day(event.at, mentee),
            "due_on": _day(event.at + timedelta(days=pair.program.commitment_rebook_days), mentee),
            "url": url,
        },
        links=[(_("Offer new times"), url)],
    )


def _build_alert(message: Message):
    due = _still_due(message)
    if isinstance(due, kinds.Skip):
        return due
    row, event = due
    pair, program = row.pair, row.pair.program
    watchers = _watchers([program])[program.pk]
    if row.email not in {email for _pk, email in watchers}:
        return kinds.Skip("no_longer_watching")
    recipient = row.recipient or SimpleNamespace(
        first_name=program.commitment_sponsor_name or _("there"), email=row.email, language="", zone=None
    )
    counts = message.counts.get(pair.pk, {r: {"cancelled": 0, "rescheduled": 0} for r in Role.values})
    side = row.trigger.split(":", 1)[0] if row.kind == CommitmentAlert.Kind.CANCELLATIONS else Role.MENTEE
    person = pair.mentee.user if side == Role.MENTEE else pair.mentor.user
    # Names and counts from Flipside's own record only: no reasons, no notes, nobody's complaint.
    return render.render(
        template=f"meetings/emails/commitment_{row.kind}",
        recipient=recipient,
        to=row.email,
        brand=program.name,
        context={
            "program": program,
            "pair": pair,
            "mentor": pair.mentor.user,
            "mentee": pair.mentee.user,
            "person": person,
            "side": side,
            "counts": counts,
            "days": program.commitment_rebook_days,
            "cancelled_on": _day(event.at, row.recipient) if event else None,
            "is_sponsor": bool(program.commitment_sponsor_email),
        },
    )


def register() -> None:
    kinds.register(NUDGE_KIND, build=_build_nudge, load=_load, group="nudges")
    kinds.register(ALERT_KIND, build=_build_alert, load=_load, group="nudges")
