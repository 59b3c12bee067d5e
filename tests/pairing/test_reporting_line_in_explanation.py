"""The reporting-line rule every match keeps is shown beside the match explanation (issue 18 item 4)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing import rules
from tests.factories import PairFactory

pytestmark = pytest.mark.django_db

RULE = "Not in the same reporting line"


def test_hr_sees_the_rule_beside_each_proposal_on_the_review_page(client, hr_admin, matching_program):
    PairFactory(program=matching_program, explanation="Aisha can teach Robert Cloud services.")
    client.force_login(hr_admin)
    page = client.get(reverse("pairing:hr_review", args=[matching_program.pk])).content.decode()
    assert "Aisha can teach Robert Cloud services." in page
    assert page.count(RULE) == 1
    assert "manager&#x27;s manager and everyone above" in page and "directly or further down" in page


def test_the_participants_why_you_two_names_the_whole_chain(client, matching_program):
    pair = PairFactory(program=matching_program, published_at=timezone.now(), status="active",
                       explanation="Aisha can teach Robert Cloud services.")
    client.force_login(pair.mentor.user)
    page = client.get(reverse("pairing:pair", args=[pair.pk])).content.decode()
    why = page[page.index("Why you two"):]
    assert RULE in why and "anyone who reports to them, directly or further down" in why


def test_the_rule_it_states_is_the_one_matching_applies_up_and_down_the_chain():
    managers = {1: None, 2: 1, 3: 2, 4: 3, 5: 1}
    assert rules.in_reporting_line(4, 1, managers)  # a skip-level manager, three levels up
    assert rules.in_reporting_line(2, 4, managers)  # a report's report, down the chain
    assert not rules.in_reporting_line(4, 5, managers)  # cousins under the same top: allowed
