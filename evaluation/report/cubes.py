"""Figures from cube rows for the department/intake selection, with the protections of disclosure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from evaluation import disclosure
from evaluation.disclosure import Cell, Fig
from evaluation.selectors import ELIGIBLE, Filters, Window
from programs.models import Program

Rows = list[dict]
FigureFn = Callable[[Rows], Fig]


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

    def __init__(self, selection: Selection, k: int, *, population: int | None = None):
        self.selection = selection
        self.k = k
        # The people of the selection (its applicants): every figure of a selection of 1..k-1
        # people is about them, its zeros included (a program of two: "0 cancellations").
        self.population = population

    @classmethod
    def of(cls, selection: Selection, k: int, enrollments: Rows) -> Cubes:
        """The cubes of ``selection``, knowing how many people it holds (from the enrolment cube)."""
        cubes = cls(selection, k)
        cubes.population = sum(r["people"] for r in cubes.pick(applications(enrollments)))
        return cubes

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
            cells, _total = disclosure.breakdown(groups, fn(within), self.k)
            if value in values and not cells[values.index(value)].shown:
                return True
        return False

    def fig(self, rows: Rows, fn: FigureFn) -> Fig:
        own = fn(self.pick(rows))
        return Fig(own.value, own.n, own.rests + self._rests(rows, fn), population=self.population)

    def cell(self, rows: Rows, fn: FigureFn) -> Cell:
        cell = disclosure.figure(self.fig(rows, fn), self.k)
        if cell.shown and self._breakdown_hides(rows, fn):
            return disclosure.hide(cell)
        return cell

    def forced(self, rows: Rows, fn: FigureFn) -> bool:
        return bool(self.selection.active) and self._breakdown_hides(rows, fn)

    def breakdown(self, rows: Rows, dim: str, fns: Sequence[FigureFn],
                  labels: Callable[[Any], str], *,
                  anchored: bool = False) -> tuple[list[list[Any]], list[Cell]]:
        """Rows of a breakdown table by ``dim`` within the selection: one column per figure.

        ``anchored``: the first column counts the people each row is about (a department's
        participants); every other figure of a row inherits its suppression — a small group's
        zero cancellations or its average say something about each of its few members.
        """
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
            forced = None
            if anchored and columns:
                anchor = columns[0]
                people = [fns[0]([r for r in mine if r.get(dim) == v]).n for v in values]
                groups = [Fig(g.value, g.n, g.rests, population=n if a.small else None)
                          for g, a, n in zip(groups, anchor, people, strict=True)]
                forced = [not a.shown for a in anchor]
            total = self.fig(rows, fn)
            cells, total_cell = disclosure.breakdown(groups, total, self.k, forced=forced)
            if anchored and totals and total_cell is not None and not totals[0].shown:
                total_cell = disclosure.hide(total_cell)
                cells = [disclosure.hide(c) for c in cells]
            if total_cell is not None and total_cell.shown and self.forced(rows, fn):
                total_cell = disclosure.hide(total_cell)
                cells = [disclosure.hide(c) for c in cells]
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




@dataclass
class Context:
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
        return Fig(p.get(name) if value is None else value, people, rests, population=self.cubes.population)


def applications(rows: Rows) -> Rows:
    """The enrolment cube without its eligible-but-not-applied rows."""
    return [r for r in rows if r["status"] != ELIGIBLE]


def with_cell(cell: Cell, value: Any, *, people: bool = True) -> Cell:
    """Show ``value`` exactly when ``cell`` is shown.

    Otherwise ``value`` takes the cell's state when it counts the same people ("Learners: fewer
    than k"); a count of something else (messages sent, answers given) is only withheld: "fewer
    than 5" next to 12 invitations would read as if fewer than 5 had been sent.
    """
    if cell.shown:
        return Cell(value, disclosure.SHOWN)
    return Cell(None, cell.state if people else disclosure.HIDDEN)
