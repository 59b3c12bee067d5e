"""Pairs after matching: HR's review of the drafts (lock, forbid, swap, add, publish), and the
participants' answers to their offer and their exit requests.

Each function is one named step, keyword-only and atomic; messages go through the outbox
(``pairing.emails``), sent once the transaction commits.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from pairing.emails import send_after_commit
from pairing.matching_input import (
    plain_explanation,
    score_pairs,
)
from pairing.models import (
    Enrollment,
    ExitRequest,
    Pair,
    PairExclusion,
)
from pairing.rules import manager_map, pair_rule_problems
from pairing.services import PUBLISHABLE, decline_offer, drop_drafts, lock_program
from programs.models import Program

logger = logging.getLogger(__name__)


# --- HR review of drafts ----------------------------------------------------------------------


def _draft_for_update(pair: Pair) -> Pair:
    try:
        pair = (
            Pair.objects.select_for_update(of=("self",))
            .select_related("mentor__user", "mentee__user")
            .get(pk=pair.pk)
        )
    except Pair.DoesNotExist:
        raise ValidationError(_("That proposal no longer exists (a new run replaced it).")) from None
    if not pair.is_draft or pair.status != Pair.Status.PROPOSED:
        raise ValidationError(_("This pair is already published; only the people in it can change it now."))
    return pair


@transaction.atomic
def pair_set_locked(*, pair: Pair, locked: bool, by: User) -> Pair:
    """Lock a draft so re-runs keep it, or unlock it so the engine may change it."""
    lock_program(pair.program)
    pair = _draft_for_update(pair)
    pair.locked = locked
    pair.save(update_fields=["locked"])
    return pair


@transaction.atomic
def pair_forbid(*, pair: Pair, by: User) -> PairExclusion:
    """Rule this mentor/mentee combination out for the program and drop the draft."""
    lock_program(pair.program)
    pair = _draft_for_update(pair)
    exclusion, _created = PairExclusion.objects.get_or_create(
        mentor=pair.mentor, mentee=pair.mentee, defaults={"program": pair.program, "created_by": by}
    )
    pair.delete()
    return exclusion


def _excluded(program: Program) -> set[tuple[int, int]]:
    return set(PairExclusion.objects.filter(program=program).values_list("mentor_id", "mentee_id"))


def _new_locked_drafts(
    program: Program, combos: list[tuple[Enrollment, Enrollment]], managers: dict[int, int | None]
) -> list[Pair]:
    scores = score_pairs(program=program, pairs=combos, managers=managers)
    pairs = []
    for mentor, mentee in combos:
        proposal = scores[(mentor.pk, mentee.pk)]
        pair = Pair(
            program=program,
            mentor=mentor,
            mentee=mentee,
            locked=True,
            score=round(proposal.score, 4),
            explanation=plain_explanation(proposal),
            parts={k: round(v, 4) for k, v in proposal.parts.items()},
        )
        pair.full_clean(exclude=["program", "mentor", "mentee", "match_run"], validate_constraints=False)
        pair.save()
        pairs.append(pair)
    return pairs


@transaction.atomic
def pair_swap(*, program: Program, first: Pair, second: Pair, by: User) -> list[Pair]:
    """Exchange the mentees of two drafts; the new pairs are locked (HR chose them)."""
    program = lock_program(program)
    if first.pk == second.pk:
        raise ValidationError(_("Pick two different pairs."))
    a, b = _draft_for_update(first), _draft_for_update(second)
    if a.program_id != program.pk or b.program_id != program.pk:
        raise ValidationError(_("Both pairs must belong to this program."))
    if a.mentor_id == b.mentor_id:
        raise ValidationError(
            _("Both pairs have the same mentor, so swapping their mentees changes nothing.")
        )
    managers, excluded = manager_map(), _excluded(program)
    combos = [(a.mentor, b.mentee), (b.mentor, a.mentee)]
    problems = [
        p
        for m, e in combos
        for p in pair_rule_problems(program=program, mentor=m, mentee=e, managers=managers, excluded=excluded)
    ]
    if problems:
        raise ValidationError(_("This swap would break a rule: %(why)s") % {"why": " ".join(problems)})
    a.delete()
    b.delete()
    return _new_locked_drafts(program, combos, managers)


@transaction.atomic
def pair_create_manual(*, program: Program, mentor: Enrollment, mentee: Enrollment, by: User) -> Pair:
    """HR pairs two people by hand (a locked draft), within the program's hard rules."""
    program = lock_program(program)
    rows = {
        e.pk: e
        for e in Enrollment.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(program=program, pk__in=[mentor.pk, mentee.pk], status=Enrollment.Status.APPROVED)
    }
    mentor, mentee = rows.get(mentor.pk), rows.get(mentee.pk)
    if mentor is None or mentee is None or not mentor.is_mentor or mentee.is_mentor:
        raise ValidationError(_("Pick an approved mentor and an approved mentee of this program."))
    if Pair.objects.filter(mentee=mentee, status__in=Pair.LIVE).exists():
        raise ValidationError(_("%(name)s already has a pair.") % {"name": mentee.user})
    load = Pair.objects.filter(mentor=mentor, status__in=Pair.LIVE).count()
    if load >= mentor.capacity:
        raise ValidationError(
            _("%(name)s already has %(n)s mentee(s), their limit.") % {"name": mentor.user, "n": load}
        )
    managers = manager_map()
    problems = pair_rule_problems(
        program=program, mentor=mentor, mentee=mentee, managers=managers, excluded=_excluded(program)
    )
    if problems:
        raise ValidationError(_("These two cannot be paired: %(why)s") % {"why": " ".join(problems)})
    return _new_locked_drafts(program, [(mentor, mentee)], managers)[0]


@transaction.atomic
def pairs_publish(*, program: Program, by: User) -> int:
    """Publish every HR draft: both people get an offer to accept or decline. Returns how many."""
    program = lock_program(program)
    if program.status not in PUBLISHABLE:
        raise ValidationError(
            _("Pairs are published once the program is in matching (or running); this one is %(status)s.")
            % {"status": program.get_status_display()}
        )
    drafts = list(
        Pair.objects.select_related("mentor__user", "mentee__user").filter(
            program=program, status=Pair.Status.PROPOSED, published_at__isnull=True
        )
    )
    if not drafts:
        raise ValidationError(_("There are no proposed pairs to publish."))
    now = timezone.now()
    Pair.objects.filter(pk__in=[p.pk for p in drafts]).update(published_at=now, updated_at=now)
    messages = []
    for pair in drafts:
        pair.published_at = now
        for side in ("mentor", "mentee"):
            me = getattr(pair, side).user
            messages.append(
                (
                    "offer",
                    me,
                    {"pair": pair, "partner": pair.partner_of(me), "program": program, "side": side},
                )
            )
    send_after_commit(messages)
    return len(drafts)


# --- Participants' answers and exits --------------------------------------------------------


def _pair_for_update(pair: Pair) -> Pair:
    return (
        Pair.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__user", "mentee__user")
        .get(pk=pair.pk)
    )


@transaction.atomic
def pair_respond(*, pair: Pair, user: User, accept: bool) -> Pair:
    """A person accepts or declines their published offer; both accepting makes the pair active."""
    pair = _pair_for_update(pair)
    side = pair.side_of(user)
    if side is None:
        raise ValidationError(_("You are not in this pair."))
    if not pair.is_offer:
        raise ValidationError(_("This pairing is no longer waiting for an answer."))
    if pair.response_of(side) != Pair.Response.PENDING:
        raise ValidationError(_("You have already answered."))
    now = timezone.now()
    if not accept:
        decline_offer(pair=pair, side=side, now=now)
        return pair
    setattr(pair, f"{side}_response", Pair.Response.ACCEPTED)
    setattr(pair, f"{side}_responded_at", now)
    fields = [f"{side}_response", f"{side}_responded_at"]
    if pair.mentor_response == pair.mentee_response == Pair.Response.ACCEPTED:
        pair.status, pair.activated_at = Pair.Status.ACTIVE, now
        fields += ["status", "activated_at"]
        send_after_commit(
            [
                ("pair_active", u, {"pair": pair, "partner": pair.partner_of(u)})
                for u in (pair.mentor.user, pair.mentee.user)
            ]
        )
    pair.save(update_fields=fields)
    return pair


def hr_admins():
    return User.objects.filter(
        is_active=True,
        groups__permissions__codename="hr_admin",
        groups__permissions__content_type__app_label="accounts",
    ).distinct()


@transaction.atomic
def exit_request_create(*, pair: Pair, user: User, kind: str, reason: str) -> ExitRequest:
    """Ask HR, confidentially and without blame, to end an active pair or find a new match."""
    pair = _pair_for_update(pair)
    if pair.side_of(user) is None:
        raise ValidationError(_("You are not in this pair."))
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("Only an active pair can be ended this way."))
    if ExitRequest.objects.filter(pair=pair, requested_by=user, resolved_at__isnull=True).exists():
        raise ValidationError(_("You have already asked HR about this pair; they will be in touch."))
    request = ExitRequest(pair=pair, requested_by=user, kind=kind, reason=reason.strip())
    request.full_clean(exclude=["pair", "requested_by"])
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(
            _("You have already asked HR about this pair; they will be in touch.")
        ) from None
    # HR is told that a request waits, never the reason (it stays in Flipside).
    send_after_commit(
        [("exit_request_hr", hr, {"exit_request": request, "pair": pair}) for hr in hr_admins()]
    )
    return request


def _leave(enrollment: Enrollment, now, by: User) -> None:
    """Take a person out of the pool; a mentor with other live pairs just takes no new mentee."""
    others = (
        Pair.objects.filter(mentor=enrollment, status__in=Pair.LIVE).count() if enrollment.is_mentor else 0
    )
    if others:
        enrollment.capacity = others
        enrollment.save(update_fields=["capacity"])
        return
    drop_drafts(enrollment)
    enrollment.status, enrollment.decided_at, enrollment.decided_by = Enrollment.Status.WITHDRAWN, now, by
    enrollment.save(update_fields=["status", "decided_at", "decided_by"])


@transaction.atomic
def exit_request_resolve(*, exit_request: ExitRequest, outcome: str, by: User) -> ExitRequest:
    """HR ends the pair (no fault, partner told neutrally) or closes the request with the pair kept."""
    try:
        request = ExitRequest.objects.select_for_update().get(pk=exit_request.pk, resolved_at__isnull=True)
    except ExitRequest.DoesNotExist:
        raise ValidationError(_("This request has already been resolved.")) from None
    pair = _pair_for_update(request.pair)
    now = timezone.now()
    requester_side = pair.side_of(request.requested_by)
    requester = request.requested_by
    partner_side = "mentee" if requester_side == "mentor" else "mentor"
    partner = getattr(pair, partner_side).user
    if outcome == ExitRequest.Outcome.KEPT:
        request.resolved_at, request.resolved_by, request.outcome = now, by, outcome
        request.save(update_fields=["resolved_at", "resolved_by", "outcome"])
        send_after_commit(
            [("exit_resolved", requester, {"exit_request": request, "pair": pair, "outcome": outcome,
                                           "rematch": False})]
        )
        return request
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This pair is no longer active."))
    pair.status, pair.ended_at = Pair.Status.ENDED_EARLY, now
    pair.save(update_fields=["status", "ended_at"])
    PairExclusion.objects.get_or_create(
        mentor_id=pair.mentor_id,
        mentee_id=pair.mentee_id,
        defaults={"program_id": pair.program_id, "created_by": by},
    )
    leaving = {
        ExitRequest.Outcome.REQUESTER_LEAVES: [requester_side],
        ExitRequest.Outcome.BOTH_LEAVE: [requester_side, partner_side],
    }.get(outcome, [])
    for side in leaving:
        enrollment = Enrollment.objects.select_for_update().get(pk=getattr(pair, f"{side}_id"))
        _leave(enrollment, now, by)
    ExitRequest.objects.filter(pair=pair, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=by, outcome=outcome
    )
    request.refresh_from_db()
    send_after_commit(
        [
            (
                "exit_resolved",
                requester,
                {"exit_request": request, "pair": pair, "outcome": outcome,
                 "rematch": requester_side not in leaving},
            ),
            ("pair_ended", partner, {"pair": pair, "rematch": partner_side not in leaving}),
        ]
    )
    return request
