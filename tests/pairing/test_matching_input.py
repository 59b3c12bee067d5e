from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from pairing.matching_input import (
    MatchingInputError,
    availability_slots,
    engine_input_build,
    find_manager_loop,
    pool_load,
    utc_offset_hours,
)
from pairing.models import AvailabilityWindow, Expertise, LearningInterest
from tests.factories import PairFactory, ProfileFactory, UserFactory
from tests.pairing.conftest import enrol

WINTER = dt.datetime(2027, 1, 12, 12, tzinfo=dt.UTC)


def test_local_windows_become_utc_hours_of_the_week():
    # Monday 09:00-11:00 in UTC+1 is Monday 08:00-10:00 UTC: slots 8 and 9.
    slots = availability_slots(np.array([0]), np.array([9 * 60]), np.array([11 * 60]), np.array([60]), 1)

    assert np.flatnonzero(slots[0]).tolist() == [8, 9]


def test_a_window_crossing_the_start_of_the_week_wraps_around():
    # Monday 00:00-02:00 in UTC+1 is Sunday 23:00 to Monday 01:00 UTC.
    slots = availability_slots(np.array([0]), np.array([0]), np.array([120]), np.array([60]), 1)

    assert np.flatnonzero(slots[0]).tolist() == [0, 167]


def test_half_hours_count_when_at_least_half_the_hour_is_free():
    # 09:30-10:15 covers 30 minutes of 09:00 and 15 of 10:00 (India is UTC+5:30 -> 04:00 and 04:45 UTC).
    slots = availability_slots(np.array([0]), np.array([570]), np.array([615]), np.array([0]), 1)
    india = availability_slots(np.array([0]), np.array([570]), np.array([630]), np.array([330]), 1)

    assert np.flatnonzero(slots[0]).tolist() == [9]
    assert np.flatnonzero(india[0]).tolist() == [4]


@given(day=st.integers(0, 6), start=st.integers(0, 23), hours=st.integers(1, 24), offset=st.integers(-12, 14))
def test_whole_hour_windows_keep_their_length_and_shift_by_the_offset(day, start, hours, offset):
    hours = min(hours, 24 - start)
    s = day * 1440 + start * 60
    slots = availability_slots(
        np.array([0]), np.array([s]), np.array([s + hours * 60]), np.array([offset * 60]), 1
    )[0]

    first = (day * 24 + start - offset) % 168
    assert slots.sum() == hours
    assert all(slots[(first + k) % 168] for k in range(hours))


def test_the_current_utc_offset_follows_daylight_saving():
    assert utc_offset_hours("Europe/Berlin", WINTER) == 1
    assert utc_offset_hours("Europe/Berlin", WINTER.replace(month=7)) == 2
    assert utc_offset_hours("Not/AZone", WINTER) == 0


def test_a_manager_loop_is_found():
    assert sorted(find_manager_loop({1: 2, 2: 3, 3: 2, 4: None})) == [2, 3]
    assert find_manager_loop({1: 2, 2: None}) == []


@pytest.mark.django_db
@time_machine.travel(WINTER)
def test_engine_input_follows_the_program_topics_directions_and_profiles(matching_program, topics):
    mentor = enrol(matching_program, role="mentor", time_zone="Europe/Berlin")
    mentee = enrol(matching_program, role="mentee", time_zone="America/New_York")
    cloud, ai = topics["junior_teaches"]
    industry, _leadership = topics["senior_teaches"]
    mp = ProfileFactory(user=mentor.user, languages=["english", "German"])
    ep = ProfileFactory(user=mentee.user, languages=["English"])
    Expertise.objects.create(profile=mp, topic=cloud, proficiency=5, can_teach=True)
    Expertise.objects.create(profile=mp, topic=ai, proficiency=4, can_teach=False)  # will not teach it
    Expertise.objects.create(profile=mp, topic=industry, proficiency=5)  # not the mentor's direction
    LearningInterest.objects.create(profile=mp, topic=industry, priority=1)
    LearningInterest.objects.create(profile=ep, topic=cloud, priority=2)
    AvailabilityWindow.objects.create(profile=mp, weekday=0, start=dt.time(15), end=dt.time(17))

    data = engine_input_build(
        program=matching_program, mentors=[mentor], mentees=[mentee], capacity={mentor.pk: 1}
    )

    names = list(data.rules.topic_names)
    assert set(names) == {"Cloud services", "Generative AI", "Industry knowledge", "Leadership"}
    col = {name: i for i, name in enumerate(names)}
    assert data.mentors.teach[0].tolist() == pytest.approx(
        [1.0 if n == "Cloud services" else 0.0 for n in names]
    )
    assert data.mentors.learn[0][col["Industry knowledge"]] == 1.0
    assert data.mentees.learn[0][col["Cloud services"]] == pytest.approx(0.8)
    assert list(data.rules.language_names) == ["English", "German"]
    assert data.mentors.languages.tolist() == [[True, True]]
    assert data.mentees.languages.tolist() == [[True, False]]
    assert data.mentors.utc_offset.tolist() == [1.0] and data.mentees.utc_offset.tolist() == [-5.0]
    assert np.flatnonzero(data.mentors.availability[0]).tolist() == [14, 15]
    assert data.mentors.department[0] != data.mentees.department[0]
    assert data.rules.min_level_gap == matching_program.min_level_gap


@pytest.mark.django_db
def test_the_org_covers_managers_who_are_not_enrolled(matching_program):
    boss = UserFactory(level=12)
    middle = UserFactory(level=9, manager=boss)
    mentor = enrol(matching_program, role="mentor", manager=middle)
    mentee = enrol(matching_program, boss, role="mentee")

    data = engine_input_build(
        program=matching_program, mentors=[mentor], mentees=[mentee], capacity={mentor.pk: 1}
    )

    manager = data.org.manager
    mentor_index, boss_index = data.mentors.person[0], data.mentees.person[0]
    assert manager[manager[mentor_index]] == boss_index


@pytest.mark.django_db
def test_the_pool_leaves_out_unfinished_training_and_people_already_paired(matching_program):
    ready = enrol(matching_program, role="mentor")
    untrained = enrol(matching_program, role="mentee", trained=False, full_name="Una Trained")
    paired = PairFactory(program=matching_program, published_at=WINTER, status="active")
    enrol(matching_program, role="mentee", status="applied")

    pool = pool_load(matching_program)

    assert [e.pk for e in pool.mentors] == [ready.pk]
    assert pool.mentees == []
    assert pool.skipped == [
        {
            "enrollment_id": untrained.pk,
            "name": "Una Trained",
            "side": "mentee",
            "reason": "training not finished",
        }
    ]
    assert paired.mentor.pk not in pool.capacity


@pytest.mark.django_db
def test_a_locked_pair_that_now_breaks_a_rule_is_reported_by_name(matching_program):
    mentor = enrol(matching_program, role="mentor", full_name="Lou Locked")
    mentee = enrol(matching_program, role="mentee", full_name="Max Manager")
    PairFactory(program=matching_program, mentor=mentor, mentee=mentee, locked=True)
    mentor.user.manager = mentee.user
    mentor.user.save()

    with pytest.raises(MatchingInputError, match="Lou Locked \\+ Max Manager now breaks a rule"):
        pool_load(matching_program)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 12])
def test_building_the_input_costs_the_same_queries_for_any_size(
    matching_program, topics, django_assert_num_queries, n
):
    for i in range(n):
        for role in ("mentor", "mentee"):
            e = enrol(matching_program, role=role)
            p = ProfileFactory(user=e.user)
            Expertise.objects.create(profile=p, topic=topics["junior_teaches"][0], proficiency=3)
            LearningInterest.objects.create(profile=p, topic=topics["senior_teaches"][0], priority=1)
            AvailabilityWindow.objects.create(profile=p, weekday=i % 7, start=dt.time(9), end=dt.time(10))

    with django_assert_num_queries(11):
        pool = pool_load(matching_program)
        engine_input_build(
            program=matching_program,
            mentors=pool.mentors,
            mentees=pool.mentees,
            capacity=pool.capacity,
            locked=pool.locked,
            forbidden=pool.forbidden,
            managers=pool.managers,
        )


@pytest.mark.django_db
def test_a_locked_pair_whose_mentor_is_already_full_is_reported(matching_program):
    mentor = enrol(matching_program, role="mentor", full_name="Fay Full")
    PairFactory(program=matching_program, mentor=mentor, published_at=WINTER, status="active")
    other = enrol(matching_program, role="mentee")
    PairFactory(program=matching_program, mentor=mentor, mentee=other, locked=True)

    with pytest.raises(MatchingInputError, match=r"Fay Full, who cannot be matched right now \(already has"):
        pool_load(matching_program)


@pytest.mark.django_db
@time_machine.travel(WINTER)
def test_names_without_letters_left_in_old_profiles_are_no_shared_language(matching_program):
    mentor = enrol(matching_program, role="mentor")
    mentee = enrol(matching_program, role="mentee")
    ProfileFactory(user=mentor.user, languages=["[]", "English"])
    ProfileFactory(user=mentee.user, languages=["[]"])

    data = engine_input_build(
        program=matching_program, mentors=[mentor], mentees=[mentee], capacity={mentor.pk: 1}
    )

    assert list(data.rules.language_names) == ["English"]
    assert not (data.mentors.languages & data.mentees.languages).any()
