"""The dashboard costs the same number of queries whatever the size of the program (at most 25)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Meeting, MeetingEvent
from pairing.models import Pair
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.evaluation import builders as b

pytestmark = pytest.mark.django_db
BUDGET = 25


def grow(program, questions, pairs: int) -> None:
    """``pairs`` pairs, each with sessions, a cancellation, answered surveys and skills."""
    departments = ["Engineering", "Sales", "Finance", "Marketing"]
    made = []
    for i in range(pairs):
        mentor = b.person(program, "mentor", department=departments[i % 4], name=f"Mentor {i}")
        mentee = b.person(program, "mentee", department=departments[(i + 1) % 4], name=f"Mentee {i}")
        made.append(b.pair(program, mentor, mentee))
    meetings = Meeting.objects.bulk_create([
        Meeting(pair=p, starts_at=b.at(2026, 1, 12, 10) + dt.timedelta(weeks=w),
                ends_at=b.at(2026, 1, 12, 11) + dt.timedelta(weeks=w),
                status="held" if w % 4 else "cancelled", mode="video") for p in made for w in range(6)])
    MeetingEvent.objects.bulk_create([
        MeetingEvent(meeting=m, actor_role="mentee", kind="cancelled", at=m.starts_at)
        for m in meetings if m.status == "cancelled"])
    pairs_by_id = {p.pk: p for p in Pair.objects.filter(program=program).select_related("mentor", "mentee")}
    invitations = SurveyInvitation.objects.bulk_create([
        SurveyInvitation(program=program, recipient_id=e.user_id, enrollment=e, kind="after_session",
                         meeting=m, sent_at=m.ends_at, answered_at=m.ends_at + dt.timedelta(hours=1))
        for m in meetings if m.status == "held"
        for e in (pairs_by_id[m.pair_id].mentor, pairs_by_id[m.pair_id].mentee)])
    responses = SurveyResponse.objects.bulk_create([
        SurveyResponse(invitation=i, program=program, kind=i.kind, submitted_at=i.answered_at)
        for i in invitations])
    SurveyAnswer.objects.bulk_create([
        SurveyAnswer(response=r, question=questions.satisfaction, question_text="Useful?", kind="rating",
                     number=3 + r.pk % 3) for r in responses])


def count(client, program, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("evaluation:dashboard", args=[program.pk]), params)
    assert response.status_code == 200 and response.context["report"] is not None
    return len(captured.captured_queries)


@pytest.mark.parametrize("params", [{}, {"department": "Engineering", "from": "2026-01-01"}])
def test_the_dashboard_costs_the_same_queries_at_two_sizes(client, lead, frozen, params):
    small, small_q = b.program(leads=[lead], name="Small")
    large, large_q = b.program(leads=[lead], name="Large")
    grow(small, small_q, 8)
    grow(large, large_q, 40)
    for prog in (small, large):
        b.goal(prog, "sessions_reached", "Meet", sessions=3, target=80)
    if connection.vendor == "postgresql":
        # Statistics, as autovacuum keeps them in a running database. Without them the planner
        # takes these uncommitted tables for empty and may pick nested loops that run for minutes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client.force_login(lead)
    count(client, small, **params)  # warm caches (content types, permissions)
    queries_small = count(client, small, **params)
    queries_large = count(client, large, **params)
    assert queries_small == queries_large
    assert queries_large <= BUDGET


@pytest.mark.postgres
def test_dashboard_reads_may_use_parallel_workers_and_leave_the_connection_as_it_was():
    from evaluation import selectors

    def setting(name: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    before = setting("min_parallel_table_scan_size"), setting("work_mem")
    with selectors.analytic_reads():
        assert (setting("min_parallel_table_scan_size"), setting("work_mem")) == ("0", "128MB")
    assert (setting("min_parallel_table_scan_size"), setting("work_mem")) == before != ("0", "128MB")
    with pytest.raises(ZeroDivisionError), selectors.analytic_reads():
        1 / 0  # noqa: B018 - a failing read
    assert (setting("min_parallel_table_scan_size"), setting("work_mem")) == before
