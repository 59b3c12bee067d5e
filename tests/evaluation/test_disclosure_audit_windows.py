"""The auditor across department filters × date windows, on the database, for every windowed cube.

A program built to tempt differencing (k = 3): departments of 1 to 3 people, a lone no-show, a lone
cancellation and lone survey answers on the edges of weeks. For every department filter the form
offers (and none) and every date window a lead can ask for (each week's first and last day, and
open ends), the page's figures are read through :func:`evaluation.queries.report_for_query` — what
the page, the CSV exports, the API and the digest all publish — for sessions held, no-shows,
cancellations and the answers to the satisfaction question. Each published figure is a sum of
unknowns, one per (cube, pair or person, week); integer linear programming
(``scipy.optimize.linprog``) then bounds each unknown by everything published. The rule it checks:
no cell backed by fewer than k people — a cube's count for the whole program or for one
department (however small), in one week — can be proven to be above zero.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from evaluation.queries import report_for_query
from evaluation.report import filter_options
from evaluation.selectors import enrollment_cube
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


def published(report, question_text: str) -> dict[str, object]:
    """The audited figures of one report (a Cell each)."""
    stats = {s.label: s.cell for section in report.sections for s in section.stats}
    cancellations = report.table("cancellations").rows[-1][1]
    answers = next((r[4] for r in report.table("questions").rows if r[0] == question_text), None)
    return {"held": stats["Sessions held"], "no_show": stats["No-shows"], "cancel": cancellations,
            "answers": answers}


def test_no_cell_of_fewer_than_k_people_can_be_recovered_across_filters_and_windows(tempting):
    prog, q, pairs, truth = tempting
    weeks = 8  # 5 January to 1 March
    departments, _cohorts = filter_options(enrollment_cube(prog), prog.anonymity_k)
    assert "Legal" not in departments and "Engineering" in departments
    pair_members = {p.pk: (p.mentor.user.department, p.mentee.user.department) for p in pairs}
    person_department = {e.pk: e.user.department for p in pairs for e in (p.mentor, p.mentee)}
    unknowns = sorted({(cube, who) for cube, who, _w in truth} | {("held", p.pk) for p in pairs}
                      | {("no_show", p.pk) for p in pairs} | {("cancel", pk) for pk in person_department}
                      | {("answers", pk) for pk in person_department})
    cells = itertools.product(unknowns, range(weeks))
    index = {(cube, who, w): i for i, ((cube, who), w) in enumerate(cells)}
    rows, values = [], []
    # A date is read as its week (periods.week_of), so a week's Monday as ``from`` and its Sunday
    # as ``to`` stand for every date of it: these are all the windows the form and the API accept.
    starts = [None] + [b.STARTS + dt.timedelta(days=7 * w) for w in range(weeks)]
    stops = [None] + [b.STARTS + dt.timedelta(days=7 * w + 6) for w in range(weeks)]
    for department in [None, *departments]:
        for start, stop in itertools.product(starts, stops):
            if start and stop and stop < start:
                continue
            chosen = (("department", department), ("from", start), ("to", stop))
            query = {key: str(v) for key, v in chosen if v}
            report = report_for_query(prog, query)
            first, last = report.window.first_week, report.window.last_week
            for cube, cell in published(report, q.satisfaction.text).items():
                if cell is None or not cell.shown:
                    continue
                coefficients = np.zeros(len(index))
                for (c, who, w), i in index.items():
                    if c != cube or not first <= w <= last:
                        continue
                    if department is None:
                        inside = True
                    elif cube in ("held", "no_show"):
                        inside = department in pair_members[who]
                    else:
                        inside = person_department[who] == department
                    coefficients[i] = inside
                rows.append(coefficients)
                values.append(float(cell.value))
    a, b_ = np.array(rows), np.array(values)
    x = np.zeros(len(index))
    for key, n in truth.items():
        x[index[key]] = n
    assert np.allclose(a @ x, b_)  # the published figures are exactly these sums
    # Every cell a reader could try to recover: a cube's count for one group (the whole program, or
    # any department — the small ones too — by its pairs or its people) in one week. One backed by
    # 1 to k-1 people must not be provably non-zero from everything published.
    groups = [None, *sorted(set(person_department.values()))]
    checked = 0
    for cube in ("held", "no_show", "cancel", "answers"):
        for group, w in itertools.product(groups, range(weeks)):
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
            if not 0 < len(people) < prog.anonymity_k:
                continue
            checked += 1
            result = linprog(coefficients, A_eq=a, b_eq=b_, bounds=(0, CAP), integrality=np.ones(len(index)),
                             method="highs")
            assert result.status == 0, result.message
            assert result.fun == 0, (f"{cube} of {group or 'all'} in week {w} ({len(people)} people): "
                                     f"at least {result.fun} is provable from the published figures")
    assert checked >= 8  # the lone no-show, cancellation, answer and session, in several groups
