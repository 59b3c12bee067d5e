"""Write endpoints: HR admins with a read-write token. Every write is audited and idempotent."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.responses import Status

from accounts.audit import audit_record
from accounts.models import AuditEvent
from api.core import ERRORS, require_hr, require_write
from api.models import IdempotentRequest
from api.problems import Problem
from api.reads import _id
from api.schemas import DecisionIn, EnrolmentOut, MatchRunOut, PublishOut
from pairing.match_runs import match_run_start
from pairing.pairs import pairs_publish
from pairing.selectors import get_enrollment_for_hr, get_run_for_hr
from pairing.services import enrollment_decide
from programs.selectors import get_program_for_hr

router = Router(tags=["write"])
MAX_KEY = 200


def _idempotent(request, payload: dict, write) -> Status:
    """Run ``write`` once per Idempotency-Key: same key and body replay the stored answer."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_KEY:
        raise Problem(400, _("The Idempotency-Key header is longer than %(n)d characters.") % {"n": MAX_KEY})
    fingerprint = hashlib.sha256(
        json.dumps([request.method, request.path, payload], sort_keys=True, default=str).encode()
    ).hexdigest()
    if key:
        done = IdempotentRequest.objects.filter(token=request.auth, key=key).first()
        if done is not None:
            if done.request_hash != fingerprint:
                raise Problem(
                    422,
                    _("This Idempotency-Key was used with a different request."),
                    slug="idempotency-key-reused",
                )
            return Status(done.status, done.body)
    try:
        with transaction.atomic():
            status, body = write()
            if key:
                IdempotentRequest.objects.create(
                    token=request.auth,
                    key=key,
                    request_hash=fingerprint,
                    status=status,
                    body=json.loads(json.dumps(body, default=str)),
                )
    except IntegrityError as exc:
        # Another request with the same key committed first: its answer stands, this one is undone.
        raise Problem(
            409,
            _("A request with this Idempotency-Key is being processed. Retry to get its answer."),
            slug="idempotency-key-in-use",
        ) from exc
    return Status(status, body)


def _audit(request, summary: str, data: dict) -> None:
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        actor=request.user,
        request=request,
        summary=f"API: {summary}",
        data={"api_token_id": request.auth.pk, **data},
    )


def _writer(request) -> None:
    require_write(request)
    require_hr(request)


def run_data(run) -> dict:
    return {
        "id": run.pk,
        "program_id": run.program_id,
        "status": run.status,
        "progress": run.progress,
        "stage": run.stage,
        "matched": run.matched,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


@router.post(
    "/enrolments/{enrolment_id}/decision/",
    response={200: EnrolmentOut, **ERRORS},
    summary="Approve, waitlist or decline an enrolment",
)
def enrolment_decide(request, payload: DecisionIn, enrolment_id: int = _id()):
    _writer(request)
    enrollment = get_enrollment_for_hr(request.user, enrolment_id)

    def write():
        done = enrollment_decide(enrollment=enrollment, decision=payload.decision, by=request.user)
        _audit(request, f"{payload.decision} enrolment {done.pk}", {"enrollment": done.pk})
        return 200, {
            "id": done.pk,
            "program_id": done.program_id,
            "user_id": done.user_id,
            "role": done.role,
            "status": done.status,
            "capacity": done.capacity,
            "applied_at": done.applied_at,
            "decided_at": done.decided_at,
            "updated_at": done.updated_at,
        }

    return _idempotent(request, payload.dict(), write)


@router.post(
    "/programs/{program_id}/match-runs/",
    response={202: MatchRunOut, **ERRORS},
    summary="Start a matching run (poll /match-runs/{id}/ for progress)",
)
def match_run_create(request, program_id: int = _id()):
    _writer(request)
    program = get_program_for_hr(request.user, program_id)

    def write():
        run = match_run_start(program=program, by=request.user)
        _audit(request, f"started matching run {run.pk} of program {program.pk}", {"program": program.pk})
        return 202, run_data(run)

    return _idempotent(request, {}, write)


@router.get(
    "/match-runs/{run_id}/", response={200: MatchRunOut, **ERRORS}, summary="A matching run's progress"
)
def match_run_detail(request, run_id: int = _id()):
    require_hr(request)
    return run_data(get_run_for_hr(request.user, run_id))


@router.post(
    "/programs/{program_id}/publish/",
    response={200: PublishOut, **ERRORS},
    summary="Publish the proposed pairs (both people get an offer)",
)
def publish(request, program_id: int = _id()):
    _writer(request)
    program = get_program_for_hr(request.user, program_id)

    def write():
        count = pairs_publish(program=program, by=request.user)
        _audit(request, f"published {count} pairs of program {program.pk}", {"program": program.pk})
        return 200, {"published": count}

    return _idempotent(request, {}, write)
