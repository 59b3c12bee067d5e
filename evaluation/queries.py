"""One dashboard query (program + the page's GET parameters) → one protected report.

The dashboard page, its CSV exports, the API and the lead digest all answer a query through
:func:`form_and_report` (or :func:`report_for_query`), so the same query gives the same figures,
hidden the same way, whichever way it is asked.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from evaluation import report as reports
from evaluation import selectors, snapshots
from evaluation.forms import FilterForm
from programs.models import Program


def form_and_report(program: Program, query, *, now: dt.datetime | None = None,
                    timeline: selectors.Timeline | None = None) -> tuple[FilterForm, reports.Report | None]:
    """The filter form and, when the form accepts the query, the protected report (else None).

    The reads come from the program's kept reads when it has them (a large program's snapshot, a
    small one's short cache: see evaluation.snapshots; ``report.as_of`` says when they were read).
    ``now``: figures up to that instant, read live (the digest); ``timeline``: the program's
    reporting periods when the caller already read them at ``now`` (they are the same for every
    query of the program).
    """
    large = snapshots.is_large(program)
    with selectors.analytic_reads():
        if now is None:
            reads = snapshots.enrollment_reads(program, large=large)
        else:
            reads = snapshots.Reads(enrollments=selectors.enrollment_cube(program), as_of=None)
        departments, cohorts = reports.filter_options(reads.enrollments, program.anonymity_k)
        form = FilterForm(query, departments=departments, cohorts=cohorts, k=program.anonymity_k)
        if form.is_bound and not form.is_valid():
            return form, None
        filters = form.filters()
        data, as_of = snapshots.dashboard_data(program, filters, enrollments=reads, now=now,
                                               timeline=timeline)
    report = reports.build(program, filters, data)
    report.as_of = as_of
    report.large = large
    return form, report


def report_for_query(program: Program, query: dict[str, str], *, now: dt.datetime | None = None,
                     timeline: selectors.Timeline | None = None) -> reports.Report:
    """The dashboard's report; a query the filter form rejects raises ValidationError."""
    form, report = form_and_report(program, query, now=now, timeline=timeline)
    if report is None:
        raise ValidationError({field: [str(m) for m in msgs] for field, msgs in form.errors.items()})
    return report
