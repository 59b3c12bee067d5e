"""Writing protected figures: the value, "fewer than k" or "hidden"."""

from __future__ import annotations

from django import template

from evaluation.disclosure import Cell
from evaluation.report import cell_text, display_rows
from evaluation.report.page import why_text

register = template.Library()


@register.simple_tag
def figure(cell, fmt: str, k: int) -> str:
    return cell_text(cell, fmt, k)


@register.filter
def is_cell(value) -> bool:
    return isinstance(value, Cell)


@register.filter
def state(value) -> str:
    """"shown", "small" or "hidden" for a cell; "" for plain text."""
    return value.state if isinstance(value, Cell) else ""


@register.filter
def rows_for(table, k):
    return display_rows(table, k)


@register.simple_tag
def why(cell, k: int) -> str:
    """The one sentence that says why a figure is withheld ("" when it is shown)."""
    return why_text(cell, k)
