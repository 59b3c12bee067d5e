"""Reads of profiles, enrolments and pairs used by several views (and the home page).

Each function costs a fixed number of queries however many enrolments or pairs there are.
The ``get_<obj>_for_<who>`` helpers scope what a URL may reach and raise 404 otherwise.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_hr_admin
from pairing.models import (
    AvailabilityWindow,
    Enrollment,
    ExitRequest,
    Expertise,
    LearningInterest,
    MatchRun,
    Pair,
    Profile,
)
from pairing.rules import Eligibility, enrollment_eligibility
from programs.models import AgreementVersion, Program, Resource

PAIR_PEOPLE = ("mentor__user", "mentee__user")

# The engine's score parts, in the order HR reads them.
PART_LABELS = {
    "mentor_teaches": _("Mentor can teach what the mentee wants to learn"),
    "mentee_teaches": _("Mentee can teach what the mentor wants to learn"),
    "availability": _("Overlapping availability"),
    "cross_department": _("Different departments"),
    "timezone": _("Close time zones"),
    "language": _("Shared language"),
}


def one_decimal():
    """A formatter of numbers to one decimal as ``floatformat:1`` writes them in the active language
    (rounding half up, the language's decimal mark), looked up once: the review writes about a
    thousand such numbers a page, and the filter's per-call locale lookups made them its dearest part."""
    mark = formats.get_format("DECIMAL_SEPARATOR", use_l10n=True)
    step = Decimal("0.1")
    return lambda value: str(Decimal(repr(float(value))).quantize(step, ROUND_HALF_UP)).replace(".", mark)


def with_breakdown(pairs: list[Pair], program: Program) -> list[Pair]:
    """Attach ``breakdown`` = [(label, points, most points possible, both as text)] and
    ``score_text`` to each pair (no queries)."""
    weights = program.matching_weights()
    text = one_decimal()
    labels = [(key, str(label), weights[key], text(weights[key])) for key, label in PART_LABELS.items()
              if weights.get(key)]
    for pair in pairs:
        parts = pair.parts or {}
        pair.score_text = text(pair.score)
        pair.breakdown = [(label, float(parts.get(key, 0.0)), most, text(parts.get(key, 0.0)), most_text)
                          for key, label, most, most_text in labels]
    return pairs


# --- Access helpers ---------------------------------------------------------------------------


def get_enrollment_for_user(user, pk: int) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.select_related("program", "agreement_version"), pk=pk, user=user
    )


def get_pair_for_user(user, pk: int) -> Pair:
    """A published pair the person is in; drafts and other people's pairs are 404."""
    return get_object_or_404(
        Pair.objects.select_related("program", *PAIR_PEOPLE).filter(
            Q(mentor__user=user) | Q(mentee__user=user), published_at__isnull=False
        ),
        pk=pk,
    )


def get_program_for_employee(user, pk: int) -> Program:
    """Programs signed-in employees may read about and apply to: everything but drafts."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Program.objects.exclude(status=Program.Status.DRAFT), pk=pk)


def _hr_only(user) -> None:
    if not is_hr_admin(user):
        raise Http404


def get_enrollment_for_hr(user, pk: int) -> Enrollment:
    _hr_only(user)
    return get_object_or_404(Enrollment.objects.select_related("program", "user"), pk=pk)


def get_pair_for_hr(user, pk: int) -> Pair:
    _hr_only(user)
    return get_object_or_404(Pair.objects.select_related("program", *PAIR_PEOPLE), pk=pk)


def get_run_for_hr(user, pk: int) -> MatchRun:
    _hr_only(user)
    return get_object_or_404(MatchRun.objects.select_related("program", "started_by"), pk=pk)


def get_exit_request_for_hr(user, pk: int) -> ExitRequest:
    _hr_only(user)
    return get_object_or_404(
        ExitRequest.objects.select_related(
            "pair__program", "requested_by", *(f"pair__{p}" for p in PAIR_PEOPLE)
        ),
        pk=pk,
    )


def get_own_row(model, user, pk: int):
    """An expertise, interest or availability row of the person's own profile."""
    if model not in (Expertise, LearningInterest, AvailabilityWindow):
        raise Http404
    return get_object_or_404(model, pk=pk, profile__user=user)


# --- Participant ------------------------------------------------------------------------------


def profile_page(user) -> dict[str, object]:
    """The person's profile rows and HR-owned facts (manager loaded with the user)."""
    profile = (
        Profile.objects.filter(user=user)
        .prefetch_related(
            Prefetch("expertise", queryset=Expertise.objects.select_related("topic")),
            Prefetch("interests", queryset=LearningInterest.objects.select_related("topic")),
            "availability",
        )
        .first()
    )
    return {
        "profile": profile,
        "expertise": list(profile.expertise.all()) if profile else [],
        "interests": list(profile.interests.all()) if profile else [],
        "availability": list(profile.availability.all()) if profile else [],
    }


def _open_programs(user, enrollments: list[Enrollment]) -> list[tuple[Program, dict[str, Eligibility]]]:
    """Programs taking applications, with the person's eligibility for each role."""
    mine = {e.program_id: e for e in enrollments}
    programs = (
        Program.objects.filter(status=Program.Status.ENROLLING)
        .annotate(
            has_agreement=Exists(
                AgreementVersion.objects.filter(program=OuterRef("pk"), published_at__isnull=False)
            ),
        )
        .order_by("enrolment_closes", "name")
    )
    out = []
    for program in programs:
        existing = mine.get(program.pk)
        if existing is not None and existing.status != Enrollment.Status.WITHDRAWN:
            continue
        verdicts = {
            role: enrollment_eligibility(
                program=program, user=user, role=role, existing=None, has_agreement=program.has_agreement
            )
            for role in Enrollment.Role.values
        }
        out.append((program, verdicts))
    return out


def my_pairs(user, enrollment_ids: list[int] | None = None):
    """Published pairs the person is or was in, newest first, with both people loaded.

    Given the person's enrolment ids (the caller has them), the pairs are found by those instead
    of by "the mentor's or the mentee's user": PostgreSQL spent ~7 ms planning that condition
    across the joined tables, for a query that ran in under 1 ms."""
    if enrollment_ids is None:
        mine = Q(mentor__user=user) | Q(mentee__user=user)
    else:
        mine = Q(mentor_id__in=enrollment_ids) | Q(mentee_id__in=enrollment_ids)
    return list(
        Pair.objects.select_related("program", *PAIR_PEOPLE)
        .filter(mine, published_at__isnull=False)
        .order_by("-published_at", "-id")
    )


def my_mentoring(user) -> dict[str, object]:
    """Everything the "My mentoring" page shows, in four queries."""
    enrollments = list(Enrollment.objects.filter(user=user).select_related("program").order_by("-applied_at"))
    pairs = my_pairs(user, [e.pk for e in enrollments])
    for pair in pairs:
        pair.my_side = pair.side_of(user)
        pair.partner = pair.partner_of(user)
    open_requests = set(
        ExitRequest.objects.filter(requested_by=user, resolved_at__isnull=True).values_list(
            "pair_id", flat=True
        )
    )
    for pair in pairs:
        pair.exit_requested = pair.pk in open_requests
    # A certificate (evaluation app) for everyone who was in a pair that started, once the program closed.
    started = {e for p in pairs if p.activated_at for e in (p.mentor_id, p.mentee_id)}
    for enrollment in enrollments:
        enrollment.certificate_ready = (
            enrollment.pk in started and enrollment.program.status == Program.Status.CLOSED
        )
    return {
        "enrollments": enrollments,
        "pairs": pairs,
        "offers": [p for p in pairs if p.is_offer and p.response_of(p.my_side) == Pair.Response.PENDING],
        "active_pairs": [p for p in pairs if p.status == Pair.Status.ACTIVE],
        "open_programs": _open_programs(user, enrollments),
    }


def participant_home(user) -> dict[str, object]:
    """What a participant's home panel shows (every signed-in person gets it), in four queries."""
    data = my_mentoring(user)
    return {
        "pairing": {
            "enrollments": [e for e in data["enrollments"] if e.status != Enrollment.Status.WITHDRAWN],
            "offers": data["offers"],
            "active_pairs": data["active_pairs"],
            "open_programs": data["open_programs"],
        }
    }


def training_checklist(enrollment: Enrollment) -> list[tuple[Resource, bool]]:
    """The person's training resources with whether each is done (two queries)."""
    done = set(enrollment.training.values_list("resource_id", flat=True))
    resources = Resource.objects.filter(
        program_id=enrollment.program_id, audience__in=[enrollment.resource_audience, Resource.Audience.BOTH]
    )
    return [(r, r.pk in done) for r in resources]


# --- HR ---------------------------------------------------------------------------------------


def hr_programs() -> list[Program]:
    """Programs HR works on, with enrolment, pair and exit counts (one query)."""
    return list(
        Program.objects.exclude(status=Program.Status.CLOSED)
        .annotate(
            n_applied=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.APPLIED), distinct=True
            ),
            n_approved=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.APPROVED), distinct=True
            ),
            n_drafts=Count(
                "pairs",
                filter=Q(pairs__status=Pair.Status.PROPOSED, pairs__published_at__isnull=True),
                distinct=True,
            ),
            n_active=Count("pairs", filter=Q(pairs__status=Pair.Status.ACTIVE), distinct=True),
        )
        .order_by("-created_at")
    )


HR_PAGE_SIZE = 50


def hr_enrollments(
    program: Program, status: str | None = None, *, role: str | None = None, q: str = ""
) -> QuerySet[Enrollment]:
    """Applications matching HR's filters, with the person and their manager, in review order."""
    rows = (
        Enrollment.objects.filter(program=program)
        .select_related("user__manager")
        .order_by("status", "role", "applied_at", "id")
    )
    if status:
        rows = rows.filter(status=status)
    if role:
        rows = rows.filter(role=role)
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(user__full_name__icontains=q) | Q(user__email__icontains=q)
            | Q(user__department__icontains=q) | Q(user__job_title__icontains=q)
        )
    return rows


def hr_enrollments_page(
    program: Program, *, status: str | None = None, role: str | None = None, q: str = "",
    page: object = 1, per_page: int = HR_PAGE_SIZE,
) -> Page:
    """One page of applications (same queries at 100 or 20,000 participants: a count, the page's
    rows, their training and the program's required resources), each with how much required
    training it has done."""
    paginator = Paginator(hr_enrollments(program, status, role=role, q=q), per_page)
    result = paginator.get_page(page)
    rows = list(result.object_list.prefetch_related("training"))
    required: dict[str, set[int]] = {Resource.Audience.MENTORS: set(), Resource.Audience.MENTEES: set()}
    for rid, audience in Resource.objects.filter(
        program=program, required_before_matching=True
    ).values_list("id", "audience"):
        for key, ids in required.items():
            if audience in (key, Resource.Audience.BOTH):
                ids.add(rid)
    for e in rows:
        needed = required[e.resource_audience]
        e.training_done = len(needed & {t.resource_id for t in e.training.all()})
        e.training_needed = len(needed)
    result.object_list = rows
    return result


def enrollment_status_counts(program: Program) -> dict[str, int]:
    # order_by(): the model's default order (by program) joined the programs table for nothing;
    # without it the counts come from the enrolments' (program, status, ...) index alone.
    return dict(
        Enrollment.objects.filter(program=program).order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )


def hr_recent_exits(limit: int = 20) -> list[ExitRequest]:
    """The latest resolved requests, with only the columns the exits page shows."""
    person = lambda path: (f"{path}__id", f"{path}__full_name", f"{path}__email")  # noqa: E731
    return list(
        ExitRequest.objects.filter(resolved_at__isnull=False)
        .select_related("requested_by", "resolved_by", "pair__program")
        .only("id", "pair_id", "requested_by_id", "resolved_by_id", "outcome", "resolved_at",
              *person("requested_by"), *person("resolved_by"), "pair__id", "pair__program_id",
              "pair__program__id", "pair__program__name")
        .order_by("-resolved_at")[:limit]
    )


def apply_options(program: Program, user) -> dict[str, object]:
    """What the application page needs: the agreement, the eligibility per role, the topics."""
    existing = Enrollment.objects.filter(program=program, user=user).first()
    agreement = program.current_agreement()
    verdicts = {
        role: enrollment_eligibility(
            program=program, user=user, role=role, existing=existing, has_agreement=agreement is not None
        )
        for role in Enrollment.Role.values
    }
    return {
        "existing": existing,
        "agreement": agreement,
        "verdicts": verdicts,
        "roles": [(value, label) for value, label in Enrollment.Role.choices if verdicts[value].ok],
        "program_topics": list(program.program_topics.select_related("topic")),
    }
