"""Reads: progress against the cadence, the home panel summary, leads' access to summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from meetings import selectors
from meetings.models import PrivateReflection, SessionLog
from tests.factories import ActivePairFactory, MeetingFactory, UserFactory
from tests.meetings.conftest import NOW, at

pytestmark = pytest.mark.usefixtures("now")


def test_progress_reads_like_a_sentence(pair):
    pair.program.min_sessions, pair.program.cadence_weeks = 8, 2
    for day in (1, 15, 28):
        MeetingFactory(pair=pair, status="held", starts_at=at(date(2027, 1, day), 14))
    MeetingFactory(pair=pair, status="held", starts_at=at(date(2027, 2, 26), 14))
    progress = selectors.progress_for(pair, held=4, last_held=at(date(2027, 2, 26), 14), next_booked=None,
                                      today=date(2027, 3, 1))
    assert str(progress) == "4 of 8 sessions; next due by 12 Mar 2027"
    assert (progress.percent, progress.overdue, progress.complete) == (50, False, False)


def test_a_pair_is_behind_when_the_due_date_passed_without_a_booking(pair):
    pair.program.starts_on = date(2027, 1, 4)
    pair.activated_at = datetime(2027, 1, 1, tzinfo=UTC)
    progress = selectors.progress_for(pair, held=0, last_held=None, next_booked=None, today=date(2027, 3, 1))
    assert progress.next_due == date(2027, 1, 18)
    assert progress.overdue
    booked = selectors.progress_for(pair, held=0, last_held=None, next_booked=NOW + timedelta(days=2),
                                    today=date(2027, 3, 1))
    assert not booked.overdue


def test_a_finished_pair_has_nothing_due(pair):
    pair.status = "completed"
    progress = selectors.progress_for(pair, held=6, last_held=NOW, next_booked=None, today=date(2027, 3, 1))
    assert str(progress) == "6 of 6 sessions" and progress.complete


def test_the_home_panel_summary_costs_the_same_queries_for_many_sessions(pair, django_assert_num_queries):
    user = pair.mentor.user
    with django_assert_num_queries(3):
        few = selectors.participant_sessions(user)
    second = ActivePairFactory(program=pair.program, mentor=pair.mentor)
    for week in range(6):
        MeetingFactory(pair=pair, status="held", starts_at=at(date(2027, 1, 4) + timedelta(weeks=week), 14))
        MeetingFactory(pair=second, starts_at=NOW + timedelta(days=week + 1))
    with django_assert_num_queries(3):
        many = selectors.participant_sessions(user)
    assert few["sessions_next"] is None
    assert many["sessions_next"].starts_at == NOW + timedelta(days=1)
    assert {str(p["progress"]).split(";")[0] for p in many["sessions_pairs"]} == {
        "6 of 6 sessions", "0 of 6 sessions"}


def test_the_home_panel_counts_proposals_waiting_for_me(pair):
    from meetings import services
    from tests.meetings.conftest import slot

    services.meeting_propose(pair=pair, proposer=pair.mentor.user, slots_utc=[slot(NOW + timedelta(days=2))],
                             mode="in_person", location="Room 1")
    assert selectors.participant_sessions(pair.mentee.user)["sessions_waiting"] == 1
    assert selectors.participant_sessions(pair.mentor.user)["sessions_waiting"] == 0
    assert selectors.participant_sessions(UserFactory())["sessions_pairs"] == []


def test_the_pair_page_costs_the_same_queries_for_many_sessions(pair, django_assert_max_num_queries):
    for week in range(8):
        meeting = MeetingFactory(pair=pair, status="held",
                                 starts_at=at(date(2026, 12, 7) + timedelta(weeks=week), 14))
        SessionLog.objects.create(meeting=meeting, shared_summary=f"Week {week}")
    with django_assert_max_num_queries(4):
        context = selectors.pair_page(pair, pair.mentor.user)
        [m.log.shared_summary for m in context["past"]]
    assert len(context["shared_notes"]) == 8


def test_leads_read_shared_summaries_only_when_the_program_allows_and_never_reflections(pair, lead):
    meeting = MeetingFactory(pair=pair, status="held", starts_at=at(date(2027, 2, 1), 14))
    log = SessionLog.objects.create(meeting=meeting, shared_summary="Shared")
    PrivateReflection.objects.create(log=log, author=pair.mentor.user, text="SECRET")
    assert not selectors.shared_summaries_for_lead(lead, pair.program).exists()
    pair.program.leads_can_read_summaries = True
    pair.program.save()
    assert [s.shared_summary for s in selectors.shared_summaries_for_lead(lead, pair.program)] == ["Shared"]
    assert not selectors.shared_summaries_for_lead(UserFactory(), pair.program).exists()


def test_a_session_booked_after_the_due_date_says_so(pair):
    progress = selectors.progress_for(pair, held=1, last_held=at(date(2027, 2, 1), 14),
                                      next_booked=at(date(2027, 3, 3), 14), today=date(2027, 3, 1))
    assert str(progress) == "1 of 6 sessions; next session on 3 Mar 2027 (was due by 15 Feb 2027)"
    assert not progress.overdue


def test_the_home_panel_partial_renders_the_summary(pair, rf):
    from django.template.loader import render_to_string

    MeetingFactory(pair=pair, starts_at=NOW + timedelta(days=2))
    request = rf.get("/")
    request.user = pair.mentee.user
    html = render_to_string("meetings/_home_sessions.html",
                            {"user": pair.mentee.user, **selectors.participant_sessions(pair.mentee.user)},
                            request=request)
    assert "Next session:" in html and "for Aisha (Berlin)" in html
    assert "Sessions with Aisha Rahman" in html and "0 of 6 sessions; next session on 3 Mar 2027" in html
