"""The dashboard as tables, key figures and charts — every number protected by ``anonymity``.

``build(program, filters, data)`` turns the raw reads of :mod:`evaluation.selectors` into a
:class:`Report`: sections of key figures and tables. The HTML page and every CSV export render
the same :class:`Table` objects, so a figure hidden on the page is hidden in the export too.

Cube figures (about people) are computed for the selected department/intake, for the people
outside it (``rests``), and for every group of the same breakdown: a filtered view never shows a
figure that the unfiltered page hides in its department or intake breakdown, so no sequence of
filtered pages adds up to a hidden group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.dates import show_date, show_day_month, show_month
from evaluation import anonymity
from evaluation.anonymity import Cell, Fig
from evaluation.selectors import ELIGIBLE, LEVEL_BANDS, Filters, Window
from programs.models import Direction, Goal, Program, SurveyQuestion

Rows = list[dict]
FigureFn = Callable[[Rows], Fig]

# Column formats: how a cell's value is written on the page and in the CSV.
COUNT, PERCENT, AVERAGE, DAYS, HOURS, DECIMAL, TEXT, SIGNED = (
    "count", "percent", "average", "days", "hours", "decimal", "text", "signed")


# --- page model --------------------------------------------------------------------------------


@dataclass
class Column:
    label: str
    fmt: str = COUNT


@dataclass
class Table:
    """One table of the page (and one CSV export, named ``key``)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)  # str labels, or Cells
    note: str = ""
    chart: dict | None = None
    empty: str = ""

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"


@dataclass
class Stat:
    """A key figure shown as a tile."""

    label: str
    cell: Cell
    fmt: str = COUNT
    note: str = ""
    detail: str = ""


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    stats: list[Stat] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    k: int = 5

    @property
    def figures_table(self) -> Table | None:
        """The key figures as a table (their CSV export)."""
        if not self.stats:
            return None
        return Table(f"{self.key}-figures", _("Key figures: %(section)s") % {"section": self.title},
                     [Column(_("Figure"), TEXT), Column(_("Value"), TEXT), Column(_("Definition"), TEXT)],
                     rows=[[s.label, cell_text(s.cell, s.fmt, self.k), s.note] for s in self.stats])


@dataclass
class Report:
    program: Program
    filters: Filters
    k: int
    window: Window
    sections: list[Section]
    goals: Table
    at_risk_names: list[dict]
    at_risk_more: bool
    all_at_risk: list[dict] = field(default_factory=list)

    def table(self, key: str) -> Table | None:
        for table in self.tables():
            if table.key == key:
                return table
        return None

    def tables(self) -> Iterable[Table]:
        yield self.goals
        for section in self.sections:
            yield from section.tables
            if section.figures_table is not None:
                yield section.figures_table


# --- formatting ----------------------------------------------------------------------------------


def cell_text(cell: Cell | Any, fmt: str, k: int) -> str:
    """A cell as text: the value, "fewer than k" or "hidden"."""
    if not isinstance(cell, Cell):
        return "" if cell is None else str(cell)
    if cell.small:
        return _("fewer than %(k)s") % {"k": k}
    if cell.hidden:
        return _("hidden")
    return format_value(cell.value, fmt)


def display_rows(table: Table, k: int) -> list[list[dict]]:
    """Each row's cells as {text, state, num, badge} for the template."""
    rows = []
    for row in table.rows:
        cells = []
        for value, column in zip(row, table.columns, strict=True):
            cells.append({
                "text": cell_text(value, column.fmt, k),
                "state": value.state if isinstance(value, Cell) else "",
                "num": column.fmt != TEXT,
                "badge": {MET: "ok", NOT_MET: "bad", NO_DATA: "warn"}.get(getattr(value, "code", None), ""),
            })
        rows.append(cells)
    return rows


def format_value(value: Any, fmt: str) -> str:
    if value is None:
        return "—"
    if fmt == PERCENT:
        return f"{formats.number_format(round(100 * value))} %"
    if fmt == AVERAGE:
        return formats.number_format(value, 1)
    if fmt == SIGNED:
        text = formats.number_format(value, 1)
        return f"+{text}" if value > 0 else text
    if fmt == DECIMAL:
        return formats.number_format(value, 1)
    if fmt == HOURS:
        return formats.number_format(round(value))
    if fmt == DAYS:
        return formats.number_format(value)
    if fmt == COUNT:
        return formats.number_format(value, force_grouping=True)
    return str(value)


def chart_value(cell: Cell, fmt: str) -> float | None:
    if not isinstance(cell, Cell) or not cell.shown or cell.value is None:
        return None
    if fmt == PERCENT:
        return round(100 * cell.value, 1)
    return round(float(cell.value), 2)


@dataclass
class Series:
    """One dataset of a chart: its cells (one per category) and how they are drawn."""

    label: str
    cells: Sequence[Any]
    fmt: str = COUNT
    kind: str = "bar"  # or "line"
    style: dict = field(default_factory=dict)  # {"dashed": True} or {"pattern": True}


def chart(kind: str, labels: Sequence[str], series: Sequence[Series], k: int, **options: Any) -> dict:
    """The Chart.js spec for ``series`` over ``labels`` (read by static/js/charts.js).

    A withheld value draws nothing, so its category says why in its label — "Matched (fewer than
    5)", or with several series "Sales (Cancellations: hidden)" — rather than looking like a zero.
    """
    marked = []
    for index, label in enumerate(labels):
        withheld = [s for s in series if isinstance(s.cells[index], Cell) and not s.cells[index].shown]
        reasons = [cell_text(s.cells[index], s.fmt, k) if len(series) == 1
                   else f"{s.label}: {cell_text(s.cells[index], s.fmt, k)}" for s in withheld]
        marked.append(f"{label} ({'; '.join(reasons)})" if reasons else label)
    datasets = [{"label": s.label, "kind": s.kind, **s.style,
                 "data": [chart_value(cell, s.fmt) for cell in s.cells]} for s in series]
    return {"type": kind, "labels": marked, "datasets": datasets, **options}


# --- cubes and selections -----------------------------------------------------------------------------


DIMS = ("d_department", "d_cohort")


@dataclass(frozen=True)
class Selection:
    """The department/intake filter, as a test on cube rows."""

    department: str | None = None
    cohort: dt.date | None = None

    @property
    def active(self) -> dict[str, Any]:
        return {dim: value for dim, value in (("d_department", self.department), ("d_cohort", self.cohort))
                if value is not None}

    def matches(self, row: dict, *, ignore: str | None = None) -> bool:
        return all(row.get(dim) == value for dim, value in self.active.items() if dim != ignore)


class Cubes:
    """Figures from cube rows for the selection, with the protections described above."""

    def __init__(self, selection: Selection, k: int):
        self.selection = selection
        self.k = k

    def pick(self, rows: Rows, *, ignore: str | None = None) -> Rows:
        return [r for r in rows if self.selection.matches(r, ignore=ignore)]

    def _rests(self, rows: Rows, fn: FigureFn) -> tuple[int, ...]:
        """People behind the figure in the views a reader could compare this one with."""
        active = self.selection.active
        if not active:
            return ()
        rests = [fn([r for r in rows if not self.selection.matches(r)]).n]
        if len(active) > 1:
            for dim in active:
                # The view without this filter, minus this view.
                rests.append(fn([r for r in self.pick(rows, ignore=dim) if not self.selection.matches(r)]).n)
        return tuple(rests)

    def _breakdown_hides(self, rows: Rows, fn: FigureFn) -> bool:
        """Would a breakdown of this figure by a filtered dimension hide the selected group?"""
        for dim, value in self.selection.active.items():
            within = self.pick(rows, ignore=dim)
            values = sorted({r.get(dim) for r in within}, key=_sort_key)
            groups = [fn([r for r in within if r.get(dim) == v]) for v in values]
            cells, _total = anonymity.breakdown(groups, fn(within), self.k)
            if value in values and not cells[values.index(value)].shown:
                return True
        return False

    def fig(self, rows: Rows, fn: FigureFn) -> Fig:
        own = fn(self.pick(rows))
        return Fig(own.value, own.n, own.rests + self._rests(rows, fn))

    def cell(self, rows: Rows, fn: FigureFn) -> Cell:
        cell = anonymity.figure(self.fig(rows, fn), self.k)
        if cell.shown and self._breakdown_hides(rows, fn):
            return anonymity.hide(cell)
        return cell

    def forced(self, rows: Rows, fn: FigureFn) -> bool:
        return bool(self.selection.active) and self._breakdown_hides(rows, fn)

    def breakdown(self, rows: Rows, dim: str, fns: Sequence[FigureFn],
                  labels: Callable[[Any], str]) -> tuple[list[list[Any]], list[Cell]]:
        """Rows of a breakdown table by ``dim`` within the selection: one column per figure."""
        mine = self.pick(rows)
        others = [r for r in rows if not self.selection.matches(r)] if self.selection.active else []
        values = sorted({r.get(dim) for r in mine}, key=_sort_key)
        columns: list[list[Cell]] = []
        totals: list[Cell] = []
        for fn in fns:
            groups = []
            for v in values:
                own = fn([r for r in mine if r.get(dim) == v])
                rest = (fn([r for r in others if r.get(dim) == v]).n,) if self.selection.active else ()
                groups.append(Fig(own.value, own.n, own.rests + rest))
            total = self.fig(rows, fn)
            cells, total_cell = anonymity.breakdown(groups, total, self.k)
            if total_cell is not None and total_cell.shown and self.forced(rows, fn):
                total_cell = anonymity.hide(total_cell)
                cells = [anonymity.hide(c) for c in cells]
            columns.append(cells)
            totals.append(total_cell)
        table_rows = [[labels(v), *[col[i] for col in columns]] for i, v in enumerate(values)]
        return table_rows, totals


def _sort_key(value: Any) -> tuple:
    if value is None or value == "":
        return (1, "")
    return (0, value)


# figure functions over cube rows ------------------------------------------------------------------


def total_of(measure: str, people: str = "people") -> FigureFn:
    def fn(rows: Rows) -> Fig:
        return Fig(sum(r[measure] or 0 for r in rows), sum(r[people] or 0 for r in rows))
    return fn


def average_of(total: str = "total", count: str = "answers", people: str = "people") -> FigureFn:
    def fn(rows: Rows) -> Fig:
        n = sum(r[count] or 0 for r in rows)
        value = sum(r[total] or 0 for r in rows) / n if n else None
        return Fig(value, sum(r[people] or 0 for r in rows))
    return fn


def share_fig(value: float | None, whole: int, part: int) -> Fig:
    """A share of ``whole`` people: "fewer than k" when the whole is small, and hidden when the
    part or the rest of the whole is (a share with its whole gives both away)."""
    return Fig(value, whole, (part, whole - part))


def per_cell(rows: Rows, key: Callable[[dict], Any], *, sums: Sequence[str] = ("total", "answers"),
             maxes: Sequence[str] = ("people",)) -> Rows:
    """Collapse rows to one per cell (department, level, intake) and ``key``: ``sums`` are added up;
    for ``maxes`` (people) the biggest row is kept — a safe lower bound when rows may share people
    (several questions answered by the same person)."""
    cells: dict[tuple, dict] = {}
    for row in rows:
        cell_key = (row.get("d_department"), row.get("d_level"), row.get("d_cohort"), key(row))
        merged = cells.get(cell_key)
        if merged is None:
            cells[cell_key] = dict(row)
            continue
        for name in sums:
            merged[name] = (merged.get(name) or 0) + (row.get(name) or 0)
        for name in maxes:
            merged[name] = max(merged.get(name) or 0, row.get(name) or 0)
    return list(cells.values())


# --- building the report --------------------------------------------------------------------------------


def split_answers(rows: Rows) -> tuple[Rows, Rows]:
    """The answers cube as (answer rows with their question's text and flags, satisfaction cells)."""
    questions = {r["q"]: r for r in rows if r["source"] == "question"}
    answers = []
    for row in rows:
        if row["source"] != "answers":
            continue
        meta = questions.get(row["q"], {})
        answers.append({**row, "label": meta.get("label") or _("(a question since removed)"),
                        "kind": meta.get("qkind") or "", "survey": meta.get("survey"),
                        "order": meta.get("order"), "sat": bool(meta.get("sat")),
                        "fit": bool(meta.get("fit"))})
    return answers, [r for r in rows if r["source"] == "satisfaction"]


def build(program: Program, filters: Filters, data: dict) -> Report:
    k = program.anonymity_k
    answers, satisfaction = split_answers(data["answers"])
    data = {**data, "answers": answers, "satisfaction": satisfaction}
    cubes = Cubes(Selection(filters.department, filters.cohort), k)
    window: Window = data["window"]
    ctx = _Context(program=program, filters=filters, data=data, cubes=cubes, k=k, window=window)
    enrolment = _enrolment(ctx)
    engagement = _engagement(ctx)
    quality = _quality(ctx)
    outcomes = _outcomes(ctx)
    act = _act(ctx)
    breakdowns = _breakdowns(ctx)
    goals = _goals(ctx)
    outcomes.tables.insert(0, goals)
    names = data["pairs"]["at_risk_names"]
    limit = 50
    for section in (enrolment, engagement, quality, outcomes, act, breakdowns):
        section.k = k
    return Report(program=program, filters=filters, k=k, window=window,
                  sections=[enrolment, engagement, quality, outcomes, act, breakdowns], goals=goals,
                  at_risk_names=names[:limit], at_risk_more=len(names) > limit, all_at_risk=names)


@dataclass
class _Context:
    program: Program
    filters: Filters
    data: dict
    cubes: Cubes
    k: int
    window: Window
    results: dict = field(default_factory=dict)  # figures the goals read

    def pair(self, name: str, *, value: Any = None) -> Fig:
        """A pair figure from the pair aggregate: value (count by default) and people."""
        p = self.data["pairs"]
        people = (p.get(f"{name}__mentors") or 0) + (p.get(f"{name}__mentees") or 0)
        rests: tuple[int, ...] = ()
        if self.filters.people:
            rests = ((p.get(f"rest__{name}__mentors") or 0) + (p.get(f"rest__{name}__mentees") or 0),)
        return Fig(p.get(name) if value is None else value, people, rests)


# 1. Enrolment and matching ------------------------------------------------------------------------------


def _enrolment(ctx: _Context) -> Section:
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
    cells = anonymity.chain(stage_figs, k, forced=forced)
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
    share_matched = Cell(None, anonymity.HIDDEN)
    if approved_cell.shown and matched_cell.shown and approved_cell.value:
        share_matched = Cell(matched_cell.value / approved_cell.value, anonymity.SHOWN, approved_cell.value)
    elif approved_cell.small or matched_cell.small:
        share_matched = Cell(None, anonymity.SMALL)

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
    ratio = Cell(None, anonymity.SMALL if (mentors_cell.small or mentees_cell.small) else anonymity.HIDDEN)
    if mentors_cell.shown and mentees_cell.shown and mentors_cell.value:
        ratio = Cell(mentees_cell.value / mentors_cell.value, anonymity.SHOWN)

    # Pairs by status (pair aggregate, filter in SQL).
    status_rows = [(_("Active"), "status_active"), (_("Completed"), "status_completed"),
                   (_("Ended early (no-fault exit)"), "status_ended_early"),
                   (_("Offer waiting for answers"), "status_proposed"),
                   (_("Offer declined"), "status_declined")]
    groups = [ctx.pair(name) for _label, name in status_rows]
    cells_, total_cell = anonymity.breakdown(groups, ctx.pair("published"), k)
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
        Stat(_("Pairs ended early"), anonymity.figure(ctx.pair("status_ended_early"), k), COUNT,
             note=_("No-fault exits: pairs ended before the program's end.")),
        Stat(_("Applications declined"), outcomes.rows[3][1], COUNT,
             note=_("Declined by HR (not counting people matched before).")),
    ]
    ctx.results["approved"] = approved_cell
    return Section("enrolment", _("Enrolment and matching"),
                   intro=_("Who took part, how quickly people were matched, and how pairs are doing. "
                           "Enrolment figures cover the whole program (the date range does not apply)."),
                   stats=stats, tables=[funnel, outcomes, roles, pairs])


def applications(rows: Rows) -> Rows:
    """The enrolment cube without its eligible-but-not-applied rows."""
    return [r for r in rows if r["status"] != ELIGIBLE]


def _role_approved(role: str) -> FigureFn:
    def fn(rs: Rows) -> Fig:
        n = sum(r["people"] if r["status"] == "approved" else r["matched"] for r in rs if r["role"] == role)
        return Fig(n, n)
    return fn


def _cube_breakdown_table(ctx: _Context, rows: Rows, key: str, title: str, head: str,
                          defs: Sequence[tuple[str, FigureFn]], *, total_fn: FigureFn,
                          total_cell: Cell | None = None, note: str = "") -> Table:
    """A table whose rows are figures that add up to a total (a breakdown of one cube)."""
    cubes, k = ctx.cubes, ctx.k
    groups = [cubes.fig(rows, fn) for _label, fn in defs]
    forced = [cubes.forced(rows, fn) for _label, fn in defs]
    cells, total = anonymity.breakdown(groups, cubes.fig(rows, total_fn), k, forced=forced)
    if total_cell is not None and not total_cell.shown:
        # The total is hidden elsewhere on the page: its parts must not add up to it here.
        cells = [c if c.small else Cell(None, anonymity.HIDDEN) for c in cells]
        total = total_cell
    table = Table(key, title, [Column(head, TEXT), Column(_("People"))],
                  rows=[[label, c] for (label, _fn), c in zip(defs, cells, strict=True)], note=note)
    table.rows.append([_("Total"), total])
    return table


def _median_days(ctx: _Context) -> Cell:
    """The median days to match; its people are those of the matched pairs."""
    median = ctx.data["pairs"].get("median_days")
    people = ctx.pair("matched_pairs")
    return anonymity.figure(Fig(None if median is None else round(median), people.n, people.rests), ctx.k)


# 2. Engagement -----------------------------------------------------------------------------------------


def _engagement(ctx: _Context) -> Section:
    k, p, program = ctx.k, ctx.data["pairs"], ctx.program
    measured = ctx.pair("measured")
    held_fig = ctx.pair("held_any", value=p.get("held_all") or 0)
    held = anonymity.figure(held_fig, k)
    expected = p.get("expected_sum") or 0
    held_measured = p.get("held_sum") or 0
    pace = anonymity.figure(Fig(held_measured / expected if expected else None, measured.n, measured.rests),
                            k)
    on_track_cells, _total = anonymity.breakdown([ctx.pair("on_track"), ctx.pair("behind")], measured, k)
    on_track_share = Cell(None, on_track_cells[0].state if not on_track_cells[0].shown else anonymity.SHOWN)
    if on_track_cells[0].shown and on_track_cells[1].shown and measured.value:
        on_track_share = Cell(on_track_cells[0].value / measured.value, anonymity.SHOWN, measured.value)
    elif on_track_cells[0].shown or on_track_cells[1].shown:
        on_track_share = Cell(None, anonymity.HIDDEN)

    weeks = _weeks(ctx)
    pair_weeks = sum(wk["pair_days"] for wk in weeks) / 7
    per_month = None
    if pair_weeks:
        per_month = held_measured / (pair_weeks * 12 / 52)
    per_month_cell = anonymity.figure(Fig(per_month, measured.n, measured.rests), k)
    duration = sum(wk["duration"] for wk in weeks)
    hours = anonymity.figure(Fig(duration / 3600, held_fig.n, held_fig.rests), k)
    no_shows = anonymity.figure(ctx.pair("no_show_any", value=p.get("no_show_sum") or 0), k)
    expected_cell = anonymity.figure(Fig(expected, measured.n, measured.rests), k)

    # Held sessions per week, protected against total minus the visible weeks.
    groups = [Fig(wk["held"], wk["people"], wk["rests"]) for wk in weeks]
    week_cells, _t = anonymity.breakdown(groups, held_fig, k)
    weekly = Table("weekly", _("Sessions per week: held and expected"),
                   [Column(_("Week of"), TEXT), Column(_("Sessions held")), Column(_("Expected"), DECIMAL)],
                   note=_("Expected in a week: the pairs active that week, divided by the cadence "
                          "(%(cadence)s).")
                   % {"cadence": cadence_text(program.cadence_weeks)})
    for wk, cell in zip(weeks, week_cells, strict=True):
        weekly.rows.append([show_date(wk["start"]), cell, wk["expected"]])
    weekly.chart = chart("bar", [show_day_month(wk["start"]) for wk in weeks], [
        Series(_("Sessions held"), week_cells),
        Series(_("Expected"), [wk["expected"] for wk in weeks], DECIMAL, "line", {"dashed": True}),
    ], k)
    cadence = Table("cadence", _("Pairs on track"), [Column(_("Pairs"), TEXT), Column(_("Pairs"))],
                    rows=[[_("On track (held at least expected − 1)"), on_track_cells[0]],
                          [_("Behind the cadence"), on_track_cells[1]],
                          [_("Pairs measured (active or completed)"), anonymity.figure(measured, k)]])
    roles = _roles_table(ctx)
    stats = [
        Stat(_("Sessions held"), held, COUNT, note=_("Sessions marked as held in the period, all pairs.")),
        Stat(_("Held vs expected"), pace, PERCENT,
             note=_("Sessions held by active and completed pairs ÷ sessions expected of them."),
             detail=_("%(n)s expected") % {"n": cell_text(expected_cell, COUNT, k)}),
        Stat(_("Pairs on track"), on_track_share, PERCENT,
             note=_("Share of active and completed pairs that held at least the expected number of "
                    "sessions minus one.")),
        Stat(_("Sessions per pair per month"), per_month_cell, DECIMAL,
             note=_("Sessions held by active and completed pairs ÷ the months those pairs were active.")),
        Stat(_("Hours of mentoring"), hours, HOURS, note=_("Total length of the sessions held.")),
        Stat(_("No-shows"), no_shows, COUNT, note=_("Sessions marked as a no-show.")),
    ]
    ctx.results["sessions_reached"] = {}
    for n in {g.sessions for g in ctx.data["goals"] if g.kind == Goal.Kind.SESSIONS_REACHED and g.sessions}:
        reached = ctx.pair(f"reached_{n}")
        not_reached = Fig(None, max(measured.n - reached.n, 0),
                          tuple(max(a - b, 0) for a, b in zip(measured.rests, reached.rests, strict=False)))
        cells, _t = anonymity.breakdown([reached, not_reached], measured, k)
        value = reached.value / measured.value if measured.value else None
        shown = cells[0].shown and cells[1].shown and value is not None
        ctx.results["sessions_reached"][n] = Cell(value, anonymity.SHOWN) if shown \
            else Cell(None, anonymity.SMALL)
    definition = _("Expected sessions: for each active or completed pair, %(cadence)s from the pair's "
                   "start (not before the program starts) to today, the program's end or the end of the "
                   "date range, at most %(max)s. A pair is on track when it held at least the expected "
                   "number minus one.") % {"cadence": cadence_text(program.cadence_weeks),
                                           "max": program.min_sessions}
    return Section("engagement", _("Engagement"), intro=definition, stats=stats,
                   tables=[weekly, cadence, roles])


def cadence_text(weeks: int) -> str:
    return ngettext("one session every week", "one session every %(n)s weeks", weeks) % {"n": weeks}


def _weeks(ctx: _Context) -> list[dict]:
    """Per weekly bucket: held sessions (people, rests), minutes, pairs active and the expectation."""
    window, p, program = ctx.window, ctx.data["pairs"], ctx.program
    by_week = {row["week"]: row for row in ctx.data["weeks"]}
    result = []
    buckets = window.buckets
    for index, bucket in enumerate(buckets):
        start = bucket.start.date()
        rows = [row for week, row in by_week.items()
                if week == start or (index == 0 and week < start)
                or (index == len(buckets) - 1 and week > start)]
        held = sum(r["held"] for r in rows)
        # Sessions before the first or after the last bucket are folded into it; their people may
        # overlap, so the biggest week's people is the (safe) lower bound.
        people = max((r["mentors"] + r["mentees"] for r in rows), default=0)
        rests: tuple[int, ...] = ()
        if ctx.filters.people:
            rests = (max((r.get("rest__mentors", 0) + r.get("rest__mentees", 0) for r in rows), default=0),)
        duration = sum((r["duration"] or dt.timedelta()).total_seconds() for r in rows)
        active = p.get(f"week_{index}") or 0
        mentees = p.get(f"week_{index}__mentees") or 0
        days = bucket.days_in(window.lower, window.end)
        expected_value = active * (days / 7) / program.cadence_weeks if days else 0
        expected = anonymity.figure(Fig(expected_value, mentees + 1 if mentees else 0), ctx.k)
        result.append({"start": start, "held": held, "people": people, "rests": rests, "duration": duration,
                       "expected": expected, "pair_days": active * days})
    return result


def _roles_table(ctx: _Context) -> Table:
    """Cancellations and reschedules by who made them: a breakdown by role for each."""
    cubes, k = ctx.cubes, ctx.k
    rows = ctx.data["events"]
    table = Table("cancellations", _("Cancellations and reschedules by role"),
                  [Column(_("Who"), TEXT), Column(_("Cancellations")), Column(_("Reschedules"))],
                  note=_("Who cancels or moves sessions: counted by the role of the person who did it. "
                         "People are the distinct people who did it."))
    labels = {"mentor": _("Junior mentors"), "mentee": _("Senior mentees")}
    columns = []
    for kind in ("cancelled", "rescheduled"):
        def fn_for(role: str | None, kind: str = kind) -> FigureFn:
            def fn(rs: Rows) -> Fig:
                picked = [r for r in rs if r["kind"] == kind and (role is None or r["actor_role"] == role)]
                return Fig(sum(r["events"] for r in picked), sum(r["people"] for r in picked))
            return fn
        groups = [cubes.fig(rows, fn_for(role)) for role in labels]
        forced = [cubes.forced(rows, fn_for(role)) for role in labels]
        cells, total = anonymity.breakdown(groups, cubes.fig(rows, fn_for(None)), k, forced=forced)
        columns.append([*cells, total])
    for index, label in enumerate([*labels.values(), _("Total")]):
        table.rows.append([label, columns[0][index], columns[1][index]])
    table.chart = chart("bar", [table.rows[0][0], table.rows[1][0]], [
        Series(_("Cancellations"), columns[0][:2]),
        Series(_("Reschedules"), columns[1][:2], style={"pattern": True}),
    ], k)
    return table


# 3. Quality ----------------------------------------------------------------------------------------------


def _scoped(ctx: _Context, rows: Rows, value: Any, *, people: str = "people",
            rest: str = "rest_people") -> Fig:
    """A figure from SQL-filtered answer rows (several months or questions): the biggest row's
    people stand for it, a safe lower bound since the rows may share people."""
    n = max((r[people] or 0 for r in rows), default=0)
    rests = (max((r[rest] or 0 for r in rows), default=0),) if ctx.filters.people else ()
    return Fig(value, n, rests)


def _average(rows: Rows) -> float | None:
    answers = sum(r["answers"] or 0 for r in rows)
    return sum(r["total"] or 0 for r in rows) / answers if answers else None


def _quality(ctx: _Context) -> Section:
    cubes, k = ctx.cubes, ctx.k
    answers = ctx.data["answers"]
    numeric = [r for r in answers
               if r["kind"] in (SurveyQuestion.Kind.RATING, SurveyQuestion.Kind.RECOMMENDATION)]
    questions = Table("questions", _("Average per survey question"),
                      [Column(_("Question"), TEXT), Column(_("Survey"), TEXT), Column(_("Scale"), TEXT),
                       Column(_("Average"), AVERAGE), Column(_("Answers"))],
                      note=_("Each average is shown when at least %(k)s people answered the question.")
                      % {"k": k}, empty=_("No rating answers yet."))
    surveys = dict(SurveyQuestion.Survey.choices)
    for qid in sorted({r["q"] for r in numeric}, key=lambda q: _question_order(numeric, q)):
        mine = [r for r in numeric if r["q"] == qid]
        first = mine[0]
        avg = anonymity.figure(_scoped(ctx, mine, _average(mine)), k)
        count = with_cell(avg, sum(r["answers"] or 0 for r in mine), people=False)
        scale = "0–10" if first["kind"] == SurveyQuestion.Kind.RECOMMENDATION else "1–5"
        questions.rows.append([first["label"], surveys.get(first["survey"], "—"), scale, avg, count])

    choices = _choices_table(ctx, answers)
    satisfaction = cubes.cell(ctx.data["satisfaction"], average_of())
    recommendation_rows = [r for r in numeric if r["kind"] == SurveyQuestion.Kind.RECOMMENDATION]
    recommendation = anonymity.figure(_scoped(ctx, recommendation_rows, _average(recommendation_rows)), k)
    fit_rows = [r for r in numeric if r["fit"] and r["kind"] == SurveyQuestion.Kind.RATING]
    fit = anonymity.figure(_scoped(ctx, fit_rows, _average(fit_rows)), k)
    nps_table, nps = _nps_table(ctx, recommendation_rows)
    responses, overall_rate = _response_table(ctx)
    trend = _trend_table(ctx)
    ctx.results.update(satisfaction=satisfaction, recommendation=recommendation, response_rate=overall_rate)
    stats = [
        Stat(_("Average satisfaction"), satisfaction, AVERAGE,
             note=_("Out of 5: answers to the questions that count as satisfaction.")),
        Stat(_("Recommendation"), recommendation, AVERAGE,
             note=_("Out of 10: “How likely are you to recommend this program?”")),
        Stat(_("Net promoter score"), nps, SIGNED,
             note=_("% of answers 9–10 minus % of answers 0–6, from −100 to +100.")),
        Stat(_("Pairing fit after the first session"), fit, AVERAGE,
             note=_("Out of 5: the question asked only after a pair's first session.")),
        Stat(_("Survey response rate"), overall_rate, PERCENT,
             note=_("Invitations answered ÷ invitations sent, all surveys.")),
    ]
    return Section("quality", _("Quality"),
                   intro=_("What participants say in the surveys. Free-text answers are never shown here."),
                   stats=stats, tables=[questions, trend, choices, nps_table, responses])


def with_cell(cell: Cell, value: Any, *, people: bool = True) -> Cell:
    """Show ``value`` exactly when ``cell`` is shown.

    Otherwise ``value`` takes the cell's state when it counts the same people ("Learners: fewer
    than k"); a count of something else (messages sent, answers given) is only withheld: "fewer
    than 5" next to 12 invitations would read as if fewer than 5 had been sent.
    """
    if cell.shown:
        return Cell(value, anonymity.SHOWN)
    return Cell(None, cell.state if people else anonymity.HIDDEN)


def _question_order(rows: Rows, qid: int) -> tuple:
    row = next(r for r in rows if r["q"] == qid)
    order = ["after_session", "mid_program", "end_program"]
    return (order.index(row["survey"]) if row["survey"] in order else 9, row["order"] or 0, qid or 0)


def _choices_table(ctx: _Context, answers: Rows) -> Table:
    k = ctx.k
    rows = [r for r in answers if r["kind"] == SurveyQuestion.Kind.CHOICE]
    table = Table("choices", _("Single-choice questions"),
                  [Column(_("Question"), TEXT), Column(_("Answer"), TEXT),
                   Column(_("Share of answers"), PERCENT)],
                  note=_("Options chosen by fewer than %(k)s people are hidden, and so is one more option "
                         "when that alone would let them be worked out.") % {"k": k},
                  empty=_("No single-choice answers yet."))
    for qid in sorted({r["q"] for r in rows}, key=lambda q: _question_order(rows, q)):
        mine = [r for r in rows if r["q"] == qid]
        options = sorted({r["choice"] for r in mine})
        answers_total = sum(r["answers"] or 0 for r in mine)
        groups = [_scoped(ctx, [r for r in mine if r["choice"] == o],
                          sum(r["answers"] or 0 for r in mine if r["choice"] == o)) for o in options]
        cells, _t = anonymity.breakdown(groups, _scoped(ctx, mine, answers_total), k)
        for o, cell in zip(options, cells, strict=True):
            share = with_cell(cell, cell.value / answers_total if cell.shown and answers_total else None)
            table.rows.append([mine[0]["label"], o, share])
    return table


def _nps_table(ctx: _Context, rows: Rows) -> tuple[Table, Cell]:
    """Promoters, passives and detractors: a breakdown of the people who answered."""
    k = ctx.k
    labels = [("promoters", _("Promoters (9–10)")), ("passives", _("Passives (7–8)")),
              ("detractors", _("Detractors (0–6)"))]
    groups = [_scoped(ctx, rows, sum(r[f"{name}_answers"] or 0 for r in rows), people=f"{name}_people",
                      rest=f"{name}_rest") for name, _label in labels]
    answers = sum(r["answers"] or 0 for r in rows)
    cells, total_cell = anonymity.breakdown(groups, _scoped(ctx, rows, answers), k)
    table = Table("recommendation", _("Recommendation: promoters and detractors"),
                  [Column(_("Group"), TEXT), Column(_("Share of answers"), PERCENT)],
                  empty=_("No recommendation answers yet."))
    if answers:
        for (_name, label), cell in zip(labels, cells, strict=True):
            table.rows.append([label, with_cell(cell, cell.value / answers if cell.shown else None)])
    if not answers:
        nps = Cell(None, anonymity.SMALL if total_cell.small else anonymity.SHOWN)  # no answers: "—"
    elif cells[0].shown and cells[2].shown:
        nps = Cell(100 * (cells[0].value - cells[2].value) / answers, anonymity.SHOWN)
    elif cells[0].small or cells[2].small or total_cell.small:
        nps = Cell(None, anonymity.SMALL)
    else:
        nps = Cell(None, anonymity.HIDDEN)
    return table, nps


def response_rate(suffix: str) -> FigureFn:
    """Answered ÷ sent invitations (``suffix`` "" for all surveys, "_<kind>" for one)."""
    def fn(rs: Rows) -> Fig:
        sent = sum(r[f"sent{suffix}"] for r in rs)
        invited = sum(r[f"invited_people{suffix}"] for r in rs)
        answered = sum(r[f"answered_people{suffix}"] for r in rs)
        return share_fig(sum(r[f"answered{suffix}"] for r in rs) / sent if sent else None, invited, answered)
    return fn


def _response_table(ctx: _Context) -> tuple[Table, Cell]:
    cubes, k = ctx.cubes, ctx.k
    rows = ctx.data["invitations"]
    table = Table("response_rates", _("Survey response rates"),
                  [Column(_("Survey"), TEXT), Column(_("Sent")), Column(_("Answered")),
                   Column(_("Response rate"), PERCENT)],
                  note=_("A rate is shown when the people invited, those who answered and those who did "
                         "not are each none or at least %(k)s.") % {"k": k})
    kinds = [(kind, label) for kind, label in SURVEY_NAMES()
             if any(r[f"sent_{kind}"] for r in cubes.pick(rows))]
    fns = [response_rate(f"_{kind}") for kind, _label in kinds]
    groups = [cubes.fig(rows, fn) for fn in fns]
    forced = [cubes.forced(rows, fn) for fn in fns]
    # Sent and answered counts of the surveys add up to the totals: protect them as a breakdown.
    cells, overall = anonymity.breakdown(groups, cubes.fig(rows, response_rate("")), k, forced=forced)
    if overall.shown and cubes.forced(rows, response_rate("")):
        overall = anonymity.hide(overall)
        cells = [anonymity.hide(c) for c in cells]
    for (kind, label), cell in zip([*kinds, ("", _("All surveys"))], [*cells, overall], strict=True):
        suffix = f"_{kind}" if kind else ""
        picked = cubes.pick(rows)
        table.rows.append([label, with_cell(cell, sum(r[f"sent{suffix}"] for r in picked), people=False),
                           with_cell(cell, sum(r[f"answered{suffix}"] for r in picked), people=False), cell])
    return table, overall


def SURVEY_NAMES() -> list[tuple[str, str]]:  # noqa: N802 - a constant, translated when called
    return [("after_session", _("After each session")), ("mid_program", _("Mid-program")),
            ("end_program", _("End of program"))]


def _trend_table(ctx: _Context) -> Table:
    """Satisfaction by month: a breakdown of the overall satisfaction (months add up to it)."""
    k = ctx.k
    rows = [r for r in ctx.data["answers"] if r["sat"] and r["kind"] == SurveyQuestion.Kind.RATING]
    months = sorted({r["month"] for r in rows})
    table = Table("satisfaction_trend", _("Satisfaction over time"),
                  [Column(_("Month"), TEXT), Column(_("Average satisfaction"), AVERAGE),
                   Column(_("Answers"))],
                  note=_("Average of the satisfaction ratings given in each month (1–5)."),
                  empty=_("No satisfaction ratings yet."))
    by_month = [[r for r in rows if r["month"] == m] for m in months]
    groups = [_scoped(ctx, mine, _average(mine)) for mine in by_month]
    cells, _total = anonymity.breakdown(groups, ctx.cubes.fig(ctx.data["satisfaction"], average_of()), k)
    for month, mine, cell in zip(months, by_month, cells, strict=True):
        answers = with_cell(cell, sum(r["answers"] or 0 for r in mine), people=False)
        table.rows.append([show_month(month), cell, answers])
    table.chart = chart("line", [show_month(m) for m in months],
                        [Series(_("Average satisfaction"), cells, AVERAGE, "line")], k, min=1, max=5)
    return table


# 4. Outcomes ---------------------------------------------------------------------------------------------


def _outcomes(ctx: _Context) -> Section:
    cubes, k = ctx.cubes, ctx.k
    skills = [r for r in ctx.data["topics"] if r["source"] == "skill"]
    learners = {Direction.JUNIOR_TEACHES: _("What senior mentees learned"),
                Direction.SENIOR_TEACHES: _("What junior mentors learned")}
    gain = _gain_fn()
    skill_table = Table("skills", _("Skill gains in each direction"),
                        [Column(_("Topic"), TEXT), Column(_("Who learned"), TEXT),
                         Column(_("Average gain"), SIGNED), Column(_("Learners"))],
                        note=_("Self-assessed skill (1–5) at the end minus at enrolment, averaged over the "
                               "people who rated the topic both times."),
                        empty=_("No end-of-program skill ratings yet."))
    stats = []
    ctx.results["skill_gain"] = {}
    for direction, title in learners.items():
        mine = [r for r in skills if r["t_direction"] == direction]
        topic_ids = sorted({r["t_topic"] for r in mine}, key=lambda t: next(
            r["t_name"] for r in mine if r["t_topic"] == t))
        per_topic = per_cell(mine, lambda r: "all")
        overall = cubes.cell(per_topic, gain)
        ctx.results["skill_gain"][direction] = overall
        stats.append(Stat(title, overall, SIGNED,
                          note=_("Average gain in self-assessed skill, 1–5 scale.")))
        groups, forced, labels = [], [], []
        for topic_id in topic_ids:
            rows = [r for r in mine if r["t_topic"] == topic_id]
            fig = cubes.fig(rows, gain)
            groups.append(fig)
            forced.append(cubes.forced(rows, gain))
            labels.append(rows[0]["t_name"])
        cells, _t = anonymity.breakdown(groups, cubes.fig(per_topic, gain), k, forced=forced)
        for label, cell, fig in zip(labels, cells, groups, strict=True):
            skill_table.rows.append([label, title, cell, with_cell(cell, fig.n)])
    if skill_table.rows:
        all_labels = [row[0] + " — " + (_("seniors") if row[1] == learners[Direction.JUNIOR_TEACHES]
                                        else _("juniors")) for row in skill_table.rows]
        skill_table.chart = chart("bar", all_labels, [
            Series(_("Average gain"), [r[2] for r in skill_table.rows], SIGNED)], k, horizontal=True)
    topics = _topics_table(ctx)
    return Section("outcomes", _("Outcomes and two-way learning"),
                   intro=_("Whether the program meets its goals, and what each side learned."),
                   stats=stats, tables=[skill_table, topics])


def _gain_fn() -> FigureFn:
    def fn(rs: Rows) -> Fig:
        n = sum(r["ratings"] for r in rs)
        gain = (sum(r["end_sum"] or 0 for r in rs) - sum(r["start_sum"] or 0 for r in rs)) / n if n else None
        return Fig(gain, sum(r["people"] for r in rs))
    return fn


def _topics_table(ctx: _Context) -> Table:
    table = Table("topics", _("Topics covered in sessions, by direction"),
                  [Column(_("Topic"), TEXT), Column(_("Taught by"), TEXT), Column(_("Sessions")),
                   Column(_("Learners"))],
                  note=_("From the topics tagged in session logs (never their text). Learners: distinct "
                         "people who learned the topic in at least one session."),
                  empty=_("No topics logged yet."))
    teachers = {Direction.JUNIOR_TEACHES: _("Junior mentor"), Direction.SENIOR_TEACHES: _("Senior mentee")}
    taught = [r for r in ctx.data["topics"] if r["source"] == "taught"]
    for direction, teacher in teachers.items():
        rows = sorted((r for r in taught if r["t_direction"] == direction), key=lambda r: r["t_name"])
        for row in rows:
            rests = (row["rest_people"],) if ctx.filters.people else ()
            cell = anonymity.figure(Fig(row["sessions"], row["people"], rests), ctx.k)
            table.rows.append([row["t_name"], teacher, cell, with_cell(cell, row["people"])])
    return table


# 5. Act ----------------------------------------------------------------------------------------------------


def _act(ctx: _Context) -> Section:
    k = ctx.k
    reasons = [("risk_exit", _("Asked HR to end the pair or rematch")),
               ("risk_low", _("Low session ratings (below 3 of 5 on average, last 8 weeks)")),
               ("risk_behind", _("Behind the cadence"))]
    groups = [ctx.pair(name) for name, _label in reasons]
    # The names below give the number of pairs away, so the total counts as shown.
    cells, total = anonymity.breakdown(groups, ctx.pair("at_risk"), k, total_known=True)
    table = Table("at_risk", _("Pairs at risk, by first reason"),
                  [Column(_("Reason"), TEXT), Column(_("Pairs"))],
                  rows=[[label, cell] for (_n, label), cell in zip(reasons, cells, strict=True)],
                  note=_("Active pairs only. Each pair counts once, under the first reason that applies "
                         "(in this order). Reasons are never shown per pair."))
    table.rows.append([_("All pairs at risk"), total])
    return Section("act", _("Act: pairs at risk"),
                   intro=_("Pairs to contact. Names only: never notes, individual ratings or the reason "
                           "for a particular pair."),
                   tables=[table], extra={"names": True})


# 6. Breakdowns ----------------------------------------------------------------------------------------------


def _breakdowns(ctx: _Context) -> Section:
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
        table_rows, totals = cubes.breakdown(rows, dim, fns, label)
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


def _tagged(rows: Rows, tag: str) -> Rows:
    return [{**r, "_tag": tag} for r in rows]


# Goals ----------------------------------------------------------------------------------------------------


MET, NOT_MET, NO_DATA, NOT_MEASURED = "met", "not_met", "no_data", "not_measured"
IN_PROGRESS = "in_progress"
# Goals whose figure only grows while the program runs: falling short before the end is not failing.
_CUMULATIVE_GOALS = (Goal.Kind.SESSIONS_REACHED,)


def _goals(ctx: _Context) -> Table:
    table = Table("goals", _("Program goals"),
                  [Column(_("Goal"), TEXT), Column(_("Target"), TEXT), Column(_("Result"), TEXT),
                   Column(_("Status"), TEXT)],
                  note=_("“Not enough data” when the figure is hidden (fewer than %(k)s people) or "
                         "missing.")
                  % {"k": ctx.k}, empty=_("This program has no goals."))
    status_text = {MET: _("Met"), NOT_MET: _("Not met"), NO_DATA: _("Not enough data"),
                   NOT_MEASURED: _("Not measured"), IN_PROGRESS: _("In progress")}
    program = ctx.program
    running = program.status != Program.Status.CLOSED and (
        program.ends_on is None or timezone.localdate() <= program.ends_on)
    for goal in ctx.data["goals"]:
        cell, fmt = _goal_figure(ctx, goal)
        status = _goal_status(goal, cell)
        if status == NOT_MET and running and goal.kind in _CUMULATIVE_GOALS:
            status = IN_PROGRESS
        result = cell_text(cell, fmt, ctx.k) if cell is not None else "—"
        table.rows.append([goal.title, goal.target_text, result, GoalStatus(status, status_text[status])])
    return table


@dataclass(frozen=True)
class GoalStatus:
    code: str
    text: str

    def __str__(self) -> str:
        return self.text


def _goal_figure(ctx: _Context, goal: Goal) -> tuple[Cell | None, str]:
    kind, results = goal.kind, ctx.results
    if kind == Goal.Kind.SESSIONS_REACHED and goal.sessions:
        return results.get("sessions_reached", {}).get(goal.sessions), PERCENT
    if kind == Goal.Kind.SATISFACTION:
        return results.get("satisfaction"), AVERAGE
    if kind == Goal.Kind.SKILL_GAIN and goal.direction:
        return results.get("skill_gain", {}).get(goal.direction), SIGNED
    if kind == Goal.Kind.RESPONSE_RATE:
        return results.get("response_rate"), PERCENT
    if kind == Goal.Kind.RECOMMENDATION:
        return results.get("recommendation"), AVERAGE
    return None, TEXT


def _goal_status(goal: Goal, cell: Cell | None) -> str:
    if goal.kind == Goal.Kind.QUALITATIVE:
        return NOT_MEASURED
    if cell is None or not cell.shown or cell.value is None or goal.target is None:
        return NO_DATA
    value = float(cell.value)
    target = float(goal.target)
    if goal.kind in (Goal.Kind.SESSIONS_REACHED, Goal.Kind.RESPONSE_RATE):
        target = target / 100
    # Round the way the page shows the figure, so "4.0 against a target of 4" reads as met.
    shown = round(value, 2 if goal.kind in (Goal.Kind.SESSIONS_REACHED, Goal.Kind.RESPONSE_RATE) else 1)
    return MET if shown >= target else NOT_MET


# Charts and exports -------------------------------------------------------------------------------------


def csv_rows(table: Table, k: int) -> list[list[str]]:
    """The table as CSV rows: a header, then each row's cells as the page writes them."""
    rows = [[c.label for c in table.columns]]
    for row in table.rows:
        rows.append([cell_text(v, column.fmt, k) for v, column in zip(row, table.columns, strict=True)])
    return rows


# Filter options and the certificates overview -------------------------------------------------------------


def filter_options(enrollments: Rows, k: int) -> tuple[list[str], list[dt.date]]:
    """Departments and intakes a filter may select: groups the participants breakdown shows."""
    result = []
    enrollments = applications(enrollments)
    for dim in ("d_department", "d_cohort"):
        values = sorted({r[dim] for r in enrollments if r[dim] not in (None, "")}, key=_sort_key)
        groups = [total_of("people")([r for r in enrollments if r[dim] == v]) for v in values]
        cells, _total = anonymity.breakdown(groups, total_of("people")(enrollments), k)
        result.append([v for v, c in zip(values, cells, strict=True) if c.shown])
    return result[0], result[1]


def certificate_summary(participants: Sequence, k: int) -> list[Stat]:
    """Counts for the certificates page (leads see these, never the names)."""
    mentors = [p for p in participants if p.role == "mentor"]
    consented = sum(1 for p in mentors if p.consented)
    sent = sum(1 for p in mentors if p.note_sent)
    total = Fig(len(participants), len(participants))
    mentees = len(participants) - len(mentors)
    (mentor_cell, mentee_cell), total_cell = anonymity.breakdown(
        [Fig(len(mentors), len(mentors)), Fig(mentees, mentees)], total, k)

    def part(n: int, whole: int) -> Cell:
        # A part of a shown whole gives the rest away: both must be none or at least k people.
        return anonymity.figure(Fig(n, n, (whole - n,)), k)
    return [
        Stat(_("Certificates"), total_cell, note=_("Everyone who was in a pair that started.")),
        Stat(_("Junior mentors"), mentor_cell),
        Stat(_("Senior mentees"), mentee_cell),
        Stat(_("Mentors who agreed to a note to their manager"), part(consented, len(mentors))),
        Stat(_("Notes sent to managers"), part(sent, consented)),
    ]
