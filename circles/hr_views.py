"""HR's circle pages: list, create, let the app propose, accept or close. HR sees who is in a
circle and how many sessions it held, never its notes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import hr_admin_required
from circles import proposing, selectors, services
from circles.forms import CircleForm
from circles.models import Circle
from meetings.forms import apply_service_errors
from programs.models import Topic
from programs.selectors import get_program_for_hr


@hr_admin_required
@require_GET
def hr_list(request: HttpRequest, program_id: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_id)
    circles = selectors.hr_circles(program)
    return render(request, "circles/hr_list.html", {
        "program": program, "drafts": [c for c in circles if c.status == Circle.Status.DRAFT],
        "circles": [c for c in circles if c.status != Circle.Status.DRAFT]})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def hr_new(request: HttpRequest, program_id: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_id)
    form = CircleForm(request.POST if request.method == "POST" else None,
                      enrollments=selectors.approved_enrollments(program), topics=Topic.objects.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            circle = services.circle_create(
                program=program, by=request.user, name=data["name"], kind=data["kind"],
                purpose=data["purpose"], hosts=list(data["hosts"]), members=list(data["members"]),
                places=data["places"], cadence_weeks=data["cadence_weeks"], topics=data["topics"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Circle created. Its host can now book the first session."))
            return redirect("circles:hr_circle", circle.pk)
    return render(request, "circles/hr_new.html", {"form": form, "program": program})


@hr_admin_required
@require_POST
def hr_propose(request: HttpRequest, program_id: int) -> HttpResponse:
    program = get_program_for_hr(request.user, program_id)
    created = proposing.circles_propose(program=program, by=request.user)
    if created:
        messages.success(request, ngettext("%(n)s circle proposed. Accept it or leave it.",
                                           "%(n)s circles proposed. Accept the ones you like.",
                                           len(created)) % {"n": len(created)})
    else:
        messages.info(request, _("No circles to propose yet: peer circles need at least three junior mentors "
                                 "who started in the same month, learning circles two seniors who want to "
                                 "learn what a junior can teach."))
    return redirect("circles:hr_list", program.pk)


@hr_admin_required
@require_GET
def hr_circle(request: HttpRequest, circle_id: int) -> HttpResponse:
    circle = selectors.get_circle_for_hr(request.user, circle_id)
    return render(request, "circles/hr_circle.html", {
        "circle": circle, "program": circle.program, "members": selectors.members_of(circle),
        "sessions": list(circle.sessions.order_by("-starts_at")[:20]), "topics": list(circle.topics.all())})


@hr_admin_required
@require_POST
def hr_status(request: HttpRequest, circle_id: int) -> HttpResponse:
    circle = selectors.get_circle_for_hr(request.user, circle_id)
    status = request.POST.get("status", "")
    try:
        services.circle_set_status(circle=circle, by=request.user, status=status)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Circle accepted: its host can book sessions.")
                         if status == Circle.Status.ACTIVE else _("Circle closed."))
    return redirect("circles:hr_circle", circle.pk)
