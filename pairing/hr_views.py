"""Pairing pages for HR admins: enrolments, the matching run and its review, exit requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.pagination import paginate
from accounts.roles import hr_admin_required
from pairing import match_runs, pairs, review_reads, selectors, services
from pairing.forms import (
    BulkApproveForm,
    DecisionForm,
    LockForm,
    ManualPairForm,
    ResolveExitForm,
    SwapForm,
)
from pairing.lifecycle import FLAGGED_SHOWN, pairs_in_reporting_line
from pairing.models import (
    Enrollment,
    ExitRequest,
    Pair,
)
from pairing.views import error_text
from programs.selectors import get_program_for_hr

# --- HR: enrolments ---------------------------------------------------------------------------


@hr_admin_required
@require_GET
def hr_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pairing/hr_index.html",
        {
            "programs": selectors.hr_programs(),
            "open_exits": ExitRequest.objects.filter(resolved_at__isnull=True).count(),
        },
    )


def _status_filter(value: str | None) -> str:
    return value if value in Enrollment.Status.values else ""


@hr_admin_required
@require_GET
def hr_enrollments(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_pk)
    status = _status_filter(request.GET.get("status"))
    role = request.GET.get("role") if request.GET.get("role") in Enrollment.Role.values else ""
    q = request.GET.get("q", "")[:100].strip()
    page = selectors.hr_enrollments_page(
        program, status=status or None, role=role or None, q=q, page=request.GET.get("page")
    )
    context = {
        "program": program, "status": status, "role": role, "q": q, "page": page,
        "statuses": Enrollment.Status.choices, "roles": Enrollment.Role.choices,
        "counts": selectors.enrollment_status_counts(program),
    }
    # htmx asks for the results alone when the search or a filter changes; links still work without it.
    if request.htmx:
        return render(request, "pairing/_hr_enrollments_results.html", context)
    return render(request, "pairing/hr_enrollments.html", context)


def _back_to_enrollments(program_pk: int, status: str | None) -> HttpResponse:
    url = reverse("pairing:hr_enrollments", args=[program_pk])
    status = _status_filter(status)
    return redirect(f"{url}?status={status}" if status else url)


@hr_admin_required
@require_POST
def hr_decide(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_for_hr(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve, waitlist or decline."))
    else:
        try:
            services.enrollment_decide(
                enrollment=enrollment, decision=form.cleaned_data["decision"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            enrollment.refresh_from_db(fields=["status"])
            messages.success(
                request,
                _("%(name)s: %(status)s.")
                % {"name": enrollment.user.display_name, "status": enrollment.get_status_display()},
            )
    return _back_to_enrollments(enrollment.program_id, request.POST.get("filter"))


@hr_admin_required
@require_POST
def hr_bulk_approve(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_pk)
    form = BulkApproveForm(request.POST, program=program)
    if not form.is_valid():
        messages.error(request, _("Tick at least one application that is waiting for a decision."))
    else:
        try:
            n = services.enrollment_bulk_approve(
                program=program,
                by=request.user,
                enrollment_ids=[e.pk for e in form.cleaned_data["enrollments"]],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Approved %(n)s application(s).") % {"n": n})
    return _back_to_enrollments(program.pk, request.POST.get("filter"))


# --- HR: matching review ----------------------------------------------------------------------


def _review_search(request: HttpRequest) -> str:
    return request.GET.get("q", "")[:100].strip()


def _render_review(request: HttpRequest, program, swap_form=None, manual_form=None) -> HttpResponse:
    """The review in pages: 25 proposals and 50 published pairs at a time, the forms' lists from the
    page shown (and the search), the figures as aggregates, so 20,000 candidates cost what 100 do."""
    q = _review_search(request)
    drafts = paginate(request, review_reads.review_drafts(program, q), anchor="#proposals",
                      per_page=review_reads.PROPOSALS_PER_PAGE)
    drafts.object_list = selectors.with_breakdown(list(drafts.object_list), program)
    published = paginate(request, review_reads.review_published(program, q), param="published",
                         anchor="#published")
    free_mentors = review_reads.free_people(program, Enrollment.Role.MENTOR, q)
    free_mentees = review_reads.free_people(program, Enrollment.Role.MENTEE, q)
    context = {
        **review_reads.review_figures(program),
        "program": program, "q": q, "drafts": drafts, "published": published,
        "free_mentors": free_mentors, "free_mentees": free_mentees, "choices": review_reads.CHOICES,
        "last_run": review_reads.last_run(program),
        "open_exits": review_reads.open_exit_count(program),
        "swap_form": swap_form or SwapForm(program=program, drafts=drafts.object_list),
        "manual_form": manual_form
        or ManualPairForm(program=program, mentors=free_mentors, mentees=free_mentees),
        "can_run": program.status in services.MATCHABLE,
        "can_publish": program.status in services.PUBLISHABLE,
    }
    return render(request, "pairing/hr_review.html", context)


@hr_admin_required
@require_GET
def hr_review(request: HttpRequest, program_pk: int) -> HttpResponse:
    return _render_review(request, get_program_for_hr(request.user, program_pk))


@hr_admin_required
@require_POST
def hr_run_start(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_pk)
    try:
        run = match_runs.match_run_start(program=program, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("pairing:hr_review", program_pk=program.pk)
    return redirect("pairing:hr_run", pk=run.pk)


@hr_admin_required
@require_GET
def hr_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run_for_hr(request.user, pk)
    return render(request, "pairing/hr_run.html", {"run": run, "program": run.program})


@hr_admin_required
@require_GET
def hr_run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run_for_hr(request.user, pk)
    if not request.htmx:  # the partial alone is no page: send browsers to the full one
        return redirect("pairing:hr_run", pk=run.pk)
    return render(request, "pairing/_run_progress.html", {"run": run, "program": run.program})


def _back_to_review(pair: Pair) -> HttpResponse:
    return redirect(reverse("pairing:hr_review", args=[pair.program_id]) + "#proposals")


@hr_admin_required
@require_POST
def hr_pair_lock(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_hr(request.user, pk)
    form = LockForm(request.POST)
    locked = form.cleaned_data["locked"] if form.is_valid() else not pair.locked
    try:
        pairs.pair_set_locked(pair=pair, locked=locked, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            (
                _("Locked %(pair)s: re-runs keep it.")
                if locked
                else _("Unlocked %(pair)s: a re-run may change it.")
            )
            % {"pair": pair},
        )
    return _back_to_review(pair)


@hr_admin_required
@require_POST
def hr_pair_forbid(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_hr(request.user, pk)
    try:
        pairs.pair_forbid(pair=pair, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _(
                "%(pair)s will never be proposed again in this program. Re-run matching "
                "to find both a new match."
            )
            % {"pair": pair},
        )
    return _back_to_review(pair)


@hr_admin_required
@require_POST
def hr_swap(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_pk)
    form = SwapForm(request.POST, program=program)
    if form.is_valid():
        try:
            swapped = pairs.pair_swap(program=program, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Swapped: %(a)s and %(b)s (both locked).") % {"a": swapped[0], "b": swapped[1]}
            )
            return redirect(reverse("pairing:hr_review", args=[program.pk]) + "#proposals")
    return _render_review(request, program, swap_form=form)


@hr_admin_required
@require_POST
def hr_manual_pair(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_pk)
    form = ManualPairForm(request.POST, program=program)
    if form.is_valid():
        try:
            pair = pairs.pair_create_manual(program=program, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Paired %(pair)s (locked).") % {"pair": pair})
            return redirect(reverse("pairing:hr_review", args=[program.pk]) + "#proposals")
    return _render_review(request, program, manual_form=form)


@hr_admin_required
@require_POST
def hr_publish(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_pk)
    try:
        n = pairs.pairs_publish(program=program, by=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("Published %(n)s pair(s). Everyone has an e-mail asking them to accept.") % {"n": n}
        )
    return redirect("pairing:hr_review", program_pk=program.pk)


# --- HR: exits --------------------------------------------------------------------------------


@hr_admin_required
@require_GET
def hr_exits(request: HttpRequest) -> HttpResponse:
    flagged = pairs_in_reporting_line()
    return render(
        request,
        "pairing/hr_exits.html",
        {
            "open_requests": paginate(request, review_reads.exit_queue(), anchor="#open-heading",
                                      per_page=review_reads.EXITS_PER_PAGE),
            "recent": selectors.hr_recent_exits(),
            "reporting_line_pairs": flagged[:FLAGGED_SHOWN],
            "reporting_line_more": len(flagged) > FLAGGED_SHOWN,
        },
    )


@hr_admin_required
@require_http_methods(["GET", "POST"])
def hr_exit_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    exit_request = selectors.get_exit_request_for_hr(request.user, pk)
    default = (
        ExitRequest.Outcome.REMATCH_BOTH
        if exit_request.kind == ExitRequest.Kind.REMATCH
        else ExitRequest.Outcome.REQUESTER_LEAVES
    )
    pair = exit_request.pair
    partner = pair.partner_of(exit_request.requested_by)
    form = ResolveExitForm(
        request.POST or None,
        initial={"outcome": default},
        requester=exit_request.requested_by,
        partner=partner,
    )
    if request.method == "POST" and not exit_request.is_open:
        messages.error(request, _("This request has already been resolved."))
        return redirect("pairing:hr_exits")
    if request.method == "POST" and form.is_valid():
        try:
            pairs.exit_request_resolve(
                exit_request=exit_request, outcome=form.cleaned_data["outcome"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Request resolved. The people concerned have been told."))
            return redirect("pairing:hr_exits")
    context = {"exit_request": exit_request, "pair": pair, "form": form, "partner": partner}
    return render(request, "pairing/hr_exit_resolve.html", context)
