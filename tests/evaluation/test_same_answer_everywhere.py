"""One query, one answer: the dashboard page, its CSV exports, the API and the lead digest give the
same key figures, hidden the same way, for the same program and filters (the six-pair program of
conftest, k = 3)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from api.tokens import api_token_create
from evaluation import digest
from evaluation.queries import report_for_query
from evaluation.report import cell_text
from surveys import digests
from tests.evaluation.helpers import get_csv, get_dashboard

pytestmark = pytest.mark.django_db

QUERIES = [
    {},
    digest.week_before_query(digest.dt.UTC, digest.dt.datetime(2026, 3, 2, 12, tzinfo=digest.dt.UTC)),
    {"department": "Engineering"},
    {"department": "Sales", "from": "2026-01-13", "to": "2026-01-13"},
    {"from": "2026-02-10", "to": "2026-02-20"},
]
SECTIONS = ("enrolment", "engagement", "quality", "outcomes")


def page_figures(client, program, query) -> dict[str, str]:
    html = get_dashboard(client, program, **query).content.decode()
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd class=\"eval-value\">(.*?)</dd>", html, flags=re.S)
    return {unescape(label.strip()): unescape(" ".join(text.split())) for label, text in pairs}


def csv_figures(client, program, query) -> dict[str, str]:
    figures = {}
    for key in SECTIONS:
        figures.update({r[0]: r[1] for r in get_csv(client, program, f"{key}-figures", **query)[1:]})
    return figures


def api_figures(lead, program, query) -> dict[str, dict]:
    token = api_token_create(user=lead, name="same answer")[1]
    response = Client().get(f"/api/v1/programs/{program.pk}/dashboard/", query,
                            HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return {f["label"]: f for f in response.json()["figures"] if f["table"] is None}


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "all")
def test_page_csv_api_and_digest_answer_a_query_alike(client, lead, six_pairs, query):
    program = six_pairs.program
    client.force_login(lead)
    report = report_for_query(program, query)
    stats = [s for section in report.sections if section.key in SECTIONS for s in section.stats]
    page, csv_, api = page_figures(client, program, query), csv_figures(client, program, query), \
        api_figures(lead, program, query)
    hidden = 0
    for s in stats:
        text = cell_text(s.cell, s.fmt, report.k)
        assert page[s.label] == text, s.label
        assert csv_[s.label] == text, s.label
        figure = api[s.label]
        if s.cell.shown:
            assert figure["reason"] is None or figure["reason"] == "no_data", s.label
            # The API gives the number itself (the page and the CSV write it out as above).
            expected = None if s.cell.value is None else pytest.approx(float(s.cell.value))
            assert figure["value"] == expected, s.label
        else:
            hidden += 1
            assert figure["value"] is None and figure["reason"] is not None, s.label
    assert hidden, "the query should hide something in this small program"


def test_the_digest_repeats_the_dashboards_figures_for_its_two_queries(client, lead, six_pairs, mailoutbox):
    program = six_pairs.program
    client.force_login(lead)
    now = digest.dt.datetime(2026, 3, 2, 12, tzinfo=digest.dt.UTC)
    part = digest.program_digest(program, lead.zone, now=now)
    whole, recent = csv_figures(client, program, {}), csv_figures(client, program, QUERIES[1])
    assert [s.label for s in part.whole] == [label for _s, label in digest.WHOLE]
    for s in part.whole:
        assert cell_text(s.cell, s.fmt, part.k) == whole[s.label], s.label
    assert part.recent
    for s in part.recent:
        assert cell_text(s.cell, s.fmt, part.k) == recent[s.label], s.label
    # And the e-mail says exactly that.
    digests.lead_digests_tick()
    body = mailoutbox[0].body
    for s in part.whole:
        assert f"- {s.label}: {whole[s.label]}" in body
    assert "No-shows: hidden (fewer than 3 people)" in body  # one no-show by one pair
    assert six_pairs.mentors[0].user.display_name not in body
