"""Large programs' dashboards read their aggregates from a snapshot at most DASHBOARD_SNAPSHOT_SECONDS old;
smaller ones keep theirs for DASHBOARD_CACHE_SECONDS (0: live on every render)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import snapshots
from evaluation.tasks import refresh_dashboards
from tests.evaluation import builders as b
from tests.evaluation.test_query_count import grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings, lead, frozen):
    """A program of 12 pairs, large enough for snapshots here (the threshold is 10 pairs)."""
    settings.DASHBOARD_SNAPSHOT_MIN_PAIRS = 10
    settings.DASHBOARD_SNAPSHOT_SECONDS = 600
    program, questions = b.program(leads=[lead], name="Large")
    grow(program, questions, 12)
    return program, questions


def render(client, program, **params):
    """(response, SQL of the render) for the dashboard."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("evaluation:dashboard", args=[program.pk]), params)
    assert response.status_code == 200 and response.context["report"] is not None
    return response, " ".join(q["sql"] for q in captured.captured_queries)


def main(page: str) -> str:
    """The page's content (the header holds a CSRF token that differs on every render)."""
    return page[page.index("<main"):]


def test_a_large_programs_dashboard_reads_its_figures_once_and_says_how_fresh_they_are(
    client, lead, large
):
    program, _questions = large
    client.force_login(lead)

    first, first_sql = render(client, program)
    second, second_sql = render(client, program)

    assert "surveys_surveyanswer" in first_sql and "meetings_meeting" in first_sql
    assert "surveys_surveyanswer" not in second_sql and "meetings_meeting" not in second_sql
    page = second.content.decode()
    assert "This program is large: its figures are read at most every 10 minutes" in page
    assert second.context["report"].as_of == b.NOW
    assert main(page) == main(first.content.decode())


def test_new_sessions_show_once_the_snapshot_is_older_than_its_age(client, lead, large):
    program, questions = large
    client.force_login(lead)
    before = main(render(client, program)[0].content.decode())

    grow(program, questions, 12)  # twice the pairs, sessions and answers
    still = main(render(client, program)[0].content.decode())
    with time_machine.travel(b.NOW + dt.timedelta(minutes=11), tick=False):
        after, sql = render(client, program)

    assert still == before
    assert "surveys_surveyanswer" in sql
    assert after.context["report"].as_of == b.NOW + dt.timedelta(minutes=11)
    assert main(after.content.decode()) != before


def test_a_filtered_view_has_its_own_snapshot_of_the_same_moment(client, lead, large):
    program, _questions = large
    client.force_login(lead)
    render(client, program)

    first, first_sql = render(client, program, department="Engineering")
    second, second_sql = render(client, program, department="Engineering")

    assert "surveys_surveyanswer" in first_sql and "surveys_surveyanswer" not in second_sql
    assert first.context["report"].as_of == second.context["report"].as_of == b.NOW
    assert "Engineering" in second.context["report"].summary


def test_the_refresh_job_reads_large_programs_ahead_of_their_leads(client, lead, large):
    program, _questions = large
    small, small_questions = b.program(leads=[lead], name="Small")
    grow(small, small_questions, 2)
    client.force_login(lead)

    outcome = refresh_dashboards.apply().get()
    response, sql = render(client, program)

    assert outcome == {"refreshed": 1}
    assert "surveys_surveyanswer" not in sql
    assert response.context["report"].as_of == b.NOW


def test_a_small_program_is_read_live_on_every_render(client, lead, settings, frozen):
    settings.DASHBOARD_SNAPSHOT_MIN_PAIRS = 1000
    program, questions = b.program(leads=[lead], name="Small")
    grow(program, questions, 6)
    client.force_login(lead)

    render(client, program)
    response, sql = render(client, program)

    assert "surveys_surveyanswer" in sql
    assert response.context["report"].as_of is None
    assert "This program is large" not in response.content.decode()
    assert not snapshots.is_large(program)


@pytest.fixture
def kept_small(settings, lead, frozen):
    """A small program (under the snapshot threshold) with the production's one-minute cache."""
    settings.DASHBOARD_SNAPSHOT_MIN_PAIRS = 1000
    settings.DASHBOARD_CACHE_SECONDS = 60
    program, questions = b.program(leads=[lead], name="Small")
    grow(program, questions, 6)
    return program, questions


def test_a_small_programs_figures_are_kept_for_a_minute_and_the_page_says_so(client, lead, kept_small):
    program, questions = kept_small
    client.force_login(lead)
    first, first_sql = render(client, program)

    grow(program, questions, 6)  # twice the pairs, sessions and answers
    second, second_sql = render(client, program)
    with time_machine.travel(b.NOW + dt.timedelta(seconds=61), tick=False):
        later, later_sql = render(client, program)

    assert "surveys_surveyanswer" in first_sql and "meetings_meeting" in first_sql
    assert "surveys_surveyanswer" not in second_sql and "meetings_meeting" not in second_sql
    page = second.content.decode()
    assert "The figures are read at most once a minute, not on every visit." in page
    assert "This program is large" not in page
    assert main(page) == main(first.content.decode())
    assert "surveys_surveyanswer" in later_sql
    assert later.context["report"].as_of == b.NOW + dt.timedelta(seconds=61)
    assert main(later.content.decode()) != main(page)


def test_kept_sections_follow_a_new_threshold_and_the_readers_language(client, lead, kept_small):
    program, _questions = kept_small
    client.force_login(lead)
    before = main(render(client, program)[0].content.decode())
    program.anonymity_k = 40  # more people than the program has: every figure is hidden
    program.save(update_fields=["anonymity_k", "updated_at"])
    stricter = main(render(client, program)[0].content.decode())
    lead.language = "de"
    lead.save(update_fields=["language"])
    german = main(render(client, program)[0].content.decode())

    def sections(page: str) -> str:
        return page[page.index('class="eval-section"'):]

    assert "fewer than 40 people" not in sections(before)
    assert "fewer than 40 people" in sections(stricter)  # hidden figures name the threshold
    assert "Download these figures (CSV)" in sections(stricter)
    assert "Diese Zahlen herunterladen (CSV)" in sections(german)
    assert "Download these figures (CSV)" not in german


def test_the_reporting_periods_are_read_once_with_the_kept_reads_and_shared_by_every_filter(
    client, lead, large, monkeypatch
):
    """The periods are the same for every filter: a kept program reads them with its snapshot, and a
    filtered view of the same moment snaps its dates to those, without reading them again."""
    from evaluation import selectors

    program, _questions = large
    calls = []
    real = selectors.reporting_timeline

    def counted(*args, **kwargs):
        calls.append(kwargs.get("now"))
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "reporting_timeline", counted)
    refresh_dashboards.apply().get()
    client.force_login(lead)

    whole, _sql = render(client, program)
    filtered, _sql = render(client, program, department="Engineering", **{"from": "2026-02-03"})

    assert calls == [b.NOW]  # the job's read, at its moment
    assert filtered.context["report"].as_of == whole.context["report"].as_of == b.NOW
    with time_machine.travel(b.NOW + dt.timedelta(minutes=11), tick=False):
        render(client, program, department="Engineering")
    assert calls == [b.NOW, b.NOW + dt.timedelta(minutes=11)]  # an expired snapshot reads them anew
