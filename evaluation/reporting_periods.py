"""The program's reporting periods: the only places a date window may start or end.

Every figure that depends on a date window — sessions held, no-shows, cancellations and
reschedules, survey invitations and answers, topics taught — is a sum over the weeks of the window.
If a window could start or end at any week, two windows a week apart would differ by that week's
figures: one no-show, one answer. So windows snap to whole *reporting periods* (see
:func:`evaluation.periods.window_for`), and the periods are chosen here so that in every one of
them, for every figure a window sums, the people behind it are nobody or at least k:

* for the whole program, for every group a filter can select (each department and intake the form
  offers) and for the rest of the program outside that group;
* for each finest cell of every windowed table (a survey question's option, a recommendation
  group, a survey kind's answered and unanswered invitations, a role's cancellations, a topic in
  one direction), so that every figure built from them — a sum of such cells, a union of safe
  groups of people — is safe too.

The periods do not depend on the filter the lead chose: every view of the program snaps to the same
boundaries, so any two windows, under any two filters, differ by whole periods of safe cells.
One query reads all of it: a UNION ALL of one GROUP BY (level, period, key) per source and level,
with one pair of columns (in the group, outside it) per group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from evaluation import disclosure
from evaluation.cube_reads import ELIGIBLE, MEASURED, RECOMMENDATION_GROUPS
from evaluation.disclosure import Fig, Span
from evaluation.periods import Bucket, Filters, pair_q, person_q
from meetings.models import Meeting, MeetingEvent, SessionLog
from programs.models import Direction, Program, SurveyQuestion
from surveys.models import SurveyAnswer, SurveyInvitation

ANSWER_KINDS = (SurveyQuestion.Kind.RATING, SurveyQuestion.Kind.CHOICE, SurveyQuestion.Kind.RECOMMENDATION)


def filter_options(enrollments: list[dict], k: int) -> tuple[list[str], list[dt.date]]:
    """Departments and intakes a filter may select: the groups the participants breakdown shows."""
    applied = [r for r in enrollments if r["status"] != ELIGIBLE]
    result = []
    for dim in ("d_department", "d_cohort"):
        values = sorted({r[dim] for r in applied if r[dim] not in (None, "")})
        groups = [Fig(None, sum(r["people"] for r in applied if r[dim] == v)) for v in values]
        total = Fig(None, sum(r["people"] for r in applied))
        cells, _total = disclosure.breakdown(groups, total, k)
        result.append([v for v, c in zip(values, cells, strict=True) if c.shown])
    return result[0], result[1]


def groups_of(enrollments: list[dict], k: int) -> list[Filters]:
    """Every selection a lead can make: the whole program, each department, each intake."""
    departments, cohorts = filter_options(enrollments, k)
    return [Filters(), *[Filters(department=d) for d in departments], *[Filters(cohort=c) for c in cohorts]]


def _period(path: str, weeks: Sequence[Bucket], periods: Sequence[tuple[int, int]]) -> Case:
    whens = [When(**{f"{path}__lt": weeks[last].end}, then=Value(index))
             for index, (_first, last) in enumerate(periods[:-1])]
    return Case(*whens, default=Value(len(periods) - 1), output_field=IntegerField())


def _people(person: str | object, groups: Sequence[Filters], scope_of) -> dict[str, Count | Value]:
    """Distinct ``person`` in each group and outside it (``scope_of(filters)``: a Q or None)."""
    columns: dict[str, Count | Value] = {}
    for index, group in enumerate(groups):
        scope = scope_of(group)
        if scope is None:
            columns[f"g{index}_in"] = Count(person, distinct=True)
            columns[f"g{index}_out"] = Value(0)
        else:
            columns[f"g{index}_in"] = Count(person, distinct=True, filter=scope)
            columns[f"g{index}_out"] = Count(person, distinct=True, filter=~scope)
    return columns


def _pair_people(pair: str, groups: Sequence[Filters], people: Sequence[str]) -> dict[str, object]:
    """Like :func:`_people` for figures about pairs (a pair is in a group when a member is): the
    distinct people of ``people`` (paths to enrolments) added up."""
    columns: dict[str, object] = {}
    for index, group in enumerate(groups):
        scope = pair_q(group, f"{pair}__")
        for side, cond in (("in", scope), ("out", None if scope is None else ~scope)):
            if side == "out" and scope is None:
                columns[f"g{index}_out"] = Value(0)
                continue
            total = None
            for path in people:
                count = Count(path, distinct=True, filter=cond) if cond is not None \
                    else Count(path, distinct=True)
                total = count if total is None else total + count
            columns[f"g{index}_{side}"] = total
    return columns


def _sources(program: Program, groups: Sequence[Filters],
             end: dt.datetime) -> list[tuple[QuerySet, str, object, dict]]:
    """(rows, date path, key expression, people columns) of every windowed figure."""
    text = CharField()
    meeting_key = Case(When(status=Meeting.Status.NO_SHOW, then=Value("no_show")),
                       When(pair__status__in=MEASURED, then=Value("held_measured")),
                       default=Value("held_other"), output_field=text)
    meetings = (Meeting.objects.filter(starts_at__lt=end, pair__program=program,
                                       status__in=[Meeting.Status.HELD, Meeting.Status.NO_SHOW]),
                "starts_at", meeting_key, _pair_people("pair", groups, ["pair__mentor", "pair__mentee"]))
    sources = [meetings]
    log = "sessionlog__meeting"
    for direction, relation, learner in ((Direction.JUNIOR_TEACHES, SessionLog.topics_by_mentor, "mentee"),
                                         (Direction.SENIOR_TEACHES, SessionLog.topics_by_mentee, "mentor")):
        key = Concat(Value(f"topic:{direction.value}:"), Cast("topic_id", text), output_field=text)
        sources.append((relation.through.objects.filter(**{f"{log}__starts_at__lt": end,
                                                           f"{log}__pair__program": program}),
                        f"{log}__starts_at", key,
                        _pair_people(f"{log}__pair", groups, [f"{log}__pair__{learner}"])))
    is_mentor = Q(actor_role="mentor")
    actor = Case(When(is_mentor, then=F("meeting__pair__mentor_id")), default=F("meeting__pair__mentee_id"))

    def actor_scope(group: Filters) -> Q | None:
        mentor = person_q(group, "meeting__pair__mentor__")
        mentee = person_q(group, "meeting__pair__mentee__")
        return None if mentor is None else (is_mentor & mentor) | (~is_mentor & mentee)

    sources.append((MeetingEvent.objects.filter(at__lt=end, meeting__pair__program=program,
                                                kind__in=[MeetingEvent.Kind.CANCELLED,
                                                          MeetingEvent.Kind.RESCHEDULED]),
                    "at", Concat(F("kind"), Value(":"), F("actor_role"), output_field=text),
                    _people(actor, groups, actor_scope)))
    answered = Case(When(answered_at__isnull=False, then=Value(":answered")), default=Value(":not"),
                    output_field=text)
    sources.append((SurveyInvitation.objects.filter(sent_at__lt=end, program=program),
                    "sent_at", Concat(Value("invitation:"), F("kind"), answered, output_field=text),
                    _people("enrollment", groups, lambda g: person_q(g, "enrollment__"))))
    # The finest published cell of an answer: its question's option (single choice), its
    # recommendation group, or the question itself (rating).
    detail = Case(When(kind=SurveyQuestion.Kind.CHOICE, then=F("text")),
                  *[When(cond, then=Value(name)) for name, cond in RECOMMENDATION_GROUPS.items()],
                  default=Value(""), output_field=text)
    person = "response__invitation__enrollment"
    sources.append((SurveyAnswer.objects.filter(response__submitted_at__lt=end, response__program=program,
                                                kind__in=ANSWER_KINDS),
                    "response__submitted_at",
                    Concat(Value("answer:"), Cast(F("question_id"), text), Value(":"), detail,
                           output_field=text),
                    _people(person, groups, lambda g: person_q(g, f"{person}__"))))
    return sources


def period_people(program: Program, groups: Sequence[Filters], weeks: Sequence[Bucket],
                  levels: list[list[tuple[int, int]]], end: dt.datetime) -> list[dict]:
    """For each level, period and finest cell (``key``) of every windowed figure, the people behind
    it in each group (``g<i>_in``) and outside it (``g<i>_out``). One query."""
    selects = []
    for rows, path, key, people in _sources(program, groups, end):
        for level, periods in enumerate(levels):
            if not periods:
                continue
            selects.append(rows.order_by().values(level=Value(level, output_field=IntegerField()),
                                                  period=_period(path, weeks, periods), key=key)
                           .annotate(**people))
    if not selects:
        return []
    return list(selects[0].union(*selects[1:], all=True))


def reporting_periods(rows: list[dict], levels: list[list[tuple[int, int]]],
                      k: int) -> tuple[int, list[Span]]:
    """The finest level at which every period is safe for every cell and group (merging unsafe
    periods into a neighbour, like any series: :func:`evaluation.disclosure.coarsen`), as
    (level, periods). A period's figure is the people of the whole program behind its busiest cell
    (only to choose which neighbour to merge with); every cell's people, in and outside every group,
    must be nobody or at least k."""
    # One vector per period, aligned on (cell, column) so that merging two periods (the larger of
    # each entry: a lower bound of the people of the union) compares like with like.
    columns = sorted({(row["key"], name) for row in rows for name in row if name.startswith("g")})
    position = {column: i for i, column in enumerate(columns)}
    by_period: dict[tuple[int, int], list[int]] = {}
    busiest: dict[tuple[int, int], int] = {}
    for row in rows:
        at = (row["level"], row["period"])
        vector = by_period.setdefault(at, [0] * len(columns))
        for name, value in row.items():
            if name.startswith("g"):
                vector[position[(row["key"], name)]] = value or 0
        busiest[at] = max(busiest.get(at, 0), row.get("g0_in") or 0)
    candidates = [[Span(first, last, Fig(None, busiest.get((level, index), 0),
                                         tuple(by_period.get((level, index), [0] * len(columns)))))
                   for index, (first, last) in enumerate(periods)]
                  for level, periods in enumerate(levels)]
    return disclosure.coarsen(candidates, k)


def impose(spans: Sequence[Span], periods: Sequence[Span]) -> list[Span]:
    """``spans`` (one level of a series) merged into ``periods`` (unions of them)."""
    result = []
    for period in periods:
        inside = [s for s in spans if period.first <= s.first and s.last <= period.last]
        merged = inside[0]
        for span in inside[1:]:
            merged = merged.merge(span)
        result.append(merged)
    return result
