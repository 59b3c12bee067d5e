"""Matching runs: HR starts one, a worker solves it (``pairing.matching``) and stores draft pairs."""

from __future__ import annotations

import logging
import time
from collections import Counter
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from pairing import matching
from pairing.matching_input import (
    MatchingInputError,
    Pool,
    engine_input_build,
    find_manager_loop,
    plain_explanation,
    pool_load,
)
from pairing.models import (
    Enrollment,
    MatchRun,
    Pair,
    PairExclusion,
)
from pairing.services import MATCHABLE, RUN_STALE_AFTER, lock_program
from programs.models import Program

logger = logging.getLogger(__name__)


# --- Matching runs ----------------------------------------------------------------------------


@transaction.atomic
def match_run_start(*, program: Program, by: User) -> MatchRun:
    """Queue a matching run for the program; the worker picks it up after this commits."""
    program = lock_program(program)
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


def _engine_progress(run: MatchRun):
    """The engine's ``progress(stage, done, total)`` as run progress from 50 to 85 %.

    At most one UPDATE a second within a stage, so a 12,000-mentee run costs a few dozen.
    """
    stages = {
        "scoring": (50, 65, _("Scoring every possible pair")),
        "solving": (65, 75, _("Finding the best pairs")),
        "certifying": (75, 80, _("Checking that no other pairing is better")),
        "explaining": (80, 85, _("Writing the explanations")),
    }
    last = {"stage": "", "at": 0.0}

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == last["stage"] and now - last["at"] < 1.0:
            return
        last.update(stage=stage, at=now)
        low, high, label = stages.get(stage, (50, 85, _("Finding the best pairs")))
        _progress(run, low + (high - low) * min(done, total) // max(total, 1), label)

    return report


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
        result = _solve(data, pool, progress=_engine_progress(run))
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


def _solve(data, pool: Pool, progress: matching.Progress | None = None) -> matching.MatchResult:
    if not pool.mentors or not pool.mentees:
        lonely = pool.mentees if not pool.mentors else pool.mentors
        reason = _("no mentors to match with") if not pool.mentors else _("no mentees to match with")
        return matching.MatchResult(
            pairs=[],
            objective=0.0,
            unmatched=[matching.Unmatched(id=e.pk, side=e.role, reason=reason) for e in lonely],
        )
    try:
        return matching.match(data.mentors, data.mentees, data.org, data.rules, progress=progress)
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
        program = lock_program(run.program)
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
