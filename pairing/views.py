"""Participant pages (profile, enrolment, offers, exits) and HR pages (review, matching, exits)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import hr_admin_required
from pairing import selectors, services
from pairing.forms import (
    ApplyForm,
    AvailabilityForm,
    BulkApproveForm,
    DecisionForm,
    ExitRequestForm,
    ExpertiseForm,
    GoalsForm,
    InterestForm,
    LockForm,
    ManualPairForm,
    ProfileAboutForm,
    ResolveExitForm,
    RespondForm,
    SwapForm,
)
from pairing.lifecycle import pairs_in_reporting_line
from pairing.models import (
    AvailabilityWindow,
    Enrollment,
    ExitRequest,
    Expertise,
    LearningInterest,
    Pair,
    Profile,
)
from programs.models import Resource


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Participant: "My mentoring" and profile --------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "pairing/mine.html", selectors.my_mentoring(request.user))


def _render_profile(request: HttpRequest, **forms) -> HttpResponse:
    context = selectors.profile_page(request.user)
    context.update(
        {
            "about_form": forms.get("about_form")
            or ProfileAboutForm(instance=context["profile"] or Profile(user=request.user)),
            "expertise_form": forms.get("expertise_form") or ExpertiseForm(prefix="expertise"),
            "interest_form": forms.get("interest_form") or InterestForm(prefix="interest"),
            "availability_form": forms.get("availability_form") or AvailabilityForm(prefix="availability"),
        }
    )
    return render(request, "pairing/profile.html", context)


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    return _render_profile(request)


@login_required
@require_POST
def profile_about(request: HttpRequest) -> HttpResponse:
    form = ProfileAboutForm(request.POST, instance=services.profile_get_or_create(user=request.user))
    if form.is_valid():
        services.profile_update(
            user=request.user, languages=form.cleaned_data["languages"], bio=form.cleaned_data["bio"]
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("pairing:profile")
    return _render_profile(request, about_form=form)


def _add_row(request: HttpRequest, form, save, success: str, form_name: str, anchor: str) -> HttpResponse:
    """Validate a small add form, call its service, and re-show the profile with errors if needed."""
    if form.is_valid():
        try:
            save(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(reverse("pairing:profile") + f"#{anchor}")
    return _render_profile(request, **{form_name: form})


@login_required
@require_POST
def expertise_add(request: HttpRequest) -> HttpResponse:
    return _add_row(
        request,
        ExpertiseForm(request.POST, prefix="expertise"),
        services.expertise_save,
        _("Expertise saved."),
        "expertise_form",
        "expertise",
    )


@login_required
@require_POST
def interest_add(request: HttpRequest) -> HttpResponse:
    return _add_row(
        request,
        InterestForm(request.POST, prefix="interest"),
        services.interest_save,
        _("Learning interest saved."),
        "interest_form",
        "interests",
    )


@login_required
@require_POST
def availability_add(request: HttpRequest) -> HttpResponse:
    return _add_row(
        request,
        AvailabilityForm(request.POST, prefix="availability"),
        services.availability_add,
        _("Availability window added."),
        "availability_form",
        "availability",
    )


@login_required
@require_POST
def expertise_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.expertise_remove(expertise=selectors.get_own_row(Expertise, request.user, pk))
    messages.success(request, _("Topic removed from your expertise."))
    return redirect(reverse("pairing:profile") + "#expertise")


@login_required
@require_POST
def interest_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.interest_remove(interest=selectors.get_own_row(LearningInterest, request.user, pk))
    messages.success(request, _("Topic removed from your learning interests."))
    return redirect(reverse("pairing:profile") + "#interests")


@login_required
@require_POST
def availability_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.availability_remove(window=selectors.get_own_row(AvailabilityWindow, request.user, pk))
    messages.success(request, _("Availability window removed."))
    return redirect(reverse("pairing:profile") + "#availability")


# --- Participant: enrolment -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = selectors.get_program_for_employee(program_pk)
    options = selectors.apply_options(program, request.user)
    form = None
    if options["roles"]:
        form = ApplyForm(
            request.POST or None,
            program=program,
            roles=options["roles"],
            program_topics=options["program_topics"],
            initial={"agreement_version": options["agreement"].pk},
        )
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            enrollment = services.enrollment_apply(
                program=program,
                user=request.user,
                role=data["role"],
                agreement_version_id=data["agreement_version"],
                learn_goals=data["learn_goals"],
                teach_goals=data["teach_goals"],
                capacity=data.get("capacity"),
                skill_scores=form.skill_scores(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you for applying. HR will review your application; meanwhile, "
                    "finish your training below."
                ),
            )
            return redirect("pairing:enrollment", pk=enrollment.pk)
    return render(request, "pairing/apply.html", {"program": program, "form": form, **options})


def _render_enrollment(request: HttpRequest, enrollment: Enrollment, goals_form=None) -> HttpResponse:
    pairs = [p for p in selectors.my_pairs(request.user) if enrollment.pk in (p.mentor_id, p.mentee_id)]
    context = {
        "enrollment": enrollment,
        "checklist": selectors.training_checklist(enrollment),
        "goals_form": goals_form or GoalsForm.for_enrollment(enrollment),
        "pairs": pairs,
        "has_active_pair": any(p.status == Pair.Status.ACTIVE for p in pairs),
        "has_offer": any(p.is_offer for p in pairs),
        "can_edit_goals": enrollment.status not in (Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED),
    }
    return render(request, "pairing/enrollment.html", context)


@login_required
@require_GET
def enrollment(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_enrollment(request, selectors.get_enrollment_for_user(request.user, pk))


@login_required
@require_POST
def enrollment_goals(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_for_user(request.user, pk)
    form = GoalsForm(request.POST)
    if form.is_valid():
        try:
            services.enrollment_update_goals(enrollment=enrollment, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Your goals are saved."))
        return redirect("pairing:enrollment", pk=enrollment.pk)
    return _render_enrollment(request, selectors.get_enrollment_for_user(request.user, pk), goals_form=form)


@login_required
@require_POST
def training_done(request: HttpRequest, pk: int, resource_pk: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_for_user(request.user, pk)
    resource = get_object_or_404(Resource, pk=resource_pk, program_id=enrollment.program_id)
    done = request.POST.get("done") != "0"
    try:
        services.training_set_done(enrollment=enrollment, resource=resource, done=done)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Marked “%(title)s” as done.") % {"title": resource.title}
            if done
            else _("Marked “%(title)s” as not done.") % {"title": resource.title},
        )
    return redirect(reverse("pairing:enrollment", args=[enrollment.pk]) + "#training")


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_for_user(request.user, pk)
    try:
        services.enrollment_withdraw(enrollment=enrollment, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("You have withdrawn from %(program)s.") % {"program": enrollment.program})
    return redirect("pairing:enrollment", pk=enrollment.pk)


# --- Participant: offers and exits ------------------------------------------------------------


@login_required
@require_GET
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_user(request.user, pk)
    side = pair.side_of(request.user)
    partner = pair.partner_of(request.user)
    context = {
        "pair": pair,
        "side": side,
        "partner": partner,
        "partner_profile": Profile.objects.filter(user=partner).first(),
        "my_response": pair.response_of(side),
        "exit_requested": pair.exit_requests.filter(
            requested_by=request.user, resolved_at__isnull=True
        ).exists(),
    }
    return render(request, "pairing/pair.html", context)


@login_required
@require_POST
def pair_respond(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_user(request.user, pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose Accept or Decline."))
        return redirect("pairing:pair", pk=pair.pk)
    accept = form.cleaned_data["response"] == "accept"
    try:
        pair = services.pair_respond(pair=pair, user=request.user, accept=accept)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if not accept:
            messages.success(
                request, _("You declined this pairing. No one is blamed: HR will find you a new match.")
            )
        elif pair.status == Pair.Status.ACTIVE:
            messages.success(request, _("You are paired! Time to plan your first session."))
        else:
            messages.success(request, _("Thank you; we are waiting for your pair to answer."))
    return redirect("pairing:pair", pk=pair.pk)


@login_required
@require_http_methods(["GET", "POST"])
def exit_request(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_user(request.user, pk)
    form = ExitRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exit_request_create(pair=pair, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("HR has your request and will be in touch. Your pair is not told why, or who asked."),
            )
            return redirect("pairing:pair", pk=pair.pk)
    return render(
        request,
        "pairing/exit_request.html",
        {"pair": pair, "form": form, "partner": pair.partner_of(request.user)},
    )


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
    program = selectors.get_program_for_hr(program_pk)
    status = _status_filter(request.GET.get("status"))
    return render(
        request,
        "pairing/hr_enrollments.html",
        {
            "program": program,
            "status": status,
            "statuses": Enrollment.Status.choices,
            "enrollments": selectors.hr_enrollments(program, status or None),
            "counts": selectors.enrollment_status_counts(program),
        },
    )


def _back_to_enrollments(program_pk: int, status: str | None) -> HttpResponse:
    url = reverse("pairing:hr_enrollments", args=[program_pk])
    status = _status_filter(status)
    return redirect(f"{url}?status={status}" if status else url)


@hr_admin_required
@require_POST
def hr_decide(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.get_enrollment_for_hr(pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve, waitlist or decline."))
    else:
        try:
            services.enrollment_decide(
                enrollment=enrollment, decision=form.cleaned_data["decision"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
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
    program = selectors.get_program_for_hr(program_pk)
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
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Approved %(n)s application(s).") % {"n": n})
    return _back_to_enrollments(program.pk, request.POST.get("filter"))


# --- HR: matching review ----------------------------------------------------------------------


def _render_review(request: HttpRequest, program, swap_form=None, manual_form=None) -> HttpResponse:
    context = selectors.hr_review(program)
    context.update(
        {
            "program": program,
            "swap_form": swap_form or SwapForm(program=program, drafts=context["drafts"]),
            "manual_form": manual_form
            or ManualPairForm(
                program=program, mentors=context["free_mentors"], mentees=context["free_mentees"]
            ),
            "can_run": program.status in services.MATCHABLE,
            "can_publish": program.status in services.PUBLISHABLE,
        }
    )
    return render(request, "pairing/hr_review.html", context)


@hr_admin_required
@require_GET
def hr_review(request: HttpRequest, program_pk: int) -> HttpResponse:
    return _render_review(request, selectors.get_program_for_hr(program_pk))


@hr_admin_required
@require_POST
def hr_run_start(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(program_pk)
    try:
        run = services.match_run_start(program=program, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("pairing:hr_review", program_pk=program.pk)
    return redirect("pairing:hr_run", pk=run.pk)


@hr_admin_required
@require_GET
def hr_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run_for_hr(pk)
    return render(request, "pairing/hr_run.html", {"run": run, "program": run.program})


@hr_admin_required
@require_GET
def hr_run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.get_run_for_hr(pk)
    if not request.htmx:  # the partial alone is no page: send browsers to the full one
        return redirect("pairing:hr_run", pk=run.pk)
    return render(request, "pairing/_run_progress.html", {"run": run, "program": run.program})


def _back_to_review(pair: Pair) -> HttpResponse:
    return redirect(reverse("pairing:hr_review", args=[pair.program_id]) + "#proposals")


@hr_admin_required
@require_POST
def hr_pair_lock(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_hr(pk)
    form = LockForm(request.POST)
    locked = form.cleaned_data["locked"] if form.is_valid() else not pair.locked
    try:
        services.pair_set_locked(pair=pair, locked=locked, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
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
    pair = selectors.get_pair_for_hr(pk)
    try:
        services.pair_forbid(pair=pair, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
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
    program = selectors.get_program_for_hr(program_pk)
    form = SwapForm(request.POST, program=program)
    if form.is_valid():
        try:
            pairs = services.pair_swap(program=program, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Swapped: %(a)s and %(b)s (both locked).") % {"a": pairs[0], "b": pairs[1]}
            )
            return redirect(reverse("pairing:hr_review", args=[program.pk]) + "#proposals")
    return _render_review(request, program, swap_form=form)


@hr_admin_required
@require_POST
def hr_manual_pair(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(program_pk)
    form = ManualPairForm(request.POST, program=program)
    if form.is_valid():
        try:
            pair = services.pair_create_manual(program=program, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Paired %(pair)s (locked).") % {"pair": pair})
            return redirect(reverse("pairing:hr_review", args=[program.pk]) + "#proposals")
    return _render_review(request, program, manual_form=form)


@hr_admin_required
@require_POST
def hr_publish(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(program_pk)
    try:
        n = services.pairs_publish(program=program, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Published %(n)s pair(s). Everyone has an e-mail asking them to accept.") % {"n": n}
        )
    return redirect("pairing:hr_review", program_pk=program.pk)


# --- HR: exits --------------------------------------------------------------------------------


@hr_admin_required
@require_GET
def hr_exits(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pairing/hr_exits.html",
        {
            "open_requests": selectors.hr_exit_queue(),
            "recent": selectors.hr_recent_exits(),
            "reporting_line_pairs": pairs_in_reporting_line(),
        },
    )


@hr_admin_required
@require_http_methods(["GET", "POST"])
def hr_exit_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    exit_request = selectors.get_exit_request_for_hr(pk)
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
            services.exit_request_resolve(
                exit_request=exit_request, outcome=form.cleaned_data["outcome"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Request resolved. The people concerned have been told."))
            return redirect("pairing:hr_exits")
    context = {"exit_request": exit_request, "pair": pair, "form": form, "partner": partner}
    return render(request, "pairing/hr_exit_resolve.html", context)
