"""The reporting periods' read gives the same people per period and cell however it is grouped:
PostgreSQL's GROUPING SETS (one join per source) and the portable GROUP BY per level and dimension
(SQLite, ``make run``)."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluation import reporting_periods
from evaluation.periods import program_weeks, series_levels
from meetings.models import Meeting
from programs.models import Direction, Topic
from tests.evaluation import builders as b
from tests.evaluation.test_query_count import grow

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_grouping_sets_and_one_group_by_per_level_read_the_same_people(lead, frozen):
    program, questions = b.program(leads=[lead])
    grow(program, questions, 9)
    # A no-show and a mentor met by two mentees: cells where distinct people differ from rows.
    meeting = Meeting.objects.filter(pair__program=program).order_by("pk").first()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.NO_SHOW)
    ai, sales = (Topic.objects.create(name=name, usual_direction=direction) for name, direction in
                 (("AI tools", Direction.JUNIOR_TEACHES), ("Sales craft", Direction.SENIOR_TEACHES)))
    for held in Meeting.objects.filter(pair__program=program, status=Meeting.Status.HELD).order_by("pk")[:12]:
        b.log(held, by_mentor=[ai], by_mentee=[sales])
    weeks, end = program_weeks(program, now=b.NOW + dt.timedelta(weeks=8))
    levels = series_levels(weeks)
    sources = reporting_periods._sources(program, end)

    def read(grouping_sets: bool) -> list[tuple]:
        rows = reporting_periods._read(sources, weeks, levels, grouping_sets=grouping_sets)
        return sorted(tuple(str(row[name]) for name in ("source", "level", "period", "key", "dim", "a_dept",
                                                         "a_cohort", "b_dept", "b_cohort", "a", "b"))
                      for row in rows)

    grouped = read(True)
    assert grouped == read(False)
    assert {row[0] for row in grouped} == {"0", "1", "2", "3", "4", "5"}  # every source has rows
    assert {row[1] for row in grouped} == {str(level) for level, periods in enumerate(levels) if periods}
    assert any(row[3] == "no_show" for row in grouped)
