"""Dashboards for program leads and HR admins, their CSV exports, and the certificates."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_record
from accounts.models import AuditEvent
from accounts.roles import hr_admin_required, is_hr_admin
from evaluation import queries, selectors, services, snapshots
from evaluation import report as reports
from evaluation.exports import csv_safe
from evaluation.forms import FilterForm
from programs.models import Program


def _report(request: HttpRequest, program: Program) -> tuple[FilterForm, reports.Report | None]:
    """The filter form and, when the filters are valid, the protected report (the one path every
    way of asking takes: see evaluation.queries)."""
    return queries.form_and_report(program, request.GET)


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    programs = selectors.programs_for_viewer(request.user)
    return render(request, "evaluation/program_list.html", {"programs": programs})


@login_required
@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    program = snapshots.get_program_for_dashboard(request.user, pk)
    form, report = _report(request, program)
    query = report.filters.as_query() if report else {}
    return render(request, "evaluation/dashboard.html", {
        "program": program, "form": form, "report": report, "querystring": urlencode(query),
        "k": program.anonymity_k,
        "print_mode": request.GET.get("print") == "1",
        "snapshot_minutes": max(1, snapshots.kept_for(program) // 60),
        # The rendered sections of a kept view, kept as long as its reads ("" when read live).
        "sections_key": snapshots.sections_key(program, report.filters, report.as_of) if report else "",
        "sections_seconds": snapshots.kept_for(program) if report and report.as_of else 0,
        "can_read_summaries": program.leads_can_read_summaries
        and program.leads.filter(pk=request.user.pk).exists(),
    })


@login_required
@require_GET
def export(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """One table of the dashboard as CSV, with the same filters and the same hidden cells."""
    program = snapshots.get_program_for_dashboard(request.user, pk)
    form, report = _report(request, program)
    if report is None:
        raise Http404
    if table == "at_risk_pairs":
        names = [[pair["mentor"], pair["mentee"]] for pair in report.all_at_risk]
        rows = [[_("Junior mentor"), _("Senior mentee")], *names]
    else:
        found = report.table(table)
        if found is None:
            raise Http404
        rows = reports.csv_rows(found, report.k)
    day = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(program.name)}-{table}-{day}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    audit_record(kind=AuditEvent.Kind.EXPORT, actor=request.user, request=request,
                 summary=f"Exported {table} of program {program.pk}",
                 data={"program": program.pk, "table": table, **report.filters.as_query()})
    return response


@login_required
@require_GET
def summaries(request: HttpRequest, pk: int) -> HttpResponse:
    """Shared session summaries, for the program's leads, only when the program allows it."""
    program = selectors.get_program_for_lead(request.user, pk)
    if not program.leads_can_read_summaries or not program.leads.filter(pk=request.user.pk).exists():
        raise Http404
    page = Paginator(selectors.shared_summaries(program), 25).get_page(request.GET.get("page"))
    return render(request, "evaluation/summaries.html", {"program": program, "page": page})


@login_required
@require_GET
def certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """After the program closes: who gets a certificate (HR sees names; leads see counts)."""
    program = selectors.get_program_for_lead(request.user, pk)
    hr = is_hr_admin(request.user)
    closed = program.status == Program.Status.CLOSED
    participants = list(selectors.certificate_participants(program)) if closed else []
    return render(request, "evaluation/certificates.html", {
        "program": program, "hr": hr, "participants": participants if hr else [],
        "summary": reports.certificate_summary(participants, program.anonymity_k),
        "k": program.anonymity_k,
        "certificate_url": request.build_absolute_uri(reverse("evaluation:certificate", args=[program.pk])),
    })


@hr_admin_required
@require_POST
def manager_notes(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_lead(request.user, pk)
    try:
        outcome = services.manager_notes_send(program=program)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("evaluation:certificates", program.pk)
    text = ngettext("%(n)s note sent to a manager.", "%(n)s notes sent to managers.", outcome.sent) % {
        "n": outcome.sent}
    if outcome.already_sent:
        text += " " + ngettext("%(n)s had already been sent.", "%(n)s had already been sent.",
                               outcome.already_sent) % {"n": outcome.already_sent}
    if outcome.no_manager:
        text += " " + ngettext("%(n)s mentor has no manager on record.",
                               "%(n)s mentors have no manager on record.", outcome.no_manager) % {
            "n": outcome.no_manager}
    if outcome.failed:
        messages.warning(request, ngettext("%(n)s note could not be sent; try again later.",
                                           "%(n)s notes could not be sent; try again later.",
                                           outcome.failed) % {"n": outcome.failed})
    messages.success(request, text)
    return redirect("evaluation:certificates", program.pk)


@login_required
@require_GET
def certificate(request: HttpRequest, program_pk: int) -> HttpResponse:
    """The participant's own printable certificate, once the program has closed."""
    enrollment = selectors.certificate_enrollment_for_user(request.user, program_pk)
    program = enrollment.program
    closed = program.status == Program.Status.CLOSED
    context = {"enrollment": enrollment, "program": program, "closed": closed}
    if closed:
        context["facts"] = selectors.certificate_facts(enrollment)
        if enrollment.is_mentor:
            context["consent"] = getattr(enrollment, "recognition_consent", None)
            context["has_manager"] = selectors.usable_manager(enrollment.user) is not None
        context["note_sent"] = enrollment.manager_notes.filter(sent_at__isnull=False).exists()
    return render(request, "evaluation/certificate.html", context)


@login_required
@require_POST
def consent(request: HttpRequest, program_pk: int) -> HttpResponse:
    enrollment = selectors.certificate_enrollment_for_user(request.user, program_pk)
    agreed = request.POST.get("consent") == "yes"
    try:
        services.recognition_consent_set(enrollment=enrollment, consented=agreed)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if agreed and selectors.usable_manager(enrollment.user) is not None:
            text = _("Thank you: your manager will receive a short note about your contribution in the next "
                     "few minutes.")
        elif agreed:
            text = _("Thank you. No manager is on record for you yet: the note goes out once HR adds one.")
        else:
            text = _("Your manager will not receive a note.")
        messages.success(request, text)
    return redirect("evaluation:certificate", program_pk)
