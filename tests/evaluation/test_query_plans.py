"""The dashboard's heavy reads, as PostgreSQL plans them: no sort spills to disk, the program's rows
are found through its indexes (not by reading every program's rows)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import selectors
from tests.evaluation import builders as b
from tests.evaluation.test_query_count import grow

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The fact tables the dashboard aggregates, and the index each heavy read should reach them by.
FACTS = ("meetings_meeting", "surveys_surveyanswer", "surveys_surveyinvitation", "meetings_meetingevent",
         "pairing_pair")


# A marker of each heavy read's SQL, and the index it should find the program's rows by.
INTENDED = {
    '"surveys_surveyanswer"."question_id" AS "q"': "surveys_surveyresponse_program_id",  # answers
    'FROM "surveys_surveyinvitation"': "surveys_surveyinvitation_program_id",  # response rates
    # (Not the funnel's enrolments: one row per person, and the watched program's are a fifth of
    # them here, so a sequential scan is as right as the index; the planner's pick varied by run.)
    'FILTER (WHERE ("__col2" IS NOT NULL AND "in_scope"))': "meetings_meeting_pair_id",  # pair figures
}


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def explain(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    return list(nodes((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]))


@pytest.fixture
def programs(lead, frozen):
    """The program a lead looks at (60 pairs: a few thousand rows) beside a busier one."""
    watched, questions = b.program(leads=[lead], name="Watched")
    grow(watched, questions, 60)
    other, other_questions = b.program(leads=[lead], name="Busier")
    grow(other, other_questions, 240)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics, as autovacuum keeps them
    return watched, other


def test_no_dashboard_read_sorts_on_disk_and_each_finds_the_programs_rows_by_index(client, lead, programs):
    watched, _other = programs
    client.force_login(lead)
    client.get(reverse("evaluation:dashboard", args=[watched.pk]))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("evaluation:dashboard", args=[watched.pk]))
    heavy = [q for q in captured.captured_queries if any(f'"{t}"' in q["sql"] for t in FACTS)
             and not q["sql"].startswith('SELECT "programs_program".')]  # the program, with its pair count
    assert len(heavy) >= 6  # pairs, sessions series, answers, invitations, events, topics
    with selectors.analytic_reads():  # the planner settings the page reads under
        plans = []
        for query in heavy:
            # The captured SQL has its parameters inlined by the test runner's connection wrapper;
            # EXPLAIN runs it as it is.
            plans.append((query["sql"], explain(query["sql"], None)))
    problems = []
    for sql, plan in plans:
        sorts = [n for n in plan if n["Node Type"] in ("Sort", "Incremental Sort")]
        if any(n.get("Sort Space Type") == "Disk" or "external" in str(n.get("Sort Method", ""))
               for n in sorts):
            problems.append(f"sorts on disk: {sql[:150]}")
        indexes = {n.get("Index Name") or "" for n in plan if "Index" in n["Node Type"]}
        for marker, index in INTENDED.items():
            if marker in sql and not any(name.startswith(index) for name in indexes):
                problems.append(f"{index} not used ({sorted(indexes)}): {sql[:150]}")
    assert not problems, "\n".join(problems)
    assert all(any(marker in sql for sql, _plan in plans) for marker in INTENDED)


def test_dashboard_reads_are_not_jit_compiled_and_the_connection_gets_its_settings_back(db):
    """JIT compiling the reporting periods' wide UNION ALL cost 33 of its 43 s at 2,500 pairs
    (EXPLAIN ANALYZE on the benchmark's database), far more than running it."""
    def jit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            return cursor.fetchone()[0]

    before = jit()
    with selectors.analytic_reads():
        inside = jit()
    assert (before, inside, jit()) == ("on", "off", "on")
