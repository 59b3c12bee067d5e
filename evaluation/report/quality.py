"""Section 3 of the dashboard: quality (what participants say in the surveys)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from accounts.dates import show_date, show_day_month, show_month
from evaluation import disclosure
from evaluation.disclosure import Cell, Fig
from evaluation.report.cubes import Context, FigureFn, Rows, average_of, share_fig, with_cell
from evaluation.report.page import AVERAGE, PERCENT, SIGNED, TEXT, Column, Section, Series, Stat, Table, chart
from programs.models import SurveyQuestion

# 3. Quality ----------------------------------------------------------------------------------------------


def _scoped(ctx: Context, rows: Rows, value: Any, *, people: str = "people",
            rest: str = "rest_people") -> Fig:
    """A figure from SQL-filtered answer rows (several months or questions): the biggest row's
    people stand for it, a safe lower bound since the rows may share people."""
    n = max((r[people] or 0 for r in rows), default=0)
    rests = (max((r[rest] or 0 for r in rows), default=0),) if ctx.filters.people else ()
    return Fig(value, n, rests)


def _average(rows: Rows) -> float | None:
    answers = sum(r["answers"] or 0 for r in rows)
    return sum(r["total"] or 0 for r in rows) / answers if answers else None


def _quality(ctx: Context) -> Section:
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
        avg = disclosure.figure(_scoped(ctx, mine, _average(mine)), k)
        count = with_cell(avg, sum(r["answers"] or 0 for r in mine), people=False)
        scale = "0–10" if first["kind"] == SurveyQuestion.Kind.RECOMMENDATION else "1–5"
        questions.rows.append([first["label"], surveys.get(first["survey"], "—"), scale, avg, count])

    choices = _choices_table(ctx, answers)
    satisfaction = cubes.cell(ctx.data["satisfaction"], average_of())
    recommendation_rows = [r for r in numeric if r["kind"] == SurveyQuestion.Kind.RECOMMENDATION]
    recommendation = disclosure.figure(_scoped(ctx, recommendation_rows, _average(recommendation_rows)), k)
    fit_rows = [r for r in numeric if r["fit"] and r["kind"] == SurveyQuestion.Kind.RATING]
    fit = disclosure.figure(_scoped(ctx, fit_rows, _average(fit_rows)), k)
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


def _question_order(rows: Rows, qid: int) -> tuple:
    row = next(r for r in rows if r["q"] == qid)
    order = ["after_session", "mid_program", "end_program"]
    return (order.index(row["survey"]) if row["survey"] in order else 9, row["order"] or 0, qid or 0)


def _choices_table(ctx: Context, answers: Rows) -> Table:
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
        cells, _t = disclosure.breakdown(groups, _scoped(ctx, mine, answers_total), k)
        for o, cell in zip(options, cells, strict=True):
            share = with_cell(cell, cell.value / answers_total if cell.shown and answers_total else None)
            table.rows.append([mine[0]["label"], o, share])
    return table


def _nps_table(ctx: Context, rows: Rows) -> tuple[Table, Cell]:
    """Promoters, passives and detractors: a breakdown of the people who answered."""
    k = ctx.k
    labels = [("promoters", _("Promoters (9–10)")), ("passives", _("Passives (7–8)")),
              ("detractors", _("Detractors (0–6)"))]
    groups = [_scoped(ctx, rows, sum(r[f"{name}_answers"] or 0 for r in rows), people=f"{name}_people",
                      rest=f"{name}_rest") for name, _label in labels]
    answers = sum(r["answers"] or 0 for r in rows)
    cells, total_cell = disclosure.breakdown(groups, _scoped(ctx, rows, answers), k)
    table = Table("recommendation", _("Recommendation: promoters and detractors"),
                  [Column(_("Group"), TEXT), Column(_("Share of answers"), PERCENT)],
                  empty=_("No recommendation answers yet."))
    if answers:
        for (_name, label), cell in zip(labels, cells, strict=True):
            table.rows.append([label, with_cell(cell, cell.value / answers if cell.shown else None)])
    if not answers:
        nps = Cell(None, disclosure.SMALL if total_cell.small else disclosure.SHOWN)  # no answers: "—"
    elif cells[0].shown and cells[2].shown:
        nps = Cell(100 * (cells[0].value - cells[2].value) / answers, disclosure.SHOWN)
    elif cells[0].small or cells[2].small or total_cell.small:
        nps = Cell(None, disclosure.SMALL)
    else:
        nps = Cell(None, disclosure.HIDDEN)
    return table, nps


def response_rate(suffix: str) -> FigureFn:
    """Answered ÷ sent invitations (``suffix`` "" for all surveys, "_<kind>" for one)."""
    def fn(rs: Rows) -> Fig:
        sent = sum(r[f"sent{suffix}"] for r in rs)
        invited = sum(r[f"invited_people{suffix}"] for r in rs)
        answered = sum(r[f"answered_people{suffix}"] for r in rs)
        return share_fig(sum(r[f"answered{suffix}"] for r in rs) / sent if sent else None, invited, answered)
    return fn


def _response_table(ctx: Context) -> tuple[Table, Cell]:
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
    cells, overall = disclosure.breakdown(groups, cubes.fig(rows, response_rate("")), k, forced=forced)
    if overall.shown and cubes.forced(rows, response_rate("")):
        overall = disclosure.hide(overall)
        cells = [disclosure.hide(c) for c in cells]
    for (kind, label), cell in zip([*kinds, ("", _("All surveys"))], [*cells, overall], strict=True):
        suffix = f"_{kind}" if kind else ""
        picked = cubes.pick(rows)
        table.rows.append([label, with_cell(cell, sum(r[f"sent{suffix}"] for r in picked), people=False),
                           with_cell(cell, sum(r[f"answered{suffix}"] for r in picked), people=False), cell])
    return table, overall


def SURVEY_NAMES() -> list[tuple[str, str]]:  # noqa: N802 - a constant, translated when called
    return [("after_session", _("After each session")), ("mid_program", _("Mid-program")),
            ("end_program", _("End of program"))]


def _trend_table(ctx: Context) -> Table:
    """Satisfaction by reporting period: a breakdown of the overall satisfaction (the periods add up
    to it, and are the ones every date range snaps to, so no range cuts one)."""
    k = ctx.k
    rows = [r for r in ctx.data["answers"] if r["sat"] and r["kind"] == SurveyQuestion.Kind.RATING]
    months = sorted({r["month"] for r in rows})
    table = Table("satisfaction_trend", _("Satisfaction over time"),
                  [Column(_("Period"), TEXT), Column(_("Average satisfaction"), AVERAGE),
                   Column(_("Answers"))],
                  note=_("Average of the satisfaction ratings given in each reporting period (1–5): the "
                         "periods any date range is widened to."),
                  empty=_("No satisfaction ratings yet."))
    by_month = [[r for r in rows if r["month"] == m] for m in months]
    groups = [_scoped(ctx, mine, _average(mine)) for mine in by_month]
    cells, _total = disclosure.breakdown(groups, ctx.cubes.fig(ctx.data["satisfaction"], average_of()), k)
    for month, mine, cell in zip(months, by_month, cells, strict=True):
        answers = with_cell(cell, sum(r["answers"] or 0 for r in mine), people=False)
        table.rows.append([_period_label(ctx, month), cell, answers])
    table.chart = chart("line", [_period_label(ctx, m, short=True) for m in months],
                        [Series(_("Average satisfaction"), cells, AVERAGE, "line")], k, min=1, max=5)
    return table




def _period_label(ctx: Context, start, *, short: bool = False) -> str:
    """A reporting period by its first and last day (a calendar month without periods)."""
    series = ctx.data.get("series") or {}
    weeks = series.get("weeks") or ()
    for span in series.get("periods") or ():
        if weeks and weeks[span.first].start.date() == start:
            if short:
                return show_day_month(start)
            last = (weeks[span.last].end - dt.timedelta(days=1)).date()
            return _("%(start)s – %(end)s") % {"start": show_day_month(start), "end": show_date(last)}
    return show_month(start)
