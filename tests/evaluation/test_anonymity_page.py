"""The anonymity rule on the rendered page: with k = 5 and departments of 1 to 7 people, no number
on the page comes from fewer than 5 people, and no hidden group is the total minus the others."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.models import SurveyQuestion
from tests.evaluation import builders as b
from tests.evaluation.helpers import get_dashboard, table

pytestmark = pytest.mark.django_db
K = 5
NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]

departments = st.lists(
    st.tuples(st.integers(min_value=1, max_value=7), st.integers(min_value=0, max_value=7)),
    min_size=1, max_size=5)


def build(lead, groups) -> tuple:
    program, _q = b.program(k=K, leads=[lead])
    rating = SurveyQuestion.objects.create(program=program, survey="mid_program", order=1, kind="rating",
                                           text="Satisfied so far?", measures_satisfaction=True)
    truth = {}
    for name, (size, answering) in zip(NAMES, groups, strict=False):
        respondents = min(size, answering)
        for i in range(size):
            person = b.person(program, "mentee", department=name, name=f"{name} {i}")
            if i < respondents:
                b.answer(b.invite(person, "mid_program"), {rating: 1 + (i % 5)})
        truth[name] = (size, respondents)
    return program, truth


def check_column(rows, column: int, truth: dict[str, int], total_truth: int) -> None:
    cells = {r[0]: r[column] for r in rows}
    total = cells.pop("All")
    for name, cell in cells.items():
        n = truth[name]
        if cell.shown:
            assert n == 0 or n >= K, (name, n)
        if 0 < n < K:
            assert cell.small
    hidden = [name for name, cell in cells.items() if not cell.shown]
    if total.shown:
        assert total_truth == 0 or total_truth >= K
        if hidden:
            # total minus the visible groups = the hidden ones together: never one alone,
            # never fewer than k people.
            assert len(hidden) >= 2
            assert sum(truth[name] for name in hidden) >= K


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=departments)
def test_no_number_on_the_page_comes_from_fewer_than_k_people(client, lead, frozen, groups):
    program, truth = build(lead, groups)
    client.force_login(lead)
    response = get_dashboard(client, program)
    report = response.context["report"]
    rows = table(report, "departments").rows
    people = {name: size for name, (size, _r) in truth.items()}
    respondents = {name: r for name, (_s, r) in truth.items()}
    check_column(rows, 1, people, sum(people.values()))
    check_column(rows, 3, respondents, sum(respondents.values()))
    # The same on the page itself: every small department reads "hidden (fewer than 5 people)".
    html = response.content.decode()
    for name, size in people.items():
        row = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', html, re.S)
        assert row is not None
        cell = re.search(r"<td[^>]*>(.*?)</td>", row.group(1), re.S).group(1)
        # A withheld cell carries its one-sentence reason, for screen readers and as a tooltip.
        participants = re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", cell).strip()
        if size < K:
            assert participants == "hidden (fewer than 5 people)"
        else:
            assert participants in (str(size), "hidden")
    # The headline satisfaction obeys the rule too.
    satisfaction = next(s.cell for s in report.sections[2].stats if s.label == "Average satisfaction")
    total_respondents = sum(respondents.values())
    if sum(people.values()) < K:
        # A program of fewer than k people: even "no answers" is about them.
        assert not satisfaction.shown
    else:
        assert satisfaction.shown == (total_respondents == 0 or total_respondents >= K)
