from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import hr_admin_required
from programs.models import Program


@hr_admin_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    programs = Program.objects.order_by("-created_at")
    return render(request, "programs/program_list.html", {"programs": programs})


@hr_admin_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/people.html", {})
