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
One query reads all of it: on PostgreSQL a UNION ALL of one GROUP BY GROUPING SETS per source (a set
(level's period, key, cell) per level and dimension: department, intake), so each source's rows are
joined to their people once; elsewhere (SQLite) one GROUP BY per source, level and dimension. Each
group's people, in it and outside it, are added up from the cells in Python (see the note above
``DIMS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from evaluation import disclosure
from evaluation.cube_reads import ELIGIBLE, MEASURED, RECOMMENDATION_GROUPS, _dims, _role_dims
from evaluation.disclosure import Fig, Span
from evaluation.periods import Bucket, Filters
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


# Each source is read by *cell* rather than by group: one COUNT(DISTINCT) per side instead of two per
# group (a group's people and the rest's), which made this read cost many times the rest of the
# dashboard on a large program. A person sits in exactly one department and one intake, so a
# group's people are the sum of its cells' (exact). A pair is in a group when a member is: its rows
# are by (mentor's cell, mentee's cell), and a group's mentors are at least, for each mentor cell,
# the most mentors of one of its rows (the same for mentees): a lower bound, exact when no mentor
# meets mentees of two cells in one period, and zero only when nobody is there — so a period it
# calls safe is safe.
DIMS = ("department", "cohort")


def _sources(program: Program, end: dt.datetime) -> list[tuple[QuerySet, str, object, bool, dict]]:
    """(rows, date path, key expression, about pairs?, columns) of every windowed figure.

    Columns: ``a_dept``/``a_cohort`` and ``a_id`` the cells and the person of the first side (a
    person, or a pair's mentor), ``b_*`` the second side's (a pair's mentee; none for a person). A
    side whose people a figure is not about has no ``*_id`` (NULL: counted as nobody).
    """
    text = CharField()
    nobody = Cast(Value(None), IntegerField())
    none = {"b_dept": Cast(Value(None), CharField()), "b_cohort": Cast(Value(None), DateField()),
            "b_id": nobody}

    def pair_columns(pair: str, mentors: bool, mentees: bool) -> dict:
        a, b = _dims(f"{pair}__mentor__"), _dims(f"{pair}__mentee__")
        return {"a_dept": a["d_department"], "a_cohort": a["d_cohort"],
                "b_dept": b["d_department"], "b_cohort": b["d_cohort"],
                "a_id": F(f"{pair}__mentor") if mentors else nobody,
                "b_id": F(f"{pair}__mentee") if mentees else nobody}

    def person_columns(dims: dict, person) -> dict:
        return {"a_dept": dims["d_department"], "a_cohort": dims["d_cohort"], **none,
                "a_id": F(person) if isinstance(person, str) else person}

    meeting_key = Case(When(status=Meeting.Status.NO_SHOW, then=Value("no_show")),
                       When(pair__status__in=MEASURED, then=Value("held_measured")),
                       default=Value("held_other"), output_field=text)
    sources = [(Meeting.objects.filter(starts_at__lt=end, pair__program=program,
                                       status__in=[Meeting.Status.HELD, Meeting.Status.NO_SHOW]),
                "starts_at", meeting_key, True, pair_columns("pair", True, True))]
    log = "sessionlog__meeting"
    for direction, relation, learner in ((Direction.JUNIOR_TEACHES, SessionLog.topics_by_mentor, "mentee"),
                                         (Direction.SENIOR_TEACHES, SessionLog.topics_by_mentee, "mentor")):
        key = Concat(Value(f"topic:{direction.value}:"), Cast("topic_id", text), output_field=text)
        sources.append((relation.through.objects.filter(**{f"{log}__starts_at__lt": end,
                                                           f"{log}__pair__program": program}),
                        f"{log}__starts_at", key, True,
                        pair_columns(f"{log}__pair", learner == "mentor", learner == "mentee")))
    is_mentor = Q(actor_role="mentor")
    actor = Case(When(is_mentor, then=F("meeting__pair__mentor_id")), default=F("meeting__pair__mentee_id"),
                 output_field=IntegerField())
    sources.append((MeetingEvent.objects.filter(at__lt=end, meeting__pair__program=program,
                                                kind__in=[MeetingEvent.Kind.CANCELLED,
                                                          MeetingEvent.Kind.RESCHEDULED]),
                    "at", Concat(F("kind"), Value(":"), F("actor_role"), output_field=text), False,
                    person_columns(_role_dims("meeting__pair__mentor__", "meeting__pair__mentee__",
                                              is_mentor), actor)))
    answered = Case(When(answered_at__isnull=False, then=Value(":answered")), default=Value(":not"),
                    output_field=text)
    sources.append((SurveyInvitation.objects.filter(sent_at__lt=end, program=program),
                    "sent_at", Concat(Value("invitation:"), F("kind"), answered, output_field=text), False,
                    person_columns(_dims("enrollment__"), "enrollment")))
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
                           output_field=text), False,
                    person_columns(_dims(f"{person}__"), person)))
    return sources


def _grouped(index: int, rows: QuerySet, path: str, key, columns: dict, weeks: Sequence[Bucket],
             levels: list[list[tuple[int, int]]]) -> tuple[str, list]:
    """One source's people per (level, period, key, cell) for both dimensions, as SQL: the source's
    rows are joined to their people's cells once and grouped by GROUPING SETS — one set per level
    and dimension — rather than read again for each (which cost the joins six times over)."""
    used = [level for level, periods in enumerate(levels) if periods]
    base = rows.order_by().values(**{f"p{level}": _period(path, weeks, levels[level]) for level in used},
                                  key=key, **columns)
    sql, params = base.query.sql_with_params()
    sets, level_whens, period_whens = [], [], []
    for level in used:
        level_whens.append(f'WHEN GROUPING("p{level}") = 0 THEN {level}')
        period_whens.append(f'WHEN GROUPING("p{level}") = 0 THEN "p{level}"')
        sets += [f'("p{level}", "key", "a_dept", "b_dept")', f'("p{level}", "key", "a_cohort", "b_cohort")']
    # Only integers and Django's own compiled SQL (its values passed as parameters) are put in.
    return (f'SELECT {index} AS "source", CASE {" ".join(level_whens)} END AS "level", '  # noqa: S608  # nosec B608
            f'CASE {" ".join(period_whens)} END AS "period", "key", '
            "CASE WHEN GROUPING(\"a_dept\") = 0 THEN 'department' ELSE 'cohort' END AS \"dim\", "
            '"a_dept", "a_cohort", "b_dept", "b_cohort", '
            'COUNT(DISTINCT "a_id") AS "a", COUNT(DISTINCT "b_id") AS "b" '
            f'FROM ({sql}) AS "rows" GROUP BY GROUPING SETS ({", ".join(sets)})'), list(params)


def _lower_bound(rows: list[dict], side: str) -> int:
    """People of one side of ``rows`` (cells of one dimension): summed over that side's own cells,
    the most of one row within each (see the note above ``DIMS``)."""
    best: dict[object, int] = {}
    for row in rows:
        cell = row[f"{side}_cell"]
        best[cell] = max(best.get(cell, 0), row[side] or 0)
    return sum(best.values())


def _in_group(row: dict, group: Filters) -> bool:
    value = group.department if group.department is not None else group.cohort
    return row["a_cell"] == value or (row["pairs"] and row["b_cell"] == value)


def _by_level(index: int, rows: QuerySet, path: str, key, columns: dict, weeks: Sequence[Bucket],
              levels: list[list[tuple[int, int]]]) -> list[QuerySet]:
    """:func:`_grouped` for databases without GROUPING SETS (SQLite: ``make run``): one GROUP BY per
    level and dimension, the other dimension's cells NULL."""
    out = []
    for level, periods in enumerate(levels):
        if not periods:
            continue
        for dim, a_cell, b_cell in (("department", "a_dept", "b_dept"), ("cohort", "a_cohort", "b_cohort")):
            cells = {name: columns[name] if name in (a_cell, b_cell)
                     else Cast(Value(None), CharField() if name.endswith("dept") else DateField())
                     for name in ("a_dept", "a_cohort", "b_dept", "b_cohort")}
            out.append(rows.order_by().values(
                source=Value(index, output_field=IntegerField()),
                level=Value(level, output_field=IntegerField()), period=_period(path, weeks, periods),
                key=key, dim=Value(dim, output_field=CharField()), **cells)
                .annotate(a=Count(columns["a_id"], distinct=True), b=Count(columns["b_id"], distinct=True)))
    return out


def _read(sources: list, weeks: Sequence[Bucket], levels: list[list[tuple[int, int]]], *,
          grouping_sets: bool | None = None) -> list[dict]:
    """Every source's people per (level, period, key, cell), in one query (``grouping_sets``: by
    default where the database has them)."""
    if connection.vendor == "postgresql" if grouping_sets is None else grouping_sets:
        parts = [_grouped(index, rows, path, key, columns, weeks, levels)
                 for index, (rows, path, key, _pairs, columns) in enumerate(sources)]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(sql for sql, _params in parts),
                           [param for _sql, params in parts for param in params])
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    selects = [select for index, (rows, path, key, _pairs, columns) in enumerate(sources)
               for select in _by_level(index, rows, path, key, columns, weeks, levels)]
    return list(selects[0].union(*selects[1:], all=True))


def period_people(program: Program, groups: Sequence[Filters], weeks: Sequence[Bucket],
                  levels: list[list[tuple[int, int]]], end: dt.datetime) -> list[dict]:
    """For each level, period and finest cell (``key``) of every windowed figure, the people behind
    it in each group (``g<i>_in``) and outside it (``g<i>_out``). One query."""
    if not any(levels):
        return []
    sources = _sources(program, end)
    read = _read(sources, weeks, levels)
    about_pairs = [pairs for _rows, _path, _key, pairs, _columns in sources]
    buckets: dict[tuple, dict[str, list[dict]]] = {}
    for row in read:
        pairs = about_pairs[row["source"]]
        cell = "a_dept" if row["dim"] == "department" else "a_cohort"
        other = "b_dept" if row["dim"] == "department" else "b_cohort"
        bucket = buckets.setdefault((row["level"], row["period"], row["key"]), {d: [] for d in DIMS})
        bucket[row["dim"]].append({"a_cell": row[cell], "b_cell": row[other], "a": row["a"],
                                   "b": row["b"] if pairs else 0, "pairs": pairs})
    result = []
    for (level, period, key), by_dim in buckets.items():
        out = {"level": level, "period": period, "key": key}
        for index, group in enumerate(groups):
            if not group.people:
                rows_ = by_dim["department"]
                out[f"g{index}_in"] = _lower_bound(rows_, "a") + _lower_bound(rows_, "b")
                out[f"g{index}_out"] = 0
                continue
            rows_ = by_dim["department" if group.department is not None else "cohort"]
            inside = [r for r in rows_ if _in_group(r, group)]
            outside = [r for r in rows_ if not _in_group(r, group)]
            out[f"g{index}_in"] = _lower_bound(inside, "a") + _lower_bound(inside, "b")
            out[f"g{index}_out"] = _lower_bound(outside, "a") + _lower_bound(outside, "b")
        result.append(out)
    return result


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


def chart_spans(candidates: list[list[Span]], level: int, periods: Sequence[Span], first: int, last: int,
                k: int) -> tuple[int, list[Span], bool]:
    """The sessions chart's periods inside the window (weeks ``first``..``last``), as (level,
    periods, whether they are reporting periods rather than a level's).

    The chart shows one figure, the sessions held, so its periods need only be safe for that figure
    (``candidates``: each level's periods with the people behind the sessions, in and outside the
    filter: ``periods.series_candidates``); they are the finest level whose periods inside the
    window are all safe and each lie inside one reporting period. The window is a union of
    reporting periods, so the chart's periods add up to the window's figures, and every other
    windowed figure is still published only by whole reporting periods. When no level fits, the
    reporting periods themselves (safe for every figure) are shown: a small program with a lone
    event still gets its chart, never a gap.
    """
    def inside_one(span: Span) -> bool:
        return any(p.first <= span.first and span.last <= p.last for p in periods)

    for index, spans in enumerate(candidates):
        shown = [s for s in spans if first <= s.first and s.last <= last]
        if not shown or shown[0].first != first or shown[-1].last != last:
            continue  # a period of this level crosses the window's edge
        if all(inside_one(s) for s in shown) and all(disclosure.safe_span(s, k) for s in shown):
            return index, shown, False
    imposed = impose(candidates[level], periods)
    return level, [s for s in imposed if first <= s.first and s.last <= last], True
