"""The program goals table: each goal's figure against its target."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.disclosure import Cell
from evaluation.report.cubes import Context
from evaluation.report.page import (
    AVERAGE,
    MET,
    NO_DATA,
    NOT_MEASURED,
    NOT_MET,
    PERCENT,
    SIGNED,
    TEXT,
    Column,
    Table,
    cell_text,
)
from programs.models import Goal, Program

IN_PROGRESS = "in_progress"
# Goals whose figure only grows while the program runs: falling short before the end is not failing.
_CUMULATIVE_GOALS = (Goal.Kind.SESSIONS_REACHED,)


def _goals(ctx: Context) -> Table:
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


def _goal_figure(ctx: Context, goal: Goal) -> tuple[Cell | None, str]:
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

