"""Pair reads: one aggregate over the program's pairs (sessions held against the cadence, pairs at
risk), with the department/intake filter applied in SQL and the same figures for the pairs outside
it, and the held sessions of each period of the time series."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Floor, Greatest, Least

from evaluation.cube_reads import MATCHED, MEASURED
from evaluation.expressions import EpochSeconds, GroupConcat, Median
from evaluation.periods import Filters, Window, _between, pair_q
from meetings.models import Meeting
from pairing.models import ExitRequest, Pair
from programs.models import Program, SurveyQuestion
from surveys.models import SurveyAnswer

# A pair whose session ratings (the satisfaction questions after its sessions) of the last RECENT
# weeks average below this (1–5) is at risk.
LOW_RATING = 3
RECENT = dt.timedelta(weeks=8)
FENCE = 10**9  # "all rows", as a LIMIT (see pair_figures)
FIELD_SEP, ROW_SEP = "\x1f", "\x1e"  # ASCII unit and record separators: never in a name or address


def _whole(seconds, unit: float) -> Cast:
    """Whole units (floor) in ``seconds``, never below zero."""
    return Cast(Greatest(Value(0.0), Floor(seconds / Value(unit))), IntegerField())


def _expected(program: Program, window: Window) -> Cast:
    """Sessions a measured pair should have held by the window's end (see the page's definition).

    From the pair's start (its activation, but not before the program starts or the `from` date)
    to the window's end (or the pair's own end), one session per ``cadence_weeks``, at most
    ``min_sessions``.
    """
    start = F("pair_start") if window.lower is None else Greatest(F("pair_start"), Value(window.lower))
    end = Least(Coalesce(F("ended_at"), Value(window.end)), Value(window.end))
    weeks = dt.timedelta(weeks=program.cadence_weeks).total_seconds()
    periods = _whole(EpochSeconds(end) - EpochSeconds(start), weeks)
    return Cast(Least(Value(program.min_sessions), periods), IntegerField())


def _pairs(program: Program, filters: Filters, window: Window) -> QuerySet[Pair]:
    """The program's pairs with sessions held and missed in the window, expectations and flags."""
    def sessions(status: str) -> Coalesce:
        rows = (Meeting.objects.filter(_between("starts_at", window), pair=OuterRef("pk"), status=status)
                .order_by().values("pair").annotate(n=Count("id")).values("n"))
        return Coalesce(Subquery(rows), 0)

    recent = Window(start=max(filter(None, [window.start, window.end - RECENT])), end=window.end,
                    program_start=window.program_start)
    low_rated = (SurveyAnswer.objects
                 .filter(_between("response__submitted_at", recent), response__program=program,
                         kind=SurveyQuestion.Kind.RATING, question__measures_satisfaction=True,
                         number__isnull=False,
                         response__invitation__meeting__isnull=False)
                 .values("response__invitation__meeting__pair")
                 .annotate(average=Avg("number"))
                 .filter(average__lt=LOW_RATING)
                 .values("response__invitation__meeting__pair"))
    open_exits = ExitRequest.objects.filter(pair__program=program, resolved_at__isnull=True).values("pair")
    scope = pair_q(filters)
    return (Pair.objects.filter(program=program)
            .annotate(held=sessions(Meeting.Status.HELD), no_show=sessions(Meeting.Status.NO_SHOW),
                      pair_start=Coalesce("activated_at", "created_at"),
                      low=Case(When(pk__in=low_rated, then=True), default=False, output_field=BooleanField()),
                      exit_open=Case(When(pk__in=open_exits, then=True), default=False,
                                     output_field=BooleanField()),
                      in_scope=_in_scope(scope))
            .annotate(expected=_expected(program, window)))


def _in_scope(scope: Q | None):
    if scope is None:
        return Value(True, output_field=BooleanField())
    return Case(When(scope, then=True), default=False, output_field=BooleanField())


AT_RISK = {
    # A partition of active pairs at risk: each pair counts once, under its first reason.
    "exit": Q(exit_open=True),
    "low": Q(exit_open=False, low=True),
    "behind": Q(exit_open=False, low=False, held__lt=F("expected") - 1),
}


def _at_risk_q() -> Q:
    q = Q()
    for cond in AT_RISK.values():
        q |= cond
    return Q(status=Pair.Status.ACTIVE) & q


def pair_figures(program: Program, filters: Filters, window: Window, *, goal_sessions=()) -> dict:
    """Everything about pairs in one aggregate, for the selection and for the rest of the pairs.

    Each figure ``name`` comes with ``name`` (a count), ``name__mentors`` and ``name__mentees``
    (distinct people), and with a department/intake filter the same three for the pairs outside
    it (``rest__name...``).
    """
    measured = Q(status__in=MEASURED)
    published = Q(published_at__isnull=False)
    figures: dict[str, Q] = {
        "published": published,
        **{f"status_{s}": published & Q(status=s) for s in Pair.Status.values},
        "measured": measured,
        "on_track": measured & Q(held__gte=F("expected") - 1),
        "behind": measured & Q(held__lt=F("expected") - 1),
        "held_any": Q(held__gt=0),
        "held_measured": measured & Q(held__gt=0),
        "no_show_any": Q(no_show__gt=0),
        "at_risk": _at_risk_q(),
        **{f"risk_{name}": Q(status=Pair.Status.ACTIVE) & cond for name, cond in AT_RISK.items()},
        **{f"reached_{n}": measured & Q(held__gte=n) for n in sorted(set(goal_sessions))},
        "matched_pairs": published & Q(status__in=MATCHED),
    }
    scoped = filters.people
    aggregates: dict[str, object] = {}
    for name, cond in figures.items():
        for prefix, part in (("", Q(in_scope=True)), ("rest__", Q(in_scope=False))):
            if prefix and not scoped:
                continue
            aggregates[f"{prefix}{name}"] = Count("id", filter=cond & part)
            aggregates[f"{prefix}{name}__mentors"] = Count("mentor", distinct=True, filter=cond & part)
            aggregates[f"{prefix}{name}__mentees"] = Count("mentee", distinct=True, filter=cond & part)
    for prefix, part in (("", Q(in_scope=True)), ("rest__", Q(in_scope=False))):
        if prefix and not scoped:
            continue
        aggregates[f"{prefix}held_sum"] = Coalesce(Sum("held", filter=measured & part), 0)
        aggregates[f"{prefix}held_all"] = Coalesce(Sum("held", filter=part), 0)
        aggregates[f"{prefix}no_show_sum"] = Coalesce(Sum("no_show", filter=part), 0)
        aggregates[f"{prefix}expected_sum"] = Coalesce(Sum("expected", filter=measured & part), 0)
    # Pairs active in each week (the weekly expectation). The people behind such a count are at
    # least its distinct mentees plus one mentor: counted that way to keep this aggregate small.
    for index, bucket in enumerate(window.buckets):
        if window.lower is not None and window.lower >= bucket.end:
            continue  # before the program (or the `from` date): nothing expected, read as 0
        cond = (measured & Q(in_scope=True, pair_start__lt=bucket.end)
                & (Q(ended_at__isnull=True) | Q(ended_at__gte=bucket.start)))
        aggregates[f"week_{index}"] = Count("id", filter=cond)
        aggregates[f"week_{index}__mentees"] = Count("mentee", distinct=True, filter=cond)
    # Whole days from approval (the later of the two) to each published pair; the median of them.
    approved = Greatest(Coalesce("mentor__decided_at", "mentor__applied_at"),
                        Coalesce("mentee__decided_at", "mentee__applied_at"))
    days = _whole(EpochSeconds("published_at") - EpochSeconds(approved), 86400.0)
    matched = Q(published_at__isnull=False, status__in=MATCHED, in_scope=True)
    aggregates["median_days"] = Median(Case(When(matched, then=days), default=None))
    # The names of the pairs at risk, in the same pass (never why a pair is at risk).
    names = Concat("mentor__user__full_name", Value(FIELD_SEP), "mentor__user__email", Value(FIELD_SEP),
                   "mentee__user__full_name", Value(FIELD_SEP), "mentee__user__email",
                   output_field=TextField())
    aggregates["at_risk_names"] = GroupConcat(names, ROW_SEP, filter=_at_risk_q() & Q(in_scope=True))
    # The LIMIT is an optimisation fence: PostgreSQL would otherwise pull the per-pair subquery up
    # into the aggregate and recompute its subplans once for every figure that reads them.
    fenced = _pairs(program, filters, window).order_by()[:FENCE]
    figures_ = fenced.aggregate(**aggregates)
    figures_["at_risk_names"] = _names(figures_["at_risk_names"])
    return figures_


def _names(joined: str | None) -> list[dict]:
    """The at-risk pairs' display names, sorted by the mentor's name."""
    def display(full: str, email: str) -> str:
        return full or email.split("@")[0]

    pairs = []
    for row in (joined or "").split(ROW_SEP):
        if row:
            mentor, mentor_email, mentee, mentee_email = row.split(FIELD_SEP)
            pairs.append({"mentor": display(mentor, mentor_email), "mentee": display(mentee, mentee_email)})
    return sorted(pairs, key=lambda p: (p["mentor"].casefold(), p["mentee"].casefold()))


def held_periods(program: Program, filters: Filters, weeks, levels: list[list[tuple[int, int]]],
                 end) -> list[dict]:
    """Held sessions in each period of each level of the series (minutes too), with the distinct
    people behind them, in and outside the filter. One query: a UNION ALL of one GROUP BY per level.

    The periods cover the whole program whatever the date filters (a window is widened to them, so
    they must not depend on it); sessions before the first week count in the first period.
    """
    scope = pair_q(filters, "pair__")
    parts = [("", scope if scope is not None else Q())]
    if scope is not None:
        parts.append(("rest__", ~scope))
    minutes = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    measures: dict[str, object] = {}
    for prefix, part in parts:
        measures[f"{prefix}held"] = Count("id", filter=part)
        measures[f"{prefix}duration"] = Sum(minutes, filter=part)
        measures[f"{prefix}mentors"] = Count("pair__mentor", distinct=True, filter=part)
        measures[f"{prefix}mentees"] = Count("pair__mentee", distinct=True, filter=part)
    # Sessions of active and completed pairs are a figure of their own (the rates): periods must be
    # safe for them too, or two windows would differ by a few people's sessions.
    measured = parts[0][1] & Q(pair__status__in=MEASURED)
    measures["measured_people"] = (Count("pair__mentor", distinct=True, filter=measured)
                                   + Count("pair__mentee", distinct=True, filter=measured))
    held = Meeting.objects.filter(starts_at__lt=end, pair__program=program, status=Meeting.Status.HELD)
    selects = []
    for level, periods in enumerate(levels):
        if not periods:
            continue
        whens = [When(starts_at__lt=weeks[last].end, then=Value(index))
                 for index, (_first, last) in enumerate(periods[:-1])]
        period = Case(*whens, default=Value(len(periods) - 1), output_field=IntegerField())
        selects.append(held.order_by().values(level=Value(level, output_field=IntegerField()), period=period)
                       .annotate(**measures))
    if not selects:
        return []
    return list(selects[0].union(*selects[1:], all=True))
