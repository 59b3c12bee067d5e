"""The junior mentor's private pulse: "How comfortable are you giving your mentee honest feedback?"

Every ``Program.safety_pulse_weeks`` weeks after a pair started, the tick plans one
:class:`~surveys.models.SafetyPulse` for the pair's junior mentor (unique per pair and round, so a
second tick plans nothing), hands it to the outbox (a message keyed by the row: never sent twice)
and delivers it. The answer (1–5 and an optional note) is the mentor's and HR's only: the mentee
never sees it, leads never see it at all, and HR sees the scores as a trend (evaluation.pulse_reads,
with the anonymity rule) and as an alert naming the pair when a mentor's score is low or drops.
The thank-you page keeps the no-fault exit one click away.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from notifications import kinds, outbox, render
from notifications.models import Message
from pairing.models import Enrollment, Pair
from pairing.pairs import hr_admins
from programs.models import Program
from surveys import selectors
from surveys.invitations import survey_deadline
from surveys.models import PENDING, SafetyPulse

log = logging.getLogger(__name__)

PULSE, ALERT = "safety-pulse", "safety-pulse-alert"
# An answer at or below LOW, or LOW_DROP points below the pair's previous answer, alerts HR.
LOW, LOW_DROP = 2, 2
ALERT_LOW, ALERT_DROP = "low", "drop"
NOTE_MAX = 2000
RELATED = ("program", "recipient", "enrollment", "pair__mentor__user", "pair__mentee__user")


def link_token(pulse_id: int) -> str:
    """The secret in a pulse link: the same for every delivery of one message, unguessable."""
    return salted_hmac("surveys.pulse", str(pulse_id)).hexdigest()


def round_due(*, activated_at: datetime, now: datetime, weeks: int) -> int:
    """The pulse round due now: 1 once ``weeks`` weeks have passed since the pair started, and so on."""
    return max(0, (now - activated_at) // timedelta(weeks=weeks))


# --- planning and handing over -----------------------------------------------------------------


def safety_pulses_plan(*, now: datetime | None = None) -> int:
    """Plan the pulse due now for each active pair of a running program with the pulse on.

    Only the current round is planned: a mentor never gets a pile of missed pulses (after the
    switch was off, say). One query to read, one to insert.
    """
    now = now or timezone.now()
    rows = []
    for pair_id, program_id, mentor_id, user_id, activated_at, weeks, last in (
        Pair.objects.filter(
            status=Pair.Status.ACTIVE,
            activated_at__isnull=False,
            activated_at__lte=now,
            program__status=Program.Status.RUNNING,
            program__safety_pulse=True,
            mentor__status=Enrollment.Status.APPROVED,
        )
        .annotate(last=Max("safety_pulses__round"))
        .values_list(
            "pk", "program_id", "mentor_id", "mentor__user_id", "activated_at",
            "program__safety_pulse_weeks", "last",
        )
    ):
        due = round_due(activated_at=activated_at, now=now, weeks=weeks)
        if due >= 1 and (last or 0) < due:
            rows.append(
                SafetyPulse(
                    program_id=program_id, pair_id=pair_id, enrollment_id=mentor_id,
                    recipient_id=user_id, round=due, created_at=now,
                )
            )
    SafetyPulse.objects.bulk_create(rows, ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
    return len(rows)


def _invalid(row: SafetyPulse) -> str | None:
    """Why this pulse must not go out (now), or None."""
    if row.program.status != Program.Status.RUNNING or not row.program.safety_pulse:
        return "program_not_running"
    if row.pair.status != Pair.Status.ACTIVE:
        return "pair_not_active"
    if row.enrollment.status != Enrollment.Status.APPROVED:
        return "withdrawn"
    if row.answered_at is not None:
        return "answered"
    if not row.recipient.is_active:
        return "inactive"
    return None


@transaction.atomic
def safety_pulses_queue(*, now: datetime | None = None) -> int:
    """Hand every pending pulse to the outbox; it closes when the next one is due (or after the
    program's survey expiry, if sooner). One no longer valid is skipped with the reason."""
    now = now or timezone.now()
    rows = list(
        SafetyPulse.objects.select_for_update(skip_locked=True, of=("self",))
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
        days = min(7 * row.program.safety_pulse_weeks, row.program.survey_expiry_days)
        row.sent_at = now
        row.expires_at = survey_deadline(sent_at=now, days=days, zone=row.recipient.zone)
        row.token_hash = selectors.token_hash(link_token(row.pk))
        ready.append(row)
    for reason, ids in skipped.items():
        SafetyPulse.objects.filter(pk__in=ids).update(skipped_at=now, skipped_reason=reason[:40])
    SafetyPulse.objects.bulk_update(
        ready, ["sent_at", "expires_at", "token_hash"], batch_size=outbox.INSERT_BATCH
    )
    outbox.messages_queue(
        [
            outbox.Draft(kind=PULSE, key=f"{PULSE}:{r.pk}", recipient_id=r.recipient_id, ref_id=r.pk)
            for r in ready
        ],
        now=now,
    )
    return len(ready)


def safety_pulses_tick(*, now: datetime | None = None) -> outbox.Outcome:
    """Plan, hand over and deliver the pulses (and any alert to HR still waiting)."""
    created = safety_pulses_plan(now=now)
    safety_pulses_queue(now=now)
    outcome = outbox.deliver_due(only_kinds=[PULSE, ALERT])
    outcome.created = created
    return outcome


# --- access ------------------------------------------------------------------------------------


def get_pulse_for_mentor(user, pk: int) -> SafetyPulse:
    """A sent pulse addressed to this person (404 for anyone else, the mentee and HR included)."""
    return get_object_or_404(
        SafetyPulse.objects.select_related(*RELATED), pk=pk, recipient=user, sent_at__isnull=False
    )


def pulse_for_token(token: str) -> SafetyPulse | None:
    return (
        SafetyPulse.objects.select_related(*RELATED)
        .filter(token_hash=selectors.token_hash(token), sent_at__isnull=False)
        .first()
    )


def open_pulses_of(user) -> list[SafetyPulse]:
    """The person's sent, unanswered, still open pulses (for "My surveys")."""
    now = timezone.now()
    return list(
        SafetyPulse.objects.filter(
            recipient=user, sent_at__isnull=False, answered_at__isnull=True, expires_at__gt=now
        )
        .select_related("program", "pair__mentee__user")
        .order_by("expires_at")
    )


# --- answering ---------------------------------------------------------------------------------


class AlreadyAnswered(Exception):  # noqa: N818 - reads as the situation, like Http404
    """The pulse has its answer already; nothing was stored a second time."""


def alert_for(score: int, previous: int | None) -> str:
    """"low" at or below LOW, "drop" LOW_DROP or more below the previous answer, else ""."""
    if score <= LOW:
        return ALERT_LOW
    if previous is not None and previous - score >= LOW_DROP:
        return ALERT_DROP
    return ""


@transaction.atomic
def safety_pulse_answer(
    *, pulse: SafetyPulse, score: int, note: str = "", now: datetime | None = None
) -> SafetyPulse:
    """Store the junior mentor's answer, once; alert HR (each HR admin, once) when it is low or drops.

    Raises :class:`AlreadyAnswered` for a second answer, ValidationError (code "expired") once
    the pulse has closed, or for a score outside 1–5; stores nothing then.
    """
    now = now or timezone.now()
    pulse = SafetyPulse.objects.select_for_update(of=("self",)).select_related(*RELATED).get(pk=pulse.pk)
    if pulse.answered_at is not None:
        raise AlreadyAnswered
    if pulse.sent_at is None:
        raise ValidationError(_("This pulse has not been sent yet."), code="not_sent")
    if pulse.is_expired(now):
        raise ValidationError(_("This pulse closed before your answer arrived."), code="expired")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError({"score": _("Pick a number from 1 to 5.")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep it under %(n)s characters.") % {"n": NOTE_MAX}})
    previous = (
        SafetyPulse.objects.filter(pair_id=pulse.pair_id, round__lt=pulse.round, score__isnull=False)
        .order_by("-round")
        .values_list("score", flat=True)
        .first()
    )
    pulse.score, pulse.note, pulse.answered_at = score, note, now
    pulse.alert = alert_for(score, previous)
    pulse.save(update_fields=["score", "note", "answered_at", "alert"])
    if pulse.alert:
        _alert_hr(pulse, now)
    # Never the score or the note in the log: the pulse is private.
    log.info("safety pulse %s answered", pulse.pk)
    return pulse


def _alert_hr(pulse: SafetyPulse, now: datetime) -> None:
    drafts = [
        outbox.Draft(kind=ALERT, key=f"{ALERT}:{pulse.pk}:{hr.pk}", recipient_id=hr.pk, ref_id=pulse.pk)
        for hr in hr_admins()
        if hr.email
    ]
    if drafts:
        outbox.send_soon(outbox.messages_queue(drafts, now=now).values())


# --- the messages ------------------------------------------------------------------------------


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(SafetyPulse, messages, *RELATED)


def _build_pulse(message: Message):
    row: SafetyPulse | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    reason = _invalid(row)
    if reason:
        return kinds.Skip(reason)
    url = render.site_url(reverse("surveys:pulse_token", args=[link_token(row.pk)]))
    context = {
        "pulse": row,
        "program": row.program,
        "closes_at": row.expires_at,
        "url": url,
        "mine_url": render.site_url(reverse("surveys:mine")),
    }
    return render.render(
        template="surveys/emails/safety_pulse",
        recipient=row.recipient,
        brand=row.program.name,
        context=context,
        links=[(_("Answer privately"), url)],
    )


def _build_alert(message: Message):
    row: SafetyPulse | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    # The alert names the pair to HR (who handle exits) but never carries the note or the score's
    # history: those stay behind HR's sign-in.
    url = render.site_url(reverse("evaluation:pulse", args=[row.program_id]))
    context = {"pulse": row, "program": row.program, "pair": row.pair, "url": url}
    return render.render(
        template="surveys/emails/safety_pulse_alert",
        recipient=message.recipient,
        brand=row.program.name,
        context=context,
        links=[(_("Open the pulse page"), url)],
    )


def register() -> None:
    kinds.register(PULSE, build=_build_pulse, load=_load, group="surveys")
    kinds.register(ALERT, build=_build_alert, load=_load, group="other")
