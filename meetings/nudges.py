"""Nudges for quiet pairs and escalations to the program lead, delivered through the outbox.

A pair that has gone its cadence plus a grace period without a session (and has none booked) gets a
friendly nudge to both people; after twice that, the program's leads hear about it. One row per
silence (unique per pair, person, kind and the day the silence began), handed to the outbox at once
(kinds "nudge" and "escalation"); whether it is still wanted is decided when it is built.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import selectors
from meetings.models import Nudge
from notifications import kinds, outbox, render
from notifications.models import Message
from pairing.models import Pair
from programs.models import Program

PENDING = Q(sent_at__isnull=True, skipped_at__isnull=True)
UNSUBSCRIBE_SALT = "surveys.nudges-unsubscribe"  # unchanged: links already sent keep working


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_id(token: str) -> int | None:
    """The user id in a nudge unsubscribe token, or None for a forged or mangled one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe_url(user) -> str:
    # The one-click page lives with the survey pages (its address is in every nudge sent so far).
    return render.site_url(reverse("surveys:unsubscribe", args=[unsubscribe_token(user)]))


def nudges_plan(*, now: datetime | None = None) -> int:
    """Nudge both people of an active pair that has gone its cadence plus a grace period without a
    session (and has none booked); after twice that, tell the program's leads. One row per silence
    (``period`` = the day it began). Two queries plus the insert.
    """
    now = now or timezone.now()
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
    with transaction.atomic():
        Nudge.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
        _queue(now)
    return len(rows)


def _queue(now: datetime) -> None:
    """Hand every planned nudge to the outbox (the row's id is in the message's key)."""
    rows = list(
        Nudge.objects.select_for_update(skip_locked=True)
        .filter(PENDING)
        .values_list("pk", "kind", "recipient_id")
    )
    Nudge.objects.filter(pk__in=[pk for pk, _k, _r in rows]).update(sent_at=now)
    outbox.messages_queue(
        [
            outbox.Draft(kind=kind, key=f"{kind}:{pk}", recipient_id=user_id, ref_id=pk)
            for pk, kind, user_id in rows
        ],
        now=now,
    )


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(
        Nudge, messages, "recipient", "pair__program", "pair__mentor__user", "pair__mentee__user"
    )
    rows = [m.ref for m in messages if m.ref]
    counts = selectors.session_counts({r.pair_id for r in rows})
    leads = set(
        Program.leads.through.objects.filter(program_id__in={r.pair.program_id for r in rows}).values_list(
            "program_id", "user_id"
        )
    )
    for message in messages:
        message.counts, message.leads = counts, leads


def _still_due(message: Message):
    """(row, weeks of silence, session counts), or a Skip."""
    row: Nudge | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    pair = row.pair
    counts = message.counts.get(row.pair_id, {"held": 0, "cancelled": 0, "last": None})
    if pair.status != Pair.Status.ACTIVE or pair.program.status != Program.Status.RUNNING:
        return kinds.Skip("pair_ended")
    if counts["last"] and counts["last"].date() > row.period:
        return kinds.Skip("met_since")
    weeks = max(1, (timezone.now() - selectors.day_start(row.period)).days // 7)
    return row, weeks, counts


def _build_nudge(message: Message):
    due = _still_due(message)
    if isinstance(due, kinds.Skip):
        return due
    row, weeks, counts = due
    pair = row.pair
    enrollment = pair.enrollment_of(row.recipient_id)
    if enrollment is None or enrollment.status in selectors.CLOSED_ENROLMENT:
        return kinds.Skip("withdrawn")
    if row.recipient.nudges_opt_out:
        return kinds.Skip("opted_out")
    unsubscribe = unsubscribe_url(row.recipient)
    url = render.site_url(reverse("meetings:pair", args=[pair.pk]))
    return render.render(
        template="meetings/emails/nudge",
        recipient=row.recipient,
        brand=pair.program.name,
        context={
            "program": pair.program,
            "pair": pair,
            "partner": pair.partner_of(row.recipient_id),
            "weeks": weeks,
            "never_met": counts["held"] == 0 and counts["last"] is None,
            "url": url,
            "unsubscribe_url": unsubscribe,
            "preferences_url": render.site_url(reverse("accounts:preferences")),
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        links=[(_("Find a time"), url)],
    )


def _build_escalation(message: Message):
    due = _still_due(message)
    if isinstance(due, kinds.Skip):
        return due
    row, weeks, counts = due
    pair = row.pair
    if (pair.program_id, row.recipient_id) not in message.leads:
        return kinds.Skip("not_lead")
    # Names and counts only: never session notes, reflections or ratings.
    return render.render(
        template="meetings/emails/escalation",
        recipient=row.recipient,
        brand=pair.program.name,
        context={
            "program": pair.program,
            "pair": pair,
            "mentor": pair.mentor.user,
            "mentee": pair.mentee.user,
            "weeks": weeks,
            "held": counts["held"],
            "cancelled": counts["cancelled"],
            "cadence_weeks": pair.program.cadence_weeks,
        },
    )


def nudges_send() -> outbox.Outcome:
    return outbox.deliver_due(only_kinds=[Nudge.Kind.NUDGE, Nudge.Kind.ESCALATION])


def nudges_tick(*, now: datetime | None = None) -> outbox.Outcome:
    created = nudges_plan(now=now)
    outcome = nudges_send()
    outcome.created = created
    return outcome


def register() -> None:
    kinds.register(Nudge.Kind.NUDGE, build=_build_nudge, load=_load, group="nudges")
    kinds.register(Nudge.Kind.ESCALATION, build=_build_escalation, load=_load, group="nudges")
