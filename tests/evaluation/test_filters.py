"""Filters live in the URL; bad values get a clear message, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.evaluation import builders as b
from tests.evaluation.helpers import get_dashboard, stat, table, value

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "yesterday"}, "Enter a date as YYYY-MM-DD."),
    ({"from": "2026-02-10", "to": "2026-02-01"}, "The end of the range must not be before its start."),
    ({"to": "9999-12-31"}, "Choose a date between 2000 and 2100."),
    ({"department": "Nowhere"}, "Choose a department from the list."),
    ({"cohort": "2026-13"}, "Choose an intake from the list."),
    ({"cohort": "'; DROP TABLE"}, "Choose an intake from the list."),
    # Department × intake would publish a two-way table whose hidden cells the margins give away.
    ({"department": "Sales", "cohort": "2025-12"}, "Choose a department or an intake, not both"),
])
def test_invalid_filters_get_a_clear_message(client, lead, six_pairs, params, message):
    client.force_login(lead)
    response = get_dashboard(client, six_pairs.program, **params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["report"] is None  # no figures for a view that was not asked for


def test_a_department_with_fewer_than_k_participants_cannot_be_chosen(client, lead, six_pairs):
    b.person(six_pairs.program, "mentor", department="Legal", name="Lone Lawyer")
    client.force_login(lead)
    response = get_dashboard(client, six_pairs.program)
    options = [value for value, _label in response.context["form"].fields["department"].choices]
    # Legal (1 person) is not offered, and neither is the next smallest department: otherwise
    # "all departments" minus the offered ones would be Legal's figures.
    assert options == ["", "Finance", "Marketing", "Sales"]
    refused = get_dashboard(client, six_pairs.program, department="Legal")
    assert refused.context["report"] is None
    assert "fewer than 3 participants" in refused.content.decode()


def test_the_department_filter_changes_the_figures_and_the_links(client, lead, six_pairs):
    client.force_login(lead)
    response = get_dashboard(client, six_pairs.program, department="Marketing")
    report = response.context["report"]
    funnel = {r[0]: value(r[1]) for r in table(report, "funnel").rows}
    assert funnel["Applied"] == 3
    # Pairs p4–p6 have a Marketing mentor: 3 + 1 + 0 sessions; outside, p1–p3 held 11 (6 people).
    assert value(stat(report, "engagement", "Sessions held")) == 4
    html = response.content.decode()
    export = reverse("evaluation:export", args=[six_pairs.program.pk, "funnel"])
    assert export + "?department=Marketing" in html


def test_a_filtered_figure_is_hidden_when_the_rest_would_be_a_small_group(client, lead, six_pairs):
    client.force_login(lead)
    report = get_dashboard(client, six_pairs.program, department="Sales").context["report"]
    # Pairs with a Sales mentee held 14 of the 15 sessions: the one left is p5's (2 people).
    assert value(stat(report, "engagement", "Sessions held")) == "hidden"


def test_the_date_range_limits_sessions_and_answers(client, lead, six_pairs):
    client.force_login(lead)
    response = get_dashboard(client, six_pairs.program, **{"from": "2026-01-19", "to": "2026-02-15"})
    report = response.context["report"]
    # The six-pair program is one reporting period (no split of it is safe for every department's
    # figures): the range is widened to all of it, sessions and answers alike.
    assert value(stat(report, "engagement", "Sessions held")) == 15
    assert value(stat(report, "quality", "Average satisfaction")) == pytest.approx(4.0)
    assert "widened to whole periods" in report.summary


def test_the_intake_filter_selects_people_by_the_month_they_applied(client, lead, six_pairs):
    late = [b.person(six_pairs.program, "mentee", department="Sales", applied_at=b.at(2026, 1, 20),
                     name=f"L{i}") for i in range(3)]
    assert late
    client.force_login(lead)
    response = get_dashboard(client, six_pairs.program, cohort="2026-01")
    report = response.context["report"]
    funnel = {r[0]: value(r[1]) for r in table(report, "funnel").rows}
    assert "Eligible" not in funnel  # people who did not apply have no intake
    assert funnel["Applied"] == 3
