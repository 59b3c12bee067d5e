"""The auditor across department filters × date windows, on the database, for every windowed cube.

A program built to tempt differencing (k = 3): departments of 1 to 3 people, a lone no-show, a lone
cancellation and lone survey answers on the edges of weeks. For every department filter the form
offers (and none) and every date window a lead can ask for (each week's first and last day, and open
ends), the page's figures are read through :func:`evaluation.queries.report_for_query` — what the
page, the CSV exports, the API and the digest all publish — for sessions held, no-shows,
cancellations and the answers to the satisfaction question, and the sessions chart's periods. Each
published figure is a sum of unknowns, one per (cube, pair or person, week); a figure hidden as
"fewer than k people" says its sum is at least 1. Integer linear programming
(``scipy.optimize.linprog``) then bounds each unknown by everything published. The rule it checks:
no cell backed by fewer than k people — a cube's count for the whole program or for one department
(however small), in one week — can be proven to be above zero.

Only what is needed is rendered: the windowed figures of a query depend on its dates only through
the window they are widened to (``periods.window_for`` over the program's reporting periods, the
same for every filter), so the queries are grouped by (department, window) first and one report is
rendered per group — plus a second one from the other end of each group, checked to publish the same
figures. Weaken the rule (windows no longer widened to safe periods) and the groups become many, and
the audit finds the lone no-show and session.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from evaluation.periods import Filters, window_for
from evaluation.queries import report_for_query
from evaluation.report import filter_options
from evaluation.selectors import enrollment_cube, reporting_timeline
from tests.evaluation import builders as b

pytestmark = pytest.mark.django_db
CAP = 1000


def week(moment: dt.datetime) -> int:
    return (moment.date() - b.STARTS).days // 7


@pytest.fixture
def tempting(frozen, lead):
    prog, q = b.program(k=3, leads=[lead], name="Tempting")
    mentors = [b.person(prog, "mentor", department=d, name=f"Mentor {i}")
               for i, d in enumerate(["Engineering"] * 3 + ["Marketing", "Marketing"])]
    mentees = [b.person(prog, "mentee", department=d, name=f"Mentee {i}")
               for i, d in enumerate(["Sales"] * 3 + ["Legal", "Finance"])]
    pairs = [b.pair(prog, m, s) for m, s in zip(mentors, mentees, strict=True)]
    truth: dict[tuple[str, object, int], int] = {}

    def add(cube: str, who, moment: dt.datetime) -> None:
        truth[(cube, who, week(moment))] = truth.get((cube, who, week(moment)), 0) + 1

    for index, p in enumerate(pairs[:3]):
        for meeting in b.held(p, 3 - index % 2):
            add("held", p.pk, meeting.starts_at)
    lone = b.session(pairs[3], b.at(2026, 2, 9, 0))  # the Legal pair's only session, at a week's start
    add("held", pairs[3].pk, lone.starts_at)
    no_show = b.session(pairs[3], b.at(2026, 2, 15, 23), status="no_show")  # a week's last hour
    add("no_show", pairs[3].pk, no_show.starts_at)
    # Cancelled by the Legal mentee: the event falls on Sunday 1 February, the last day of a week.
    b.cancelled(pairs[3], "mentee", b.at(2026, 2, 2, 10))
    add("cancel", mentees[3].pk, b.at(2026, 2, 1, 10))
    for p, role, when in ((pairs[0], "mentor", b.at(2026, 1, 20, 10)),
                          (pairs[1], "mentee", b.at(2026, 1, 21, 10)),
                          (pairs[2], "mentee", b.at(2026, 1, 22, 10))):
        b.cancelled(p, role, when)
        add("cancel", (p.mentor if role == "mentor" else p.mentee).pk, when - dt.timedelta(days=1))
    # Satisfaction answers: three from Sales in one week, the Legal mentee's alone at a week's edge.
    for person, when, score in ((mentees[0], b.at(2026, 1, 13, 9), 4),
                                (mentees[1], b.at(2026, 1, 14, 9), 5),
                                (mentees[2], b.at(2026, 1, 15, 9), 3),
                                (mentees[3], b.at(2026, 2, 22, 18), 1)):
        response = b.answer(b.invite(person, "mid_program", sent_at=when), {q.satisfaction: score})
        add("answers", person.pk, response.submitted_at)
    return prog, q, pairs, truth


def published(report, question_text: str) -> list[tuple[str, int, int, object]]:
    """The audited figures of one report as (cube, first week, last week, Cell): the window's
    figures, and the sessions chart's periods inside it."""
    first, last = report.window.first_week, report.window.last_week
    stats = {s.label: s.cell for section in report.sections for s in section.stats}
    cancellations = report.table("cancellations").rows[-1][1]
    answers = next((r[4] for r in report.table("questions").rows if r[0] == question_text), None)
    figures = [("held", first, last, stats["Sessions held"]), ("no_show", first, last, stats["No-shows"]),
               ("cancel", first, last, cancellations), ("answers", first, last, answers)]
    weekly = report.table("weekly")
    assert len(weekly.periods) == len(weekly.rows)
    figures += [("held", a, z, row[1]) for (a, z), row in zip(weekly.periods, weekly.rows, strict=True)]
    return figures


def test_no_cell_of_fewer_than_k_people_can_be_recovered_across_filters_and_windows(tempting):
    prog, q, pairs, truth = tempting
    k = prog.anonymity_k
    weeks = 8  # 5 January to 1 March
    enrollments = enrollment_cube(prog)
    departments, _cohorts = filter_options(enrollments, k)
    assert "Legal" not in departments and "Engineering" in departments
    pair_members = {p.pk: (p.mentor.user.department, p.mentee.user.department) for p in pairs}
    person_department = {e.pk: e.user.department for p in pairs for e in (p.mentor, p.mentee)}
    unknowns = sorted({(cube, who) for cube, who, _w in truth} | {("held", p.pk) for p in pairs}
                      | {("no_show", p.pk) for p in pairs} | {("cancel", pk) for pk in person_department}
                      | {("answers", pk) for pk in person_department})
    cells = itertools.product(unknowns, range(weeks))
    index = {(cube, who, w): i for i, ((cube, who), w) in enumerate(cells)}
    # A date is read as its week (periods.week_of), so a week's Monday as ``from`` and its Sunday
    # as ``to`` stand for every date of it: these are all the windows the form and the API accept.
    starts = [None] + [b.STARTS + dt.timedelta(days=7 * w) for w in range(weeks)]
    stops = [None] + [b.STARTS + dt.timedelta(days=7 * w + 6) for w in range(weeks)]
    timeline = reporting_timeline(prog, enrollments)
    groups: dict[tuple, list[dict[str, str]]] = {}
    for department in [None, *departments]:
        for start, stop in itertools.product(starts, stops):
            if start and stop and stop < start:
                continue
            window = window_for(prog, Filters(date_from=start, date_to=stop, department=department),
                                periods=timeline.bounds)
            chosen = (("department", department), ("from", start), ("to", stop))
            groups.setdefault((department, window.first_week, window.last_week), []).append(
                {key: str(v) for key, v in chosen if v})
    equalities, at_least_one = {}, set()
    for (department, first, last), queries in groups.items():
        reports = [report_for_query(prog, queries[0], timeline=timeline)]
        if len(queries) > 1:
            reports.append(report_for_query(prog, queries[-1], timeline=timeline))
        figures = [published(report, q.satisfaction.text) for report in reports]
        assert all((r.window.first_week, r.window.last_week) == (first, last) for r in reports)
        assert figures[0] == figures[-1], (queries[0], queries[-1])  # one window, one set of figures
        for cube, first_, last_, cell in figures[0]:
            if cell is None or not (cell.shown or cell.small):
                continue
            coefficients = np.zeros(len(index))
            for (c, who, w), i in index.items():
                if c != cube or not first_ <= w <= last_:
                    continue
                if department is None:
                    inside = True
                elif cube in ("held", "no_show"):
                    inside = department in pair_members[who]
                else:
                    inside = person_department[who] == department
                coefficients[i] = inside
            if cell.shown:
                equalities[tuple(coefficients)] = float(cell.value)
            else:
                at_least_one.add(tuple(coefficients))  # "fewer than k people": some, at least one
    a, b_ = np.array(list(equalities)), np.array(list(equalities.values()))
    a_ub = -np.array(sorted(at_least_one)) if at_least_one else None
    b_ub = -np.ones(len(at_least_one)) if at_least_one else None
    x = np.zeros(len(index))
    for key, n in truth.items():
        x[index[key]] = n
    assert np.allclose(a @ x, b_)  # the published figures are exactly these sums
    assert a_ub is None or (a_ub @ x <= b_ub).all()
    # Every cell a reader could try to recover: a cube's count for one group (the whole program, or
    # any department — the small ones too — by its pairs or its people) in one week. One backed by
    # 1 to k-1 people must not be provably non-zero from everything published.
    cell_groups = [None, *sorted(set(person_department.values()))]
    checked = 0
    for cube in ("held", "no_show", "cancel", "answers"):
        for group, w in itertools.product(cell_groups, range(weeks)):
            coefficients = np.zeros(len(index))
            people = set()
            for (c, who, w_), i in index.items():
                if c != cube or w_ != w:
                    continue
                if cube in ("held", "no_show"):
                    inside = group is None or group in pair_members[who]
                    members = {("pair", who, 0), ("pair", who, 1)}
                else:
                    inside = group is None or person_department[who] == group
                    members = {("person", who)}
                if inside:
                    coefficients[i] = 1
                    if truth.get((c, who, w_), 0):
                        people |= members
            if not 0 < len(people) < k:
                continue
            checked += 1
            result = linprog(coefficients, A_ub=a_ub, b_ub=b_ub, A_eq=a, b_eq=b_, bounds=(0, CAP),
                             integrality=np.ones(len(index)), method="highs")
            assert result.status == 0, result.message
            assert result.fun == 0, (f"{cube} of {group or 'all'} in week {w} ({len(people)} people): "
                                     f"at least {result.fun} is provable from the published figures")
    assert checked >= 8  # the lone no-show, cancellation, answer and session, in several groups
