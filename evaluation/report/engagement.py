"""Section 2 of the dashboard: engagement (sessions held against the cadence, cancellations)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.dates import show_date, show_day_month
from evaluation import disclosure
from evaluation.disclosure import Cell, Fig
from evaluation.periods import FORTNIGHT, MONTH, WEEK
from evaluation.report.cubes import Context, FigureFn, Rows
from evaluation.report.page import (
    COUNT,
    DECIMAL,
    HOURS,
    PERCENT,
    TEXT,
    Column,
    Section,
    Series,
    Stat,
    Table,
    cell_text,
    chart,
)
from programs.models import Goal

# 2. Engagement -----------------------------------------------------------------------------------------


def _engagement(ctx: Context) -> Section:
    k, p, program = ctx.k, ctx.data["pairs"], ctx.program
    measured = ctx.pair("measured")
    measured_cell = disclosure.figure(measured, k)
    held_fig = ctx.pair("held_any", value=p.get("held_all") or 0)
    held = disclosure.figure(held_fig, k)
    expected = p.get("expected_sum") or 0
    # Sessions held by active and completed pairs: every rate below is computed from this count,
    # so each inherits its suppression (a rate beside a hidden count would give the count away).
    held_measured = disclosure.figure(ctx.pair("held_measured", value=p.get("held_sum") or 0), k)
    expected_cell = disclosure.figure(Fig(expected, measured.n, measured.rests), k)
    pace = disclosure.derived(held_measured.value / expected if expected and held_measured.shown else None,
                              held_measured, expected_cell)
    on_track_cells, _total = disclosure.breakdown([ctx.pair("on_track"), ctx.pair("behind")], measured, k)
    on_track_share = disclosure.derived(
        on_track_cells[0].value / measured.value if measured.value and on_track_cells[0].shown else None,
        on_track_cells[0], on_track_cells[1], measured_cell, held_measured)
    if not expected and on_track_share.shown:
        # Nothing was due in the period: "100 % on track" would say nothing true.
        on_track_share = Cell(None, disclosure.HIDDEN, why=disclosure.WHY_NONE_DUE)

    series = _series(ctx)
    pair_weeks = sum(span["pair_days"] for span in series["spans"]) / 7
    per_month = None
    if pair_weeks and held_measured.shown:
        per_month = held_measured.value / (pair_weeks * 12 / 52)
    per_month_cell = disclosure.derived(per_month, held_measured, measured_cell)
    duration = sum(span["duration"] for span in series["spans"])
    hours = disclosure.derived(duration / 3600, held)
    no_shows = disclosure.figure(ctx.pair("no_show_any", value=p.get("no_show_sum") or 0), k)

    weekly = _series_table(ctx, series, held)
    cadence = Table("cadence", _("Pairs on track"), [Column(_("Status"), TEXT), Column(_("Pairs"))],
                    rows=[[_("On track (held at least expected − 1)"), on_track_cells[0]],
                          [_("Behind the cadence"), on_track_cells[1]],
                          [_("Pairs measured (active or completed)"), measured_cell]])
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
        cells, _t = disclosure.breakdown([reached, not_reached], measured, k)
        value = reached.value / measured.value if measured.value else None
        shown = cells[0].shown and cells[1].shown and value is not None
        ctx.results["sessions_reached"][n] = Cell(value, disclosure.SHOWN) if shown \
            else Cell(None, disclosure.SMALL)
    definition = _("Expected sessions: for each active or completed pair, %(cadence)s from the pair's "
                   "start (not before the program starts) to today, the program's end or the end of the "
                   "date range, at most %(max)s. A pair is on track when it held at least the expected "
                   "number minus one.") % {"cadence": cadence_text(program.cadence_weeks),
                                           "max": program.min_sessions}
    return Section("engagement", _("Engagement"), intro=definition, stats=stats,
                   tables=[weekly, cadence, roles])


def cadence_text(weeks: int) -> str:
    return ngettext("one session every week", "one session every %(n)s weeks", weeks) % {"n": weeks}


def _series(ctx: Context) -> dict:
    """The sessions series inside the window: per period, sessions held (people, rests), minutes,
    pairs active and the expectation. The periods are those the selectors chose (see
    ``reporting_periods.chart_spans``): every one is safe, none is dropped."""
    window, p, program, data = ctx.window, ctx.data["pairs"], ctx.program, ctx.data["series"]
    level, weeks = data["level"], data["weeks"]
    levels = data["levels"]
    rows = {(r["level"], r["period"]): r for r in data["rows"]}
    window_weeks = {window.first_week + i: i for i in range(len(window.buckets))}
    result = []
    for span in data["spans"]:
        if span.first not in window_weeks:
            continue
        # The rows of the level the periods were chosen at (several when months were merged).
        parts = [rows.get((level, index), {}) for index, (first, last) in enumerate(levels[level])
                 if span.first <= first and last <= span.last]
        duration = sum((r.get("duration") or dt.timedelta()).total_seconds() for r in parts)
        active_days, expected_value, mentees = 0.0, 0.0, 0
        for week_index in range(span.first, span.last + 1):
            position = window_weeks[week_index]
            bucket = window.buckets[position]
            active = p.get(f"week_{position}") or 0
            days = bucket.days_in(window.lower, window.end)
            active_days += active * days
            expected_value += active * (days / 7) / program.cadence_weeks if days else 0
            mentees = max(mentees, p.get(f"week_{position}__mentees") or 0)
        expected = disclosure.figure(Fig(expected_value, mentees + 1 if mentees else 0), ctx.k)
        result.append({"start": weeks[span.first].start.date(),
                       "end": (weeks[span.last].end - dt.timedelta(days=1)).date(),
                       "fig": span.fig, "duration": duration, "expected": expected, "pair_days": active_days,
                       "weeks": (span.first, span.last)})
    return {"level": level, "spans": result, "merged": data.get("merged", False)}


def _series_table(ctx: Context, series: dict, held: Cell) -> Table:
    k, level = ctx.k, series["level"]
    titles = {WEEK: _("Sessions per week: held and expected"),
              FORTNIGHT: _("Sessions per fortnight: held and expected"),
              MONTH: _("Sessions per month: held and expected")}
    heads = {WEEK: _("Week of"), FORTNIGHT: _("Fortnight"), MONTH: _("Month")}
    cells = [disclosure.figure(span["fig"], k) for span in series["spans"]]
    if not held.shown:
        # The periods add up to the total: nothing of them shows when it is hidden.
        cells = [disclosure.hide(c) for c in cells]
    note = _("Expected in a period: the pairs active in it, divided by the cadence (%(cadence)s).") % {
        "cadence": cadence_text(ctx.program.cadence_weeks)}
    if level > WEEK or series["merged"]:
        period = {FORTNIGHT: _("fortnight"), MONTH: _("month"), WEEK: _("period")}[level]
        note += " " + _("Shown by %(period)s rather than by week: with weeks, some would show sessions of "
                        "fewer than %(k)s people.") % {"period": period, "k": k}
    table = Table("weekly", titles[level], [Column(heads[level], TEXT), Column(_("Sessions held")),
                                            Column(_("Expected"), DECIMAL)], note=note)
    labels = []
    for span, cell in zip(series["spans"], cells, strict=True):
        if level == WEEK and span["start"] + dt.timedelta(days=6) == span["end"]:
            label = show_date(span["start"])
            short = show_day_month(span["start"])
        else:
            label = _("%(start)s – %(end)s") % {"start": show_day_month(span["start"]),
                                                "end": show_date(span["end"])}
            short = show_day_month(span["start"])
        table.rows.append([label, cell, span["expected"]])
        table.periods.append(span["weeks"])
        labels.append(short)
    table.chart = chart("bar", labels, [
        Series(_("Sessions held"), cells),
        Series(_("Expected"), [span["expected"] for span in series["spans"]], DECIMAL, "line",
               {"dashed": True}),
    ], k, mark=False)
    return table


def _roles_table(ctx: Context) -> Table:
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
        cells, total = disclosure.breakdown(groups, cubes.fig(rows, fn_for(None)), k, forced=forced)
        columns.append([*cells, total])
    for index, label in enumerate([*labels.values(), _("Total")]):
        table.rows.append([label, columns[0][index], columns[1][index]])
    table.chart = chart("bar", [table.rows[0][0], table.rows[1][0]], [
        Series(_("Cancellations"), columns[0][:2]),
        Series(_("Reschedules"), columns[1][:2], style={"pattern": True}),
    ], k)
    return table


