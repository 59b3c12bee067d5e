from __future__ import annotations

import pytest

from pairing.models import PairExclusion
from pairing.rules import (
    enrollment_eligibility,
    in_reporting_line,
    level_band_eligibility,
    manager_map,
    pair_rule_problems,
)
from programs.models import Program
from tests.factories import UserFactory
from tests.pairing.conftest import enrol

pytestmark = pytest.mark.django_db


def test_a_reporting_line_reaches_through_people_who_are_not_enrolled(matching_program):
    boss = UserFactory(full_name="Big Boss", level=12)
    middle = UserFactory(manager=boss, level=9)
    junior = UserFactory(manager=middle, level=3)
    managers = manager_map()

    assert in_reporting_line(junior.pk, boss.pk, managers)
    assert in_reporting_line(boss.pk, junior.pk, managers)
    assert not in_reporting_line(junior.pk, UserFactory().pk, manager_map())


def test_a_loop_in_imported_managers_does_not_hang():
    managers = {1: 2, 2: 3, 3: 1, 4: None}

    assert in_reporting_line(1, 3, managers)
    assert not in_reporting_line(1, 4, managers)


def test_it_names_every_broken_rule(matching_program):
    Program.objects.filter(pk=matching_program.pk).update(forbid_same_department=True, min_level_gap=8)
    matching_program.refresh_from_db()
    boss = UserFactory(full_name="Rita Boss", level=9, department="Engineering")
    mentor = enrol(matching_program, role="mentor", full_name="Jo Junior", level=3, manager=boss)
    mentee = enrol(matching_program, boss, role="mentee")
    PairExclusion.objects.create(program=matching_program, mentor=mentor, mentee=mentee)

    problems = pair_rule_problems(
        program=matching_program,
        mentor=mentor,
        mentee=mentee,
        managers=manager_map(),
        excluded={(mentor.pk, mentee.pk)},
    )

    assert problems == [
        "Jo Junior and Rita Boss are in the same reporting line.",
        "The mentee must be at least 8 levels above the mentor (Rita Boss is at 9, Jo Junior at 3).",
        "This program never pairs people from the same department (Engineering).",
        "HR has ruled out this pair.",
    ]


def test_a_fine_pair_breaks_no_rule(matching_program):
    mentor = enrol(matching_program, role="mentor")
    mentee = enrol(matching_program, role="mentee")

    assert (
        pair_rule_problems(
            program=matching_program, mentor=mentor, mentee=mentee, managers=manager_map(), excluded=set()
        )
        == []
    )


@pytest.mark.parametrize(
    ("level", "role", "ok"),
    [
        (1, "mentor", True),
        (4, "mentor", True),
        (5, "mentor", False),
        (6, "mentee", True),
        (12, "mentee", True),
        (13, "mentee", False),
        (None, "mentor", False),
    ],
)
def test_level_bands_decide_who_may_take_each_role(program, level, role, ok):
    assert level_band_eligibility(program=program, level=level, role=role).ok is ok


def test_eligibility_gives_the_program_reason_before_the_level_reason(program):
    person = UserFactory(level=None)

    verdict = enrollment_eligibility(
        program=program, user=person, role="mentor", existing=None, has_agreement=True
    )

    assert not verdict.ok
    assert verdict.reason == "Enrolment for this program is not open."


def test_eligibility_waits_for_a_published_agreement(enrolling_program, mentor):
    verdict = enrollment_eligibility(
        program=enrolling_program, user=mentor, role="mentor", existing=None, has_agreement=False
    )

    assert "has not published the program agreement" in verdict.reason
