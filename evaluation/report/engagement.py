"""Section 2 of the dashboard: engagement (sessions held against the cadence, cancellations)."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluation import disclosure
from evaluation.disclosure import Cell, Fig
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
    held_fig = ctx.pair("held_any", value=p.get("held_all") or 0)
    held = disclosure.figure(held_fig, k)
    expected = p.get("expected_sum") or 0
    held_measured = p.get("held_sum") or 0
    pace = disclosure.figure(Fig(held_measured / expected if expected else None, measured.n, measured.rests),
                            k)
    on_track_cells, _total = disclosure.breakdown([ctx.pair("on_track"), ctx.pair("behind")], measured, k)
    on_track_share = Cell(None, on_track_cells[0].state if not on_track_cells[0].shown else disclosure.SHOWN)
    if on_track_cells[0].shown and on_track_cells[1].shown and measured.value:
        on_track_share = Cell(on_track_cells[0].value / measured.value, disclosure.SHOWN, measured.value)
    elif on_track_cells[0].shown or on_track_cells[1].shown:
        on_track_share = Cell(None, disclosure.HIDDEN)

    weeks = _weeks(ctx)
    pair_weeks = sum(wk["pair_days"] for wk in weeks) / 7
    per_month = None
    if pair_weeks:
        per_month = held_measured / (pair_weeks * 12 / 52)
    per_month_cell = disclosure.figure(Fig(per_month, measured.n, measured.rests), k)
    duration = sum(wk["duration"] for wk in weeks)
    hours = disclosure.figure(Fig(duration / 3600, held_fig.n, held_fig.rests), k)
    no_shows = disclosure.figure(ctx.pair("no_show_any", value=p.get("no_show_sum") or 0), k)
    expected_cell = disclosure.figure(Fig(expected, measured.n, measured.rests), k)

    # Held sessions per week, protected against total minus the visible weeks.
    groups = [Fig(wk["held"], wk["people"], wk["rests"]) for wk in weeks]
    week_cells, _t = disclosure.breakdown(groups, held_fig, k)
    weekly = Table("weekly", _("Sessions per week: held and expected"),
                   [Column(_("Week of"), TEXT), Column(_("Sessions held")), Column(_("Expected"), DECIMAL)],
                   note=_("Expected in a week: the pairs active that week, divided by the cadence "
                          "(%(cadence)s).")
                   % {"cadence": cadence_text(program.cadence_weeks)})
    for wk, cell in zip(weeks, week_cells, strict=True):
        weekly.rows.append([formats.date_format(wk["start"], "j M Y"), cell, wk["expected"]])
    weekly.chart = chart("bar", [formats.date_format(wk["start"], "j M") for wk in weeks], [
        Series(_("Sessions held"), week_cells),
        Series(_("Expected"), [wk["expected"] for wk in weeks], DECIMAL, "line", {"dashed": True}),
    ], k)
    cadence = Table("cadence", _("Pairs on track"), [Column(_("Pairs"), TEXT), Column(_("Pairs"))],
                    rows=[[_("On track (held at least expected − 1)"), on_track_cells[0]],
                          [_("Behind the cadence"), on_track_cells[1]],
                          [_("Pairs measured (active or completed)"), disclosure.figure(measured, k)]])
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


def _weeks(ctx: Context) -> list[dict]:
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
        expected = disclosure.figure(Fig(expected_value, mentees + 1 if mentees else 0), ctx.k)
        result.append({"start": start, "held": held, "people": people, "rests": rests, "duration": duration,
                       "expected": expected, "pair_days": active * days})
    return result


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


