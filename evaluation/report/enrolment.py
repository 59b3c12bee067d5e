"""Section 1 of the dashboard: enrolment and matching."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.translation import gettext as _

from evaluation import disclosure
from evaluation.disclosure import Cell, Fig
from evaluation.report.cubes import Context, FigureFn, Rows, applications
from evaluation.report.page import (
    COUNT,
    DAYS,
    DECIMAL,
    PERCENT,
    TEXT,
    Column,
    Section,
    Series,
    Stat,
    Table,
    chart,
)
from evaluation.selectors import ELIGIBLE

# 1. Enrolment and matching ------------------------------------------------------------------------------


def _enrolment(ctx: Context) -> Section:
    cubes, k = ctx.cubes, ctx.k
    rows = applications(ctx.data["enrollments"])
    approved_of = {"approved"}

    def people(where: Callable[[dict], bool], measure: str = "people") -> FigureFn:
        def fn(rs: Rows) -> Fig:
            n = sum(r[measure] for r in rs if where(r))
            return Fig(n, n)
        return fn

    def approved(rs: Rows) -> Fig:
        # Approved, or matched at some point (a matched person was approved before withdrawing).
        n = sum(r["people"] if r["status"] in approved_of else r["matched"] for r in rs)
        return Fig(n, n)

    def invited(rs: Rows) -> Fig:
        n = sum(r["people"] for r in rs)
        return Fig(n, n)

    eligible_rows = [r for r in ctx.data["enrollments"] if r["status"] == ELIGIBLE]
    applied = people(lambda r: True)
    matched = people(lambda r: True, "matched")
    active = people(lambda r: True, "active")
    stage_fns = [applied, approved, matched, active]
    stage_figs = [cubes.fig(rows, fn) for fn in stage_fns]
    forced = [cubes.forced(rows, fn) for fn in stage_fns]
    if ctx.filters.cohort is None:
        invited_fig = cubes.fig([*eligible_rows, *rows], invited)
        stage_figs.insert(0, invited_fig)
        forced.insert(0, cubes.forced([*eligible_rows, *rows], invited))
    cells = disclosure.chain(stage_figs, k, forced=forced)
    labels = [_("Applied"), _("Approved"), _("Matched"), _("Active")]
    notes = [_("Applied to the program (any outcome)."),
             _("Approved by HR (including people who later withdrew after being matched)."),
             _("In a published pair (an offer made, whatever happened next)."),
             _("In a pair that started: both people accepted.")]
    if ctx.filters.cohort is None:
        labels.insert(0, _("Eligible"))
        notes.insert(0, _("Employees whose level is in the mentor or the mentee band, plus everyone who "
                          "applied. Flipside keeps no per-program invitation list, so this stands for "
                          "“invited”."))
    funnel = Table("funnel", _("Enrolment funnel"), [Column(_("Stage"), TEXT), Column(_("People")),
                                                     Column(_("What counts"), TEXT)],
                   rows=[[label, cell, note] for label, cell, note in zip(labels, cells, notes, strict=True)])
    funnel.chart = chart("bar", labels, [Series(_("People"), cells)], ctx.k, horizontal=True)
    by_stage = dict(zip(labels, cells, strict=True))
    approved_cell, matched_cell = by_stage[_("Approved")], by_stage[_("Matched")]
    share_matched = Cell(None, disclosure.HIDDEN)
    if approved_cell.shown and matched_cell.shown and approved_cell.value:
        share_matched = Cell(matched_cell.value / approved_cell.value, disclosure.SHOWN, approved_cell.value)
    elif approved_cell.small or matched_cell.small:
        share_matched = Cell(None, disclosure.SMALL)

    # Outcomes of the applications: a partition of everyone who applied.
    outcome_defs = [
        (_("Approved"), approved),
        (_("Waiting for a decision"), people(lambda r: r["status"] == "applied" and not r["matched"])),
        (_("Waitlisted"), people(lambda r: r["status"] == "waitlisted" and not r["matched"])),
        (_("Declined by HR"), people(lambda r: r["status"] == "declined" and not r["matched"])),
        (_("Withdrew"), people(lambda r: r["status"] == "withdrawn" and not r["matched"])),
    ]
    outcomes = _cube_breakdown_table(
        ctx, rows, "applications", _("Applications by outcome"), _("Outcome"), outcome_defs, total_fn=applied,
        note=_("Each applicant counts once, under where their application stands now."))

    # Mentors and mentees among the approved.
    role_defs = [(_("Junior mentors"), _role_approved("mentor")),
                 (_("Senior mentees"), _role_approved("mentee"))]
    roles = _cube_breakdown_table(ctx, rows, "roles", _("Approved people by role"), _("Role"), role_defs,
                                  total_fn=approved, total_cell=approved_cell)
    mentors_cell, mentees_cell = roles.rows[0][1], roles.rows[1][1]
    ratio = Cell(None, disclosure.SMALL if (mentors_cell.small or mentees_cell.small) else disclosure.HIDDEN)
    if mentors_cell.shown and mentees_cell.shown and mentors_cell.value:
        ratio = Cell(mentees_cell.value / mentors_cell.value, disclosure.SHOWN)

    # Pairs by status (pair aggregate, filter in SQL).
    status_rows = [(_("Active"), "status_active"), (_("Completed"), "status_completed"),
                   (_("Ended early (no-fault exit)"), "status_ended_early"),
                   (_("Offer waiting for answers"), "status_proposed"),
                   (_("Offer declined"), "status_declined")]
    groups = [ctx.pair(name) for _label, name in status_rows]
    cells_, total_cell = disclosure.breakdown(groups, ctx.pair("published"), k)
    pairs = Table("pairs", _("Published pairs by status"), [Column(_("Status"), TEXT), Column(_("Pairs"))],
                  rows=[[label, c] for (label, _n), c in zip(status_rows, cells_, strict=True)]
                  + [[_("All published pairs"), total_cell]],
                  note=_("People are counted per pair: a figure is shown when the pairs behind it involve "
                         "at least %(k)s people.") % {"k": k})
    median = _median_days(ctx)
    stats = [
        Stat(_("Share of approved people matched"), share_matched, PERCENT,
             note=_("Matched ÷ approved, from the funnel.")),
        Stat(_("Senior mentees per junior mentor"), ratio, DECIMAL,
             note=_("The mentor : mentee ratio among the approved, as mentees per mentor.")),
        Stat(_("Median days to match"), median, DAYS,
             note=_("Days from the later of the two approvals to the pair being published, "
                    "the middle value over all published pairs.")),
        Stat(_("Pairs ended early"), disclosure.figure(ctx.pair("status_ended_early"), k), COUNT,
             note=_("No-fault exits: pairs ended before the program's end.")),
        Stat(_("Applications declined"), outcomes.rows[3][1], COUNT,
             note=_("Declined by HR (not counting people matched before).")),
    ]
    ctx.results["approved"] = approved_cell
    return Section("enrolment", _("Enrolment and matching"),
                   intro=_("Who took part, how quickly people were matched, and how pairs are doing. "
                           "Enrolment figures cover the whole program (the date range does not apply)."),
                   stats=stats, tables=[funnel, outcomes, roles, pairs])


def _role_approved(role: str) -> FigureFn:
    def fn(rs: Rows) -> Fig:
        n = sum(r["people"] if r["status"] == "approved" else r["matched"] for r in rs if r["role"] == role)
        return Fig(n, n)
    return fn


def _cube_breakdown_table(ctx: Context, rows: Rows, key: str, title: str, head: str,
                          defs: Sequence[tuple[str, FigureFn]], *, total_fn: FigureFn,
                          total_cell: Cell | None = None, note: str = "") -> Table:
    """A table whose rows are figures that add up to a total (a breakdown of one cube)."""
    cubes, k = ctx.cubes, ctx.k
    groups = [cubes.fig(rows, fn) for _label, fn in defs]
    forced = [cubes.forced(rows, fn) for _label, fn in defs]
    cells, total = disclosure.breakdown(groups, cubes.fig(rows, total_fn), k, forced=forced)
    if total_cell is not None and not total_cell.shown:
        # The total is hidden elsewhere on the page: its parts must not add up to it here.
        cells = [c if c.small else Cell(None, disclosure.HIDDEN) for c in cells]
        total = total_cell
    table = Table(key, title, [Column(head, TEXT), Column(_("People"))],
                  rows=[[label, c] for (label, _fn), c in zip(defs, cells, strict=True)], note=note)
    table.rows.append([_("Total"), total])
    return table


def _median_days(ctx: Context) -> Cell:
    """The median days to match; its people are those of the matched pairs."""
    median = ctx.data["pairs"].get("median_days")
    people = ctx.pair("matched_pairs")
    return disclosure.figure(Fig(None if median is None else round(median), people.n, people.rests), ctx.k)


