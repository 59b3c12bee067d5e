"""Every state change of profiles, enrolments, matching runs, pairs and exits.

Each function is one named step of the workflow: keyword-only, atomic, validating before it
writes, raising ``ValidationError`` with a message the person can act on. E-mails go out
after the transaction commits (see ``pairing.emails``).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from pairing import matching
from pairing.emails import send_after_commit
from pairing.matching_input import (
    MatchingInputError,
    Pool,
    engine_input_build,
    find_manager_loop,
    plain_explanation,
    pool_load,
    score_pairs,
)
from pairing.models import (
    MAX_WINDOWS,
    AvailabilityWindow,
    Enrollment,
    ExitRequest,
    Expertise,
    LearningInterest,
    MatchRun,
    Pair,
    PairExclusion,
    Profile,
    SkillRating,
    TrainingCompletion,
    language_key,
)
from pairing.rules import enrollment_eligibility, manager_map, pair_rule_problems
from programs.models import Program, ProgramTopic, Resource, Topic

logger = logging.getLogger(__name__)

# A run still "queued" or "running" after this long is treated as lost (worker killed).
RUN_STALE_AFTER = timedelta(minutes=15)
MATCHABLE = (Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING)
PUBLISHABLE = (Program.Status.MATCHING, Program.Status.RUNNING)


def _lock_program(program: Program) -> Program:
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
    program = _lock_program(program)
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


def _drop_drafts(enrollment: Enrollment) -> int:
    deleted, _rows = Pair.objects.filter(
        Q(mentor=enrollment) | Q(mentee=enrollment),
        status=Pair.Status.PROPOSED,
        published_at__isnull=True,
    ).delete()
    return deleted


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
        _decline(pair=pair, side="mentor" if pair.mentor_id == enrollment.pk else "mentee", now=now)
    _drop_drafts(enrollment)
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
        _drop_drafts(enrollment)
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


# --- Matching runs ----------------------------------------------------------------------------


@transaction.atomic
def match_run_start(*, program: Program, by: User) -> MatchRun:
    """Queue a matching run for the program; the worker picks it up after this commits."""
    program = _lock_program(program)
    if program.status not in MATCHABLE:
        raise ValidationError(
            _(
                "Matching runs while a program is enrolling (as a preview), matching or "
                "running; this one is %(status)s."
            )
            % {"status": program.get_status_display()}
        )
    recent = timezone.now() - RUN_STALE_AFTER
    if program.match_runs.filter(
        status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING], created_at__gte=recent
    ).exists():
        raise ValidationError(_("A matching run is already in progress for this program."))
    run = MatchRun(program=program, started_by=by, stage=_("Waiting for a worker"))
    run.full_clean()
    run.save()
    transaction.on_commit(partial(_enqueue_run, run.pk))
    return run


def _enqueue_run(run_id: int) -> None:
    from pairing.tasks import run_matching  # tasks import this module

    try:
        run_matching.delay(run_id)
    except Exception:
        # The broker is down: say so on the run page instead of failing the HR's request.
        logger.exception("Could not queue matching run %s", run_id)
        MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
            status=MatchRun.Status.FAILED,
            finished_at=timezone.now(),
            error=_(
                "The background queue could not be reached. Try again in a minute; if it keeps "
                "failing, ask IT to check the worker."
            ),
        )


def _progress(run: MatchRun, progress: int, stage: str) -> None:
    # Outside any transaction: each stage is visible to the polling page at once.
    MatchRun.objects.filter(pk=run.pk).update(progress=progress, stage=stage)


def _fail(run: MatchRun, message: str) -> None:
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.FAILED, error=message, stage=_("Stopped"), finished_at=timezone.now()
    )


def match_run_execute(*, run_id: int) -> MatchRun | None:
    """Run the matching engine for a queued run and save its proposals as HR drafts.

    Unlocked drafts are replaced; locked drafts are kept (and rescored); published pairs are
    untouched. Returns None when the run was already finished (a redelivered task).
    """
    claimed = MatchRun.objects.filter(
        pk=run_id, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
    ).update(status=MatchRun.Status.RUNNING, progress=5, stage=_("Starting"))
    if not claimed:
        return None
    run = MatchRun.objects.select_related("program").get(pk=run_id)
    try:
        _progress(run, 10, _("Loading enrolments and profiles"))
        pool = pool_load(run.program)
        _progress(run, 30, _("Building the score matrix"))
        data = engine_input_build(
            program=run.program,
            mentors=pool.mentors,
            mentees=pool.mentees,
            capacity=pool.capacity,
            locked=pool.locked,
            forbidden=pool.forbidden,
            managers=pool.managers,
        )
        _progress(run, 50, _("Finding the best pairs"))
        result = _solve(data, pool)
        _progress(run, 85, _("Saving the proposals"))
        _save_run_result(run=run, pool=pool, result=result)
    except SoftTimeLimitExceeded:
        _fail(
            run,
            _(
                "The run took too long and was stopped. Try again; if it keeps happening, ask IT to "
                "raise the worker's time limit."
            ),
        )
    except MatchingInputError as exc:
        _fail(run, str(exc))
    except (OperationalError, InterfaceError):
        raise  # the database blinked: the task retries
    except Exception:
        logger.exception("Matching run %s failed", run_id)
        _fail(run, _("Something went wrong while matching. The details are in the worker's log."))
    run.refresh_from_db()
    return run


def _solve(data, pool: Pool) -> matching.MatchResult:
    if not pool.mentors or not pool.mentees:
        lonely = pool.mentees if not pool.mentors else pool.mentors
        reason = _("no mentors to match with") if not pool.mentors else _("no mentees to match with")
        return matching.MatchResult(
            pairs=[],
            objective=0.0,
            unmatched=[matching.Unmatched(id=e.pk, side=e.role, reason=reason) for e in lonely],
        )
    try:
        return matching.match(data.mentors, data.mentees, data.org, data.rules)
    except ValueError as exc:
        loop = find_manager_loop(pool.managers)
        if loop:
            names = ", ".join(u.display_name for u in User.objects.filter(pk__in=loop))
            raise MatchingInputError(
                _(
                    "The reporting lines contain a loop (%(names)s manage each other). "
                    "Fix their managers, then run again."
                )
                % {"names": names}
            ) from exc
        raise MatchingInputError(
            _("The matching engine refused the data: %(error)s") % {"error": exc}
        ) from exc


def _save_run_result(*, run: MatchRun, pool: Pool, result: matching.MatchResult) -> None:
    by_id = {e.pk: e for e in (*pool.mentors, *pool.mentees)}
    with transaction.atomic():
        program = _lock_program(run.program)
        drafts = Pair.objects.filter(program=program, status=Pair.Status.PROPOSED, published_at__isnull=True)
        drafts.filter(locked=False).delete()
        locked_rows = {(p.mentor_id, p.mentee_id): p for p in drafts.filter(locked=True)}
        live = list(
            Pair.objects.filter(program=program, status__in=Pair.LIVE).values_list("mentor_id", "mentee_id")
        )
        load = Counter(m for m, _e in live)
        taken = {e for _m, e in live}
        excluded = set(PairExclusion.objects.filter(program=program).values_list("mentor_id", "mentee_id"))
        # Anything HR changed while the engine ran wins: re-check before saving each proposal.
        approved = dict(
            Enrollment.objects.filter(
                program=program, status=Enrollment.Status.APPROVED, pk__in=list(by_id)
            ).values_list("pk", "capacity")
        )
        now = timezone.now()
        rescored, new = [], []
        for proposal in result.pairs:
            key = (proposal.mentor_id, proposal.mentee_id)
            fields = {
                "score": round(proposal.score, 4),
                "explanation": plain_explanation(proposal),
                "parts": {k: round(v, 4) for k, v in proposal.parts.items()},
                "match_run": run,
            }
            if proposal.locked:
                if key in locked_rows:
                    row = locked_rows[key]
                    for name, value in fields.items():
                        setattr(row, name, value)
                    rescored.append(row)
                continue
            mentor_id, mentee_id = key
            if (
                mentee_id in taken
                or key in excluded
                or mentor_id not in approved
                or mentee_id not in approved
                or load[mentor_id] >= approved[mentor_id]
            ):
                continue
            pair = Pair(
                program=program, mentor=by_id[mentor_id], mentee=by_id[mentee_id], created_at=now, **fields
            )
            pair.full_clean(
                exclude=["program", "mentor", "mentee", "match_run"],
                validate_unique=False,
                validate_constraints=False,
            )
            new.append(pair)
            load[mentor_id] += 1
            taken.add(mentee_id)
        Pair.objects.bulk_update(rescored, ["score", "explanation", "parts", "match_run"])
        Pair.objects.bulk_create(new)
        names = {e.pk: e.user.display_name for e in by_id.values()}
        run.unmatched = pool.skipped + [
            {"enrollment_id": u.id, "name": names.get(u.id, ""), "side": u.side, "reason": u.reason}
            for u in result.unmatched
        ]
        run.matched = len(rescored) + len(new)
        run.objective = round(result.objective, 4)
        run.status, run.progress, run.stage, run.finished_at = MatchRun.Status.DONE, 100, _("Done"), now
        run.save(
            update_fields=["unmatched", "matched", "objective", "status", "progress", "stage", "finished_at"]
        )


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
    _lock_program(pair.program)
    pair = _draft_for_update(pair)
    pair.locked = locked
    pair.save(update_fields=["locked"])
    return pair


@transaction.atomic
def pair_forbid(*, pair: Pair, by: User) -> PairExclusion:
    """Rule this mentor/mentee combination out for the program and drop the draft."""
    _lock_program(pair.program)
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
    program = _lock_program(program)
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
    program = _lock_program(program)
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
    program = _lock_program(program)
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


def _decline(*, pair: Pair, side: str, now) -> None:
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
        _decline(pair=pair, side=side, now=now)
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
    _drop_drafts(enrollment)
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
            [("exit_resolved", requester, {"pair": pair, "outcome": outcome, "rematch": False})]
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
                {"pair": pair, "outcome": outcome, "rematch": requester_side not in leaving},
            ),
            ("pair_ended", partner, {"pair": pair, "rematch": partner_side not in leaving}),
        ]
    )
    return request
