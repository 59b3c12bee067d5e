"""Every state change of profiles, enrolments, matching runs, pairs and exits.

Each function is one named step of the workflow: keyword-only, atomic, validating before it
writes, raising ``ValidationError`` with a message the person can act on. Messages go through the
outbox (see ``pairing.emails``). Matching runs are in ``pairing.match_runs``; reviewing, answering
and ending pairs in ``pairing.pairs``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from pairing.emails import send_after_commit
from pairing.models import (
    MAX_WINDOWS,
    AvailabilityWindow,
    Enrollment,
    Expertise,
    LearningInterest,
    Pair,
    PairExclusion,
    Profile,
    SkillRating,
    TrainingCompletion,
    language_key,
)
from pairing.rules import enrollment_eligibility
from programs.models import Program, ProgramTopic, Resource, Topic

logger = logging.getLogger(__name__)

# A run still "queued" or "running" after this long is treated as lost (worker killed).
RUN_STALE_AFTER = timedelta(minutes=15)
MATCHABLE = (Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING)
PUBLISHABLE = (Program.Status.MATCHING, Program.Status.RUNNING)


def lock_program(program: Program) -> Program:
    """Serialise changes to one program's enrolments and pairs (matching, swaps, publishing)."""
    return Program.objects.select_for_update().get(pk=program.pk)


# --- Profile ----------------------------------------------------------------------------------


def profile_get_or_create(*, user: User) -> Profile:
    """The person's profile, created empty the first time it is needed."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def normalise_languages(values: list[str]) -> list[str]:
    """Trim, capitalise and de-duplicate language names (case-insensitively), keeping order."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in values:
        name = " ".join(str(raw).split())
        if not language_key(name):
            continue
        name = name[0].upper() + name[1:]
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


@transaction.atomic
def profile_update(*, user: User, languages: list[str], bio: str) -> Profile:
    profile = profile_get_or_create(user=user)
    profile.languages = normalise_languages(languages)
    profile.bio = bio.strip()
    profile.full_clean()
    profile.save(update_fields=["languages", "bio", "updated_at"])
    return profile


def _locked_profile(user: User) -> Profile:
    profile = profile_get_or_create(user=user)
    return Profile.objects.select_for_update().get(pk=profile.pk)


@transaction.atomic
def expertise_save(*, user: User, topic: Topic, proficiency: int, can_teach: bool) -> Expertise:
    """Add a topic the person knows, or update it when it is already listed."""
    profile = _locked_profile(user)
    item = Expertise.objects.filter(profile=profile, topic=topic).first() or Expertise(
        profile=profile, topic=topic
    )
    item.proficiency, item.can_teach = proficiency, can_teach
    item.full_clean(validate_constraints=False)
    item.save()
    return item


@transaction.atomic
def expertise_remove(*, expertise: Expertise) -> None:
    expertise.delete()


@transaction.atomic
def interest_save(*, user: User, topic: Topic, priority: int) -> LearningInterest:
    """Add a topic the person wants to learn, or change its priority."""
    profile = _locked_profile(user)
    item = LearningInterest.objects.filter(profile=profile, topic=topic).first() or LearningInterest(
        profile=profile, topic=topic
    )
    item.priority = priority
    item.full_clean(validate_constraints=False)
    item.save()
    return item


@transaction.atomic
def interest_remove(*, interest: LearningInterest) -> None:
    interest.delete()


@transaction.atomic
def availability_add(*, user: User, weekday: int, start, end) -> AvailabilityWindow:
    """Add a weekly window in the person's own time zone; overlapping windows are refused."""
    profile = _locked_profile(user)
    window = AvailabilityWindow(profile=profile, weekday=weekday, start=start, end=end)
    window.full_clean()
    existing = list(profile.availability.all())
    if len(existing) >= MAX_WINDOWS:
        raise ValidationError(_("You can list at most %(n)s windows; remove one first.") % {"n": MAX_WINDOWS})
    for other in existing:
        if other.weekday == weekday and other.start < end and start < other.end:
            raise ValidationError(_("This overlaps your window %(other)s.") % {"other": other})
    window.save()
    return window


@transaction.atomic
def availability_remove(*, window: AvailabilityWindow) -> None:
    window.delete()


# --- Enrolment --------------------------------------------------------------------------------


@transaction.atomic
def enrollment_apply(
    *,
    program: Program,
    user: User,
    role: str,
    agreement_version_id: int,
    learn_goals: str,
    teach_goals: str,
    capacity: int | None = None,
    skill_scores: dict[int, int] | None = None,
) -> Enrollment:
    """Apply to an enrolling program, accepting its current agreement.

    ``skill_scores`` maps program-topic ids to a 1–5 self-assessment (optional). A person who
    withdrew before ever being paired may apply again; their enrolment row is reused.
    """
    program = lock_program(program)
    existing = Enrollment.objects.filter(program=program, user=user).first()
    agreement = program.current_agreement()
    verdict = enrollment_eligibility(
        program=program, user=user, role=role, existing=existing, has_agreement=agreement is not None
    )
    if not verdict.ok:
        raise ValidationError(verdict.reason, code="not_eligible")
    if agreement.pk != agreement_version_id:
        raise ValidationError(
            _(
                "The agreement was updated while you were reading it. Please read the new "
                "version and accept it again."
            ),
            code="agreement_changed",
        )
    now = timezone.now()
    enrollment = existing or Enrollment(program=program, user=user)
    enrollment.role = role
    enrollment.status = Enrollment.Status.APPLIED
    enrollment.agreement_version = agreement
    enrollment.agreement_accepted_at = now
    enrollment.learn_goals, enrollment.teach_goals = learn_goals.strip(), teach_goals.strip()
    enrollment.capacity = (capacity or program.mentor_capacity) if role == Enrollment.Role.MENTOR else 1
    enrollment.applied_at, enrollment.decided_at, enrollment.decided_by = now, None, None
    enrollment.full_clean()
    enrollment.save()
    enrollment.skill_ratings.filter(phase=SkillRating.Phase.ENROLMENT).delete()
    if skill_scores:
        topics = {pt.pk: pt for pt in ProgramTopic.objects.filter(program=program, pk__in=list(skill_scores))}
        ratings = [
            SkillRating(
                enrollment=enrollment,
                topic_id=topics[pk].topic_id,
                direction=topics[pk].direction,
                phase=SkillRating.Phase.ENROLMENT,
                score=score,
            )
            for pk, score in skill_scores.items()
            if pk in topics
        ]
        for rating in ratings:
            rating.full_clean(exclude=["enrollment", "topic"], validate_constraints=False)
        SkillRating.objects.bulk_create(ratings)
    return enrollment


@transaction.atomic
def enrollment_update_goals(*, enrollment: Enrollment, learn_goals: str, teach_goals: str) -> Enrollment:
    if enrollment.status in (Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED):
        raise ValidationError(_("This enrolment is closed; its goals can no longer change."))
    enrollment.learn_goals, enrollment.teach_goals = learn_goals.strip(), teach_goals.strip()
    # Only the goals change: validate those fields (the program's rules may have moved on since).
    others = [f.name for f in Enrollment._meta.fields if f.name not in ("learn_goals", "teach_goals")]
    enrollment.clean_fields(exclude=others)
    enrollment.save(update_fields=["learn_goals", "teach_goals"])
    return enrollment


def resources_for(enrollment: Enrollment):
    """The program's training resources meant for this person's role."""
    return Resource.objects.filter(
        program_id=enrollment.program_id, audience__in=[enrollment.resource_audience, Resource.Audience.BOTH]
    )


@transaction.atomic
def training_set_done(*, enrollment: Enrollment, resource: Resource, done: bool) -> None:
    """Mark a training resource as done (or not done, to undo a mistaken click)."""
    if not resources_for(enrollment).filter(pk=resource.pk).exists():
        raise ValidationError(_("That resource is not part of your training."))
    if enrollment.status in (Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED):
        raise ValidationError(_("This enrolment is closed."))
    if done:
        TrainingCompletion.objects.get_or_create(enrollment=enrollment, resource=resource)
    else:
        TrainingCompletion.objects.filter(enrollment=enrollment, resource=resource).delete()


def drop_drafts(enrollment: Enrollment) -> int:
    deleted, _rows = Pair.objects.filter(
        Q(mentor=enrollment) | Q(mentee=enrollment),
        status=Pair.Status.PROPOSED,
        published_at__isnull=True,
    ).delete()
    return deleted


def decline_offer(*, pair: Pair, side: str, now) -> None:
    """No-fault decline: the pair will not go ahead, both return to the pool, never re-proposed."""
    setattr(pair, f"{side}_response", Pair.Response.DECLINED)
    setattr(pair, f"{side}_responded_at", now)
    pair.status, pair.ended_at = Pair.Status.DECLINED, now
    pair.save(update_fields=[f"{side}_response", f"{side}_responded_at", "status", "ended_at"])
    # created_by stays empty: the exclusion must not tell anyone who declined.
    PairExclusion.objects.get_or_create(
        mentor_id=pair.mentor_id, mentee_id=pair.mentee_id, defaults={"program_id": pair.program_id}
    )
    partner = pair.mentee.user if side == "mentor" else pair.mentor.user
    send_after_commit([("offer_cancelled", partner, {"pair": pair})])


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, by: User) -> Enrollment:
    """The participant leaves before their pair is active; a pending offer is declined, no fault."""
    enrollment = (
        Enrollment.objects.select_for_update().select_related("program", "user").get(pk=enrollment.pk)
    )
    if not enrollment.can_withdraw:
        raise ValidationError(
            _("This enrolment is already %(status)s.") % {"status": enrollment.get_status_display().lower()}
        )
    mine = Q(mentor=enrollment) | Q(mentee=enrollment)
    if Pair.objects.filter(mine, status=Pair.Status.ACTIVE).exists():
        raise ValidationError(
            _(
                "You are in an active pair. To leave, ask HR for a confidential no-fault exit "
                "from your pair's page."
            )
        )
    offers = (
        Pair.objects.select_for_update(of=("self",))
        .select_related("mentor__user", "mentee__user")
        .filter(mine, status=Pair.Status.PROPOSED, published_at__isnull=False)
    )
    now = timezone.now()
    for pair in offers:
        decline_offer(pair=pair, side="mentor" if pair.mentor_id == enrollment.pk else "mentee", now=now)
    drop_drafts(enrollment)
    enrollment.status, enrollment.decided_at, enrollment.decided_by = Enrollment.Status.WITHDRAWN, now, by
    enrollment.save(update_fields=["status", "decided_at", "decided_by"])
    return enrollment


DECISIONS = {
    Enrollment.Status.APPLIED: {
        Enrollment.Status.APPROVED,
        Enrollment.Status.WAITLISTED,
        Enrollment.Status.DECLINED,
    },
    Enrollment.Status.WAITLISTED: {Enrollment.Status.APPROVED, Enrollment.Status.DECLINED},
    Enrollment.Status.APPROVED: {Enrollment.Status.WAITLISTED, Enrollment.Status.DECLINED},
    Enrollment.Status.DECLINED: {Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED},
}


def _decide(enrollment: Enrollment, decision: str, by: User, now) -> None:
    current = enrollment.status
    name = enrollment.user.display_name
    if enrollment.program.status == Program.Status.CLOSED:
        raise ValidationError(_("This program is closed."))
    if decision == current:
        raise ValidationError(
            _("%(name)s is already %(status)s.")
            % {"name": name, "status": enrollment.get_status_display().lower()}
        )
    if decision not in DECISIONS.get(current, set()):
        raise ValidationError(_("%(name)s withdrew; they can apply again themselves.") % {"name": name})
    if current == Enrollment.Status.APPROVED:
        published = Pair.objects.filter(
            Q(mentor=enrollment) | Q(mentee=enrollment), status__in=Pair.LIVE, published_at__isnull=False
        )
        if published.exists():
            raise ValidationError(
                _("%(name)s is in a published pair. End the pair first (exit requests).") % {"name": name}
            )
        drop_drafts(enrollment)
    enrollment.status, enrollment.decided_at, enrollment.decided_by = decision, now, by
    enrollment.save(update_fields=["status", "decided_at", "decided_by"])


@transaction.atomic
def enrollment_decide(*, enrollment: Enrollment, decision: str, by: User) -> Enrollment:
    """HR approves, waitlists or declines an application; the person is told by e-mail."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("program", "user")
        .get(pk=enrollment.pk)
    )
    _decide(enrollment, decision, by, timezone.now())
    send_after_commit([("enrollment_decision", enrollment.user, {"enrollment": enrollment})])
    return enrollment


@transaction.atomic
def enrollment_bulk_approve(*, program: Program, enrollment_ids: list[int], by: User) -> int:
    """Approve every selected application that is still applied or waitlisted; returns how many."""
    rows = list(
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("program", "user")
        .filter(
            program=program,
            pk__in=enrollment_ids,
            status__in=[Enrollment.Status.APPLIED, Enrollment.Status.WAITLISTED],
        )
    )
    now = timezone.now()
    for enrollment in rows:
        _decide(enrollment, Enrollment.Status.APPROVED, by, now)
    send_after_commit([("enrollment_decision", e.user, {"enrollment": e}) for e in rows])
    return len(rows)
