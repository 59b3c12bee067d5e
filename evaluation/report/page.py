"""The page model (tables, key figures, charts) and how a protected cell is written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from accounts.dates import machine_number, show_date, show_month, show_number, show_percent
from evaluation import disclosure
from evaluation.disclosure import Cell
from evaluation.selectors import Filters, Window
from programs.models import Program

# Column formats: how a cell's value is written on the page and in the CSV.
COUNT, PERCENT, AVERAGE, DAYS, HOURS, DECIMAL, TEXT, SIGNED = (
    "count", "percent", "average", "days", "hours", "decimal", "text", "signed")
# Goal statuses (their badge colours on the page).
MET, NOT_MET, NO_DATA, NOT_MEASURED = "met", "not_met", "no_data", "not_measured"


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
    # A time series' rows as (first, last) week of the program (read by the tests' auditor).
    periods: list[tuple[int, int]] = field(default_factory=list)

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
                     # A withheld figure says why, in one sentence, beside its definition.
                     rows=[[s.label, Figure(s.cell, s.fmt) if isinstance(s.cell, Cell) else s.cell,
                            " ".join(t for t in (why_text(s.cell, self.k), s.note) if t)]
                           for s in self.stats])


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

    @property
    def summary(self) -> str:
        """What the figures cover, as one sentence of phrases: "department People; period … ."."""
        filters, window = self.filters, self.window
        phrases = []
        if filters.department:
            phrases.append(_("department %(d)s") % {"d": filters.department})
        if filters.cohort:
            month = show_month(filters.cohort)
            phrases.append(_("people who applied in %(c)s") % {"c": month})
        if (filters.date_from or filters.date_to) and window.first_day:
            period = _("period %(a)s – %(b)s") % {"a": show_date(window.first_day),
                                                  "b": show_date(window.last_day)}
            if window.snapped:
                period += " " + _("(the dates chosen, widened to whole periods of the sessions chart)")
            phrases.append(period)
        if not phrases:
            return _("the whole program, all participants.")
        return "; ".join(phrases) + "."

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


@dataclass(frozen=True)
class Figure:
    """A cell with its own format, where one column mixes formats (the key figures' "Value")."""

    cell: Cell
    fmt: str


def cell_text(cell: Cell | Figure | Any, fmt: str, k: int, *, machine: bool = False) -> str:
    """A cell as text: the value, "hidden (fewer than k people)" or "hidden".

    The wording names people, never the figure's own unit: "fewer than 5" in a column of session
    counts beside a total of 9 would read as a count.
    """
    if isinstance(cell, Figure):
        return cell_text(cell.cell, cell.fmt, k, machine=machine)
    if not isinstance(cell, Cell):
        return "" if cell is None else str(cell)
    if cell.why == disclosure.WHY_NONE_DUE:
        return _("nothing due")
    if cell.small:
        return _("hidden (fewer than %(k)s people)") % {"k": k}
    if cell.hidden:
        return _("hidden")
    return format_value(cell.value, fmt, machine=machine)


def why_text(cell: Cell | Any, k: int) -> str:
    """One sentence saying why a withheld cell is withheld ("" for a shown one)."""
    if not isinstance(cell, Cell) or cell.shown:
        return ""
    if cell.why == disclosure.WHY_NONE_DUE:
        return _("No session was due from any pair in this period, so no pair can be on track or behind.")
    if cell.why == disclosure.WHY_DERIVED:
        if cell.small:
            return _("Hidden because it is worked out from a figure about fewer than %(k)s people.") % {
                "k": k}
        return _("Hidden because it is worked out from a figure that is itself hidden.")
    if cell.small:
        return _("Hidden because fewer than %(k)s people stand behind it.") % {"k": k}
    return _("Hidden so that a figure about fewer than %(k)s people cannot be worked out from the figures "
             "around it.") % {"k": k}


def display_rows(table: Table, k: int) -> list[list[dict]]:
    """Each row's cells as {text, state, num, badge} for the template."""
    rows = []
    for row in table.rows:
        cells = []
        for value, column in zip(row, table.columns, strict=True):
            cells.append({
                "text": cell_text(value, column.fmt, k),
                "why": why_text(value, k),
                "state": value.state if isinstance(value, Cell) else "",
                "num": column.fmt != TEXT,
                "badge": {MET: "ok", NOT_MET: "bad", NO_DATA: "warn"}.get(getattr(value, "code", None), ""),
            })
        rows.append(cells)
    return rows


def format_value(value: Any, fmt: str, *, machine: bool = False) -> str:
    """A figure as the page shows it, in the reader's language (accounts/dates.py: "1.234,5", "12 %"),
    or, with ``machine``, as CSV exports write it: no grouping and a decimal point in every language."""
    if value is None:
        return "—"
    number = machine_number if machine else show_number
    if fmt == PERCENT:
        return f"{number(round(100 * value))} %" if machine else show_percent(round(100 * value))
    if fmt in (AVERAGE, DECIMAL):
        return number(value, 1)
    if fmt == SIGNED:
        text = number(value, 1)
        return f"+{text}" if value > 0 else text
    if fmt == HOURS:
        return number(round(value))
    if fmt == DAYS:
        return number(value) if machine else formats.number_format(value)
    if fmt == COUNT:
        return number(value)
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


def _label_reason(cell: Cell, k: int) -> str:
    # Inside a label's brackets: no second pair of brackets.
    return _("hidden, fewer than %(k)s people") % {"k": k} if cell.small else _("hidden")


def chart(kind: str, labels: Sequence[str], series: Sequence[Series], k: int, *, mark: bool = True,
          **options: Any) -> dict:
    """The Chart.js spec for ``series`` over ``labels`` (read by static/js/charts.js).

    A withheld value draws nothing. In a chart of categories (``mark``) its category says why in
    its label — "Matched (hidden)" — rather than looking like a zero; a time series instead keeps
    its axis plain (its periods are coarsened until safe) and the page's note says what is left out.
    ``withheld`` tells the page whether any value is left out.
    """
    marked, withheld_any = [], False
    for index, label in enumerate(labels):
        withheld = [s for s in series if isinstance(s.cells[index], Cell) and not s.cells[index].shown]
        withheld_any = withheld_any or bool(withheld)
        reasons = [_label_reason(s.cells[index], k) if len(series) == 1
                   else f"{s.label}: {_label_reason(s.cells[index], k)}" for s in withheld]
        marked.append(f"{label} ({'; '.join(reasons)})" if reasons and mark else label)
    datasets = [{"label": s.label, "kind": s.kind, **s.style,
                 "data": [chart_value(cell, s.fmt) for cell in s.cells]} for s in series]
    return {"type": kind, "labels": marked, "datasets": datasets, "withheld": withheld_any, **options}


def csv_rows(table: Table, k: int) -> list[list[str]]:
    """The table as CSV rows: a header and the words ("hidden …") in the reader's language, the figures
    machine-readable (1234.5 in every language; see `format_value`)."""
    rows = [[c.label for c in table.columns]]
    for row in table.rows:
        rows.append([cell_text(v, column.fmt, k, machine=True)
                     for v, column in zip(row, table.columns, strict=True)])
    return rows


