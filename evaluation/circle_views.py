"""The circles page of a program's dashboard (leads and HR), aggregates only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from evaluation import selectors
from evaluation.circle_report import circle_report


@login_required
@require_GET
def circles_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_lead(request.user, pk)
    report = circle_report(program)
    return render(request, "evaluation/circles.html", {"program": program, "report": report,
                                                       "k": report.k})
