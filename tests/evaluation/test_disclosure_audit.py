"""An auditor of the published figures, in the way statistical offices audit their tables.

For random cohorts (hypothesis) it collects every figure a lead can download across the filter
combinations — the breakdown tables under every department and intake filter the form offers, and
the sessions figures under every date window — and then, for each hidden cell, computes the
tightest bounds a reader can derive from all of them by integer linear programming
(``scipy.optimize.linprog`` with integrality: counts are whole and never negative). The protection
rule the audit enforces:

* a hidden count of people (or of the cancellations they made) must keep a feasible range at least
  k - 1 wide: at least k values stay possible;
* a week whose sessions were held by fewer than k people can be bounded no tighter than the whole
  period it is shown in: from 0 to that period's total.

The report code itself publishes the figures (``report.breakdowns``, ``periods.window_for`` and
``periods.series_spans``): the cubes are built by hand, so no database is needed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from evaluation.disclosure import Cell, Fig
from evaluation.periods import Filters, program_weeks, series_levels, series_spans, window_for
from evaluation.report.breakdowns import _breakdowns, filter_options
from evaluation.report.cubes import Context, Cubes, Selection, _sort_key, total_of
from evaluation.selectors import band_of

DEPARTMENTS = ["Engineering", "Legal", "Sales", "Finance"]
LEVELS = [2, 11]
COHORTS = [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
CELLS = list(itertools.product(DEPARTMENTS, LEVELS, COHORTS))
CAP = 10**6


class Auditor:
    """Published equalities over integer unknowns, and the hidden cells to bound."""

    def __init__(self, unknowns: int):
        self.n = unknowns
        self.equalities: list[tuple[np.ndarray, float]] = []
        self.hidden: list[tuple[np.ndarray, str]] = []

    def publish(self, coefficients: np.ndarray, cell: Cell, what: str) -> None:
        if cell.shown:
            self.equalities.append((coefficients, float(cell.value)))
        else:
            self.hidden.append((coefficients, what))

    def bounds(self, coefficients: np.ndarray) -> tuple[float, float]:
        a = np.array([c for c, _v in self.equalities]) if self.equalities else None
        b = np.array([v for _c, v in self.equalities]) if self.equalities else None
        ends = []
        for sign in (1, -1):
            # A huge cap instead of none: an unbounded cell reads as the cap (HiGHS cannot always
            # tell unbounded from infeasible otherwise).
            result = linprog(sign * coefficients, A_eq=a, b_eq=b, bounds=(0, CAP),
                             integrality=np.ones(self.n), method="highs")
            assert result.status == 0, result.message  # the true cohort is always feasible
            ends.append(sign * result.fun)
        return ends[0], ends[1]


# --- breakdowns across department and intake filters -------------------------------------------------


cohorts = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 3)), min_size=len(CELLS),
                   max_size=len(CELLS))


def cube_rows(cohort: list[tuple[int, int]]) -> tuple[list[dict], list[dict]]:
    enrollments, events = [], []
    for (department, level, intake), (people, cancellers) in zip(CELLS, cohort, strict=True):
        dims = {"d_department": department, "d_level": level, "d_band": band_of(level), "d_cohort": intake}
        if people:
            enrollments.append({"role": "mentor", "status": "approved", "people": people, "matched": people,
                                "active": people, **dims})
        cancellers = min(cancellers, people)
        if cancellers:
            events.append({"kind": "cancelled", "actor_role": "mentor", "events": 2 * cancellers - 1,
                           "people": cancellers, **dims})
    return enrollments, events


def selections(enrollments: list[dict], k: int) -> list[Selection]:
    """Every people filter the form accepts (one department or one intake, not both)."""
    departments, intakes = filter_options(enrollments, k)
    return [Selection(), *[Selection(department=d) for d in departments],
            *[Selection(cohort=c) for c in intakes]]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohort=cohorts, k=st.sampled_from([3, 5]))
# A program of one person: "0 cancellations" for the whole program was about that one person.
@example(cohort=[(0, 0)] * (len(CELLS) - 1) + [(1, 0)], k=3)
def test_no_hidden_breakdown_cell_can_be_narrowed_across_filters(cohort, k):
    enrollments, events = cube_rows(cohort)
    participants = len(CELLS)  # unknowns: people per cell, then cancellations per cell
    auditor = Auditor(2 * participants)
    for selection in selections(enrollments, k):
        filters = Filters(department=selection.department, cohort=selection.cohort)
        data = {"enrollments": enrollments, "satisfaction": [], "invitations": [], "events": events}
        cubes = Cubes.of(selection, k, enrollments)  # as report.build makes them
        ctx = Context(program=None, filters=filters, data=data, cubes=cubes, k=k, window=None)
        section = _breakdowns(ctx)
        rows = [{**r, "_kind": "people"} for r in enrollments] + [{**r, "_kind": "events"} for r in events]
        mine = [r for r in rows if selection.matches(r)]

        def matching(cell: dict, dim: str | None = None, value=None, selection=selection) -> bool:
            return selection.matches(cell) and (dim is None or value == "all" or cell[dim] == value)

        def coefficients_of(offset: int, dim: str | None = None, value=None) -> np.ndarray:
            coefficients = np.zeros(2 * participants)
            for i, (department, level, intake) in enumerate(CELLS):
                cell = {"d_department": department, "d_band": band_of(level), "d_cohort": intake}
                coefficients[offset + i] = matching(cell, dim, value)
            return coefficients

        # The filtered view's own headline figures: participants (the funnel's "Applied") and the
        # cancellations total, protected as the page protects them.
        applied = ctx.cubes.cell(enrollments, total_of("people"))
        auditor.publish(coefficients_of(0), applied, f"participants under {selection}")
        cancelled = ctx.cubes.cell(events, lambda rs: Fig(sum(r["events"] for r in rs),
                                                          sum(r["people"] for r in rs)))
        auditor.publish(coefficients_of(participants), cancelled, f"cancellations under {selection}")
        dims = ("d_department", "d_band", "d_cohort") if section.tables else ()
        for table, dim in zip(section.tables, dims, strict=True):
            values = sorted({r.get(dim) for r in mine}, key=_sort_key)
            for index, row in enumerate(table.rows):
                value = values[index] if index < len(values) else "all"
                for column, offset, what in ((1, 0, "people"), (5, participants, "cancellations")):
                    coefficients = coefficients_of(offset, dim, value)
                    label = f"{what} of {row[0]} by {dim} under {selection}"
                    auditor.publish(coefficients, row[column], label)
    truth = np.array([p for p, _c in cohort] + [0] * participants, dtype=float)
    for i, (people, cancellers) in enumerate(cohort):
        truth[participants + i] = 2 * min(cancellers, people) - 1 if min(cancellers, people) else 0
    published = {tuple(c) for c, _v in auditor.equalities}
    for coefficients, what in auditor.hidden:
        if tuple(coefficients) in published:
            continue  # shown in another view (a view may hide more than it must, never less)
        low, high = auditor.bounds(coefficients)
        assert low <= coefficients @ truth <= high
        assert high - low >= k - 1, f"{what}: narrowed to [{low}, {high}]"


# --- sessions across date windows --------------------------------------------------------------------


STARTS = dt.date(2026, 1, 5)
NOW = dt.datetime(2026, 3, 18, 12, tzinfo=dt.UTC)  # eleven weeks in


def period_rows(meetings: list[set[int]], weeks, levels) -> list[dict]:
    """The rows ``pair_reads.held_periods`` reads: per level and period, sessions and people."""
    rows = []
    for level, periods in enumerate(levels):
        for index, (first, last) in enumerate(periods):
            pairs = [p for week in range(first, last + 1) for p in meetings[week]]
            people = len(set(pairs))
            rows.append({"level": level, "period": index, "held": len(pairs), "mentors": people,
                         "mentees": people, "measured_people": 2 * people})
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meetings=st.lists(st.sets(st.integers(0, 5), max_size=6), min_size=11, max_size=11),
       k=st.sampled_from([3, 5]))
def test_no_quiet_week_can_be_narrowed_across_date_windows(meetings, k):
    program = SimpleNamespace(starts_on=STARTS, ends_on=None, created_at=None)
    weeks, _end = program_weeks(program, now=NOW)
    assert len(weeks) == 11
    levels = series_levels(weeks)
    _level, spans = series_spans(period_rows(meetings, weeks, levels), levels, k, scoped=False)
    periods = [(s.first, s.last) for s in spans]
    held = [len(m) for m in meetings]
    auditor = Auditor(len(weeks))

    def publish(first: int, last: int, label: str) -> None:
        coefficients = np.zeros(len(weeks))
        coefficients[first:last + 1] = 1
        people = 2 * len(set().union(*meetings[first:last + 1]))
        shown = people == 0 or people >= k
        auditor.publish(coefficients, Cell(sum(held[first:last + 1]), "shown" if shown else "small"), label)

    days = [None] + [w.start.date() + dt.timedelta(days=2) for w in weeks]
    for start, stop in itertools.product(days, days):
        if start and stop and stop < start:
            continue
        window = window_for(program, Filters(date_from=start, date_to=stop), now=NOW, periods=periods)
        # What the page publishes for the window: its total, and each period of its series.
        publish(window.first_week, window.last_week, f"sessions held {start}–{stop}")
        for span in spans:
            if window.first_week <= span.first and span.last <= window.last_week:
                publish(span.first, span.last, f"the period from week {span.first} in {start}–{stop}")
    for week, pairs in enumerate(meetings):
        if 0 < 2 * len(pairs) < k:
            span = next(s for s in spans if s.first <= week <= s.last)
            coefficients = np.zeros(len(weeks))
            coefficients[week] = 1
            low, high = auditor.bounds(coefficients)
            total = sum(held[span.first:span.last + 1])
            assert low == 0 and high >= total, f"week {week}: [{low}, {high}] in a period of {total}"
