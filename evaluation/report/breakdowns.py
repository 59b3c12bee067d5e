"""Section 6 of the dashboard: breakdowns by department, level band and intake."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from accounts.dates import show_month
from evaluation import reporting_periods
from evaluation.disclosure import Fig
from evaluation.report.cubes import (
    Context,
    FigureFn,
    Rows,
    applications,
    average_of,
    share_fig,
    total_of,
)
from evaluation.report.page import AVERAGE, PERCENT, TEXT, Column, Section, Series, Table, chart
from evaluation.report.quality import response_rate
from evaluation.selectors import LEVEL_BANDS

# 6. Breakdowns ----------------------------------------------------------------------------------------------


def _breakdowns(ctx: Context) -> Section:
    if ctx.filters.people:
        # A breakdown of a filtered group is a row of a two-way table (department × intake, or ×
        # level band) whose other rows the other filters give: linked tables like these let hidden
        # cells be worked out from the margins. Breakdowns are one-way, for all participants only.
        return Section("breakdowns", _("Breakdowns"),
                       intro=_("Breakdowns are shown for all participants only: a breakdown of one "
                               "department or intake, set beside the others, would give away groups of "
                               "fewer than %(k)s people. Clear the department and intake filters to see "
                               "them.") % {"k": ctx.k})
    if _narrowed(ctx):
        # A breakdown of a date range is a column of a department × period table whose other
        # columns the other ranges give: the same linked tables, through time.
        return Section("breakdowns", _("Breakdowns"),
                       intro=_("Breakdowns are shown for the whole program only: a breakdown of one "
                               "period, set beside the others, would give away groups of fewer than "
                               "%(k)s people. Clear the dates to see them.") % {"k": ctx.k})
    cubes, data = ctx.cubes, ctx.data
    enrol = applications(data["enrollments"])
    # Every breakdown column comes from its own cube; each row type is tagged so one pass of
    # `Cubes.breakdown` handles them side by side.
    participants = _tagged(enrol, "enrol")
    answers = _tagged(data["satisfaction"], "sat")
    invitations = _tagged(data["invitations"], "inv")
    events = _tagged([r for r in data["events"] if r["kind"] == "cancelled"], "cancel")
    rows = [*participants, *answers, *invitations, *events]

    def only(tag: str, fn: FigureFn) -> FigureFn:
        def wrapped(rs: Rows) -> Fig:
            return fn([r for r in rs if r["_tag"] == tag])
        return wrapped

    def matched_share(rs: Rows) -> Fig:
        approved = sum(r["people"] if r["status"] == "approved" else r["matched"] for r in rs)
        matched = sum(r["matched"] for r in rs)
        return share_fig(matched / approved if approved else None, approved, matched)

    def cancellations(rs: Rows) -> Fig:
        return Fig(sum(r["events"] for r in rs), sum(r["people"] for r in rs))

    fns = [only("enrol", total_of("people")), only("enrol", matched_share), only("sat", average_of()),
           only("inv", response_rate("")), only("cancel", cancellations)]
    columns = [Column(_("Participants")), Column(_("Matched"), PERCENT), Column(_("Satisfaction"), AVERAGE),
               Column(_("Response rate"), PERCENT), Column(_("Cancellations"))]
    bands = {0: _("Level not recorded")}
    for index, (low, high) in enumerate(LEVEL_BANDS, start=1):
        bands[index] = _("Levels %(low)s–%(high)s") % {"low": low, "high": high} if high else \
            _("Level %(low)s and above") % {"low": low}
    tables = []
    for key, title, dim, label in (
            ("departments", _("By department"), "d_department", lambda v: v or _("Department not recorded")),
            ("level_bands", _("By level band"), "d_band", lambda v: bands.get(v, "—")),
            ("cohorts", _("By intake (month of application)"), "d_cohort",
             lambda v: show_month(v) if v else "—")):
        table_rows, totals = cubes.breakdown(rows, dim, fns, label, anchored=True)
        head = {"departments": _("Department"), "level_bands": _("Level band"), "cohorts": _("Intake")}[key]
        table = Table(key, title, [Column(head, TEXT), *columns], rows=table_rows,
                      empty=_("No participants yet."))
        if table_rows:
            table.rows.append([_("All"), *totals])
        tables.append(table)
    tables[0].chart = chart("bar", [r[0] for r in tables[0].rows[:-1]],
                            [Series(_("Participants"), [r[1] for r in tables[0].rows[:-1]])], ctx.k)
    return Section("breakdowns", _("Breakdowns"),
                   intro=_("Participants: everyone who applied. Matched: share of the approved who were "
                           "matched. Satisfaction and response rate from the surveys in the period; "
                           "cancellations by the people in each group."),
                   tables=tables)


def _narrowed(ctx: Context) -> bool:
    """Does the (snapped) date window leave out part of the program?"""
    window, weeks = ctx.window, (ctx.data.get("series") or {}).get("weeks")
    if window is None or not weeks:
        return False
    return window.first_week > 0 or window.last_week < len(weeks) - 1


def _tagged(rows: Rows, tag: str) -> Rows:
    return [{**r, "_tag": tag} for r in rows]


# Goals ----------------------------------------------------------------------------------------------------


def filter_options(enrollments: Rows, k: int) -> tuple[list[str], list[dt.date]]:
    """Departments and intakes a filter may select: groups the participants breakdown shows."""
    return reporting_periods.filter_options(enrollments, k)


