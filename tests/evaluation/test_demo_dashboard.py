"""The demo program's dashboard reads well on any day: a lone event does not flatten its chart.

The demo's lone cancellations, reschedules and single survey options make its whole run one
reporting period (no date range can isolate them), but the sessions chart shows one figure — the
sessions held — and keeps the finest level at which that is safe: every week or fortnight of the
run, none missing, adding up to the sessions held, each with its table row.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from evaluation.queries import report_for_query
from meetings.models import Meeting
from tests.demo import seed_demo
from tests.evaluation.helpers import stat, table, value

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MOMENTS = [dt.datetime(2026, 12, 7, 0, 30, tzinfo=BERLIN), dt.datetime(2026, 12, 10, 12, 0, tzinfo=BERLIN),
           dt.datetime(2026, 12, 13, 23, 30, tzinfo=BERLIN)]


@pytest.mark.parametrize("moment", MOMENTS, ids=["monday-0030", "thursday-noon", "sunday-2330"])
def test_the_demo_dashboard_keeps_a_weekly_or_fortnightly_chart_with_every_session(moment):
    with time_machine.travel(moment, tick=False):
        _people, programs = seed_demo()
        program = programs["running"]
        report = report_for_query(program, {})
    held = Meeting.objects.filter(pair__program=program, status=Meeting.Status.HELD,
                                  starts_at__lt=moment).count()
    assert value(stat(report, "engagement", "Sessions held")) == held > 10
    weekly = table(report, "weekly")
    assert weekly.title in ("Sessions per week: held and expected",
                            "Sessions per fortnight: held and expected")
    per_period = [value(row[1]) for row in weekly.rows]
    assert all(isinstance(n, int) for n in per_period), per_period  # no hidden bar, no gap
    assert sum(per_period) == held
    assert len(per_period) >= (8 if weekly.title.startswith("Sessions per week") else 4)
    assert weekly.chart is not None and len(weekly.chart["labels"]) == len(weekly.rows)
