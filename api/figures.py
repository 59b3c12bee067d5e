"""Dashboard figures for the API, built by the dashboard's own code (same filters, same hiding)."""

from __future__ import annotations

from numbers import Real

from evaluation import report as reports
from evaluation.disclosure import HIDDEN, SMALL, Cell
from evaluation.queries import report_for_query
from programs.models import Program

REASONS = {SMALL: "fewer_than_k", HIDDEN: "could_reveal_small_group"}


def build_report(program: Program, query: dict[str, str]) -> reports.Report:
    """The dashboard's own report for this query (form errors raised as ValidationError)."""
    return report_for_query(program, query)


def _figure(section: str, table: str | None, label: str, row: str | None, cell) -> dict:
    if isinstance(cell, Cell):
        if not cell.shown:
            value, reason = None, REASONS.get(cell.state, "fewer_than_k")
        else:
            value = float(cell.value) if isinstance(cell.value, Real) else None
            reason = None if value is not None else "no_data"
    else:
        value = float(cell) if isinstance(cell, Real) and not isinstance(cell, bool) else None
        reason = None if value is not None else "no_data"
    return {
        "section": section,
        "table": table,
        "label": str(label),
        "row": row,
        "value": value,
        "reason": reason,
    }


def _table_figures(section: str, table: reports.Table) -> list[dict]:
    out = []
    for row in table.rows:
        labels = [str(v) for v in row if not isinstance(v, Cell | Real) or isinstance(v, bool)]
        row_label = " · ".join(labels) or None
        for column, value in zip(table.columns, row, strict=False):
            if isinstance(value, Cell) or (isinstance(value, Real) and not isinstance(value, bool)):
                out.append(_figure(section, table.key, column.label, row_label, value))
    return out


def dashboard_figures(program: Program, query: dict[str, str]) -> dict:
    report = build_report(program, query)
    figures = _table_figures("goals", report.goals)
    for section in report.sections:
        figures += [_figure(section.key, None, stat.label, None, stat.cell) for stat in section.stats]
        for table in section.tables:
            figures += _table_figures(section.key, table)
    return {"program_id": program.pk, "k": report.k, "filters": report.filters.as_query(), "figures": figures}
