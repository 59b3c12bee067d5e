"""Bulk enrolment write: a program's enrolments from a list of employees, all or nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router

from api.core import ERRORS
from api.problems import Problem
from api.reads import _id
from api.schemas import EnrolmentsIn, EnrolmentsOut
from api.writes import _audit, _idempotent, _writer
from pairing.models import Enrollment
from pairing.services import MATCHABLE, enrollment_decide, lock_program
from programs.selectors import get_program_for_hr

router = Router(tags=["write"])
ROLES = {Enrollment.Role.MENTOR, Enrollment.Role.MENTEE}
STATUSES = {Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED, Enrollment.Status.APPLIED}

DESCRIPTION = (
    "Creates or updates one enrolment per row. Every row is checked first; if any row fails the "
    "answer is 422 with `errors: [{row, field, detail}]` (rows count from 0) and nothing is saved. "
    "HR-created enrolments record the program's current published agreement as accepted at the "
    "time of this request, decided by the HR admin (the model requires an accepted version; the "
    "audit trail shows it came from HR through the API). Status defaults to approved."
)


def _check(program, rows) -> tuple[list[dict], dict]:
    """Every row's problems, and the people by e-mail (one query for people, one for enrolments)."""
    errors: list[dict] = []
    if program.status not in MATCHABLE:
        errors.append({"row": None, "field": "program",
                       "detail": str(_("This program is not enrolling, matching or running."))})
    if program.current_agreement() is None:
        errors.append({"row": None, "field": "program",
                       "detail": str(_("This program has no published agreement yet."))})
    emails = {row.email.strip().lower() for row in rows}
    people = {u.email.lower(): u for u in get_user_model().objects.filter(email__in=emails, is_active=True)}
    existing = {e.user_id: e for e in Enrollment.objects.filter(program=program, user__in=people.values())}
    seen: set[str] = set()
    for i, row in enumerate(rows):
        email = row.email.strip().lower()
        if email in seen:
            errors.append({"row": i, "field": "email",
                           "detail": str(_("This e-mail is already in an earlier row."))})
            continue
        seen.add(email)
        if email not in people:
            errors.append({"row": i, "field": "email", "detail": str(_("No employee with this e-mail."))})
        if row.role not in ROLES:
            errors.append({"row": i, "field": "role", "detail": str(_('Role must be "mentor" or "mentee".'))})
        if row.status is not None and row.status not in STATUSES:
            errors.append({"row": i, "field": "status",
                           "detail": str(_('Status must be "approved", "waitlisted" or "applied".'))})
        if row.status == Enrollment.Status.APPLIED and email in people:
            current = existing.get(people[email].pk)
            if current is not None and current.status != Enrollment.Status.APPLIED:
                errors.append({"row": i, "field": "status",
                               "detail": str(_("A decided enrolment cannot go back to applied."))})
        if row.capacity is not None:
            top = program.mentor_capacity if row.role == Enrollment.Role.MENTOR else 1
            if not 1 <= row.capacity <= top:
                errors.append({"row": i, "field": "capacity",
                               "detail": str(_("Capacity must be between 1 and %(n)d.") % {"n": top})})
        person = people.get(email)
        current = existing.get(person.pk) if person else None
        if current is not None and row.role in ROLES and current.role != row.role and current.status not in (
            Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED
        ):
            errors.append({"row": i, "field": "role",
                           "detail": str(_("This person is already enrolled as %(role)s.")
                                         % {"role": current.get_role_display().lower()})})
    return errors, {"people": people, "existing": existing}


@router.put(
    "/programs/{program_id}/enrolments/",
    response={200: EnrolmentsOut, **ERRORS},
    summary="Create or update a program's enrolments from a list of employees (all or nothing)",
    description=DESCRIPTION,
)
def enrolments_put(request, payload: EnrolmentsIn, program_id: int = _id()):
    _writer(request)
    program = get_program_for_hr(request.user, program_id)

    def write():
        locked = lock_program(program)
        errors, found = _check(locked, payload.enrolments)
        if errors:
            raise Problem(422, _("Some rows are not valid; nothing was saved."), errors=errors)
        agreement, now, results, late = locked.current_agreement(), timezone.now(), [], []
        for i, row in enumerate(payload.enrolments):
            person = found["people"][row.email.strip().lower()]
            enrollment = found["existing"].get(person.pk)
            status = row.status or Enrollment.Status.APPROVED
            kept = enrollment.capacity if enrollment is not None and enrollment.role == row.role else None
            capacity = row.capacity or kept or locked.mentor_capacity
            if row.role == Enrollment.Role.MENTEE:
                capacity = 1
            if enrollment is not None and (enrollment.role, enrollment.status, enrollment.capacity) == (
                row.role, status, capacity
            ):
                results.append({"row": i, "outcome": "unchanged", "enrolment_id": enrollment.pk})
                continue
            if enrollment is None:
                outcome = "created"
                enrollment = Enrollment(program=locked, user=person, agreement_version=agreement,
                                        role=row.role, agreement_accepted_at=now, applied_at=now,
                                        learn_goals="", teach_goals="", status=status, capacity=capacity)
                if status != Enrollment.Status.APPLIED:
                    enrollment.decided_at, enrollment.decided_by = now, request.user
                enrollment.full_clean(exclude=["learn_goals", "teach_goals"])
                enrollment.save()
            else:
                outcome = "updated"
                if (enrollment.role, enrollment.capacity) != (row.role, capacity):
                    # A role change only reaches here for a declined or withdrawn enrolment.
                    enrollment.role, enrollment.capacity = row.role, capacity
                    enrollment.save(update_fields=["role", "capacity", "updated_at"])
                if enrollment.status != status:
                    # The pages' HR decision: refuses people in published pairs, drops their
                    # drafts, and e-mails the person once the whole list has committed.
                    try:
                        enrollment_decide(enrollment=enrollment, decision=status, by=request.user)
                    except ValidationError as exc:
                        late.append({"row": i, "field": "status", "detail": " ".join(exc.messages)})
                        continue
            results.append({"row": i, "outcome": outcome, "enrolment_id": enrollment.pk})
        if late:  # raising undoes the rows already written in this transaction
            raise Problem(422, _("Some rows are not valid; nothing was saved."), errors=late)
        counts = {k: sum(r["outcome"] == k for r in results) for k in ("created", "updated", "unchanged")}
        _audit(request, f"bulk enrolments of program {locked.pk}: {counts}", {"program": locked.pk, **counts})
        return 200, {"results": results}

    return _idempotent(request, payload.dict(), write)
