"""The optimal pairing engine (pairing.matching): pure NumPy/SciPy, no database needed.

Property tests compare the engine against a slow, obviously-correct reference written
here: manager chains walked one step at a time, scores summed topic by topic, and a
brute-force search over every assignment for the optimum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.matching import (
    HOURS_PER_WEEK,
    MatchResult,
    Org,
    Rules,
    Side,
    Weights,
    build_problem,
    evaluate,
    match,
    reporting_intervals,
    solve,
)

TOPICS = ["social media", "AI", "stakeholder management", "budgeting", "negotiation"]
LANGUAGES = ["English", "French"]

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --------------------------------------------------------------------------------------
# Building inputs by hand
# --------------------------------------------------------------------------------------


def make_side(people: list[dict], *, topics: list[str] = TOPICS, n_languages: int = 2) -> Side:
    """A Side from a list of dicts with readable keys (topic names, hour lists...)."""
    n, n_topics = len(people), len(topics)
    teach = np.zeros((n, n_topics))
    learn = np.zeros((n, n_topics))
    availability = np.zeros((n, HOURS_PER_WEEK), dtype=bool)
    languages = np.zeros((n, n_languages), dtype=bool)
    for i, p in enumerate(people):
        for topic, value in p.get("teach", {}).items():
            teach[i, topics.index(topic)] = value
        for topic, value in p.get("learn", {}).items():
            learn[i, topics.index(topic)] = value
        availability[i, list(p.get("hours", []))] = True
        languages[i, list(p.get("languages", [0]))] = True
    return Side(
        ids=np.array([p["id"] for p in people], dtype=np.int64),
        names=[p.get("name", f"Person {p['id']}") for p in people],
        person=np.array([p["person"] for p in people], dtype=np.int64),
        level=np.array([p.get("level", 1) for p in people], dtype=np.int64),
        department=np.array([p.get("department", -1) for p in people], dtype=np.int64),
        teach=teach,
        learn=learn,
        utc_offset=np.array([p.get("offset", 0.0) for p in people], dtype=float),
        availability=availability,
        languages=languages,
        capacity=np.array([p.get("capacity", 1) for p in people], dtype=np.int64),
    )


def flat_org(n_people: int) -> Org:
    """Nobody manages anybody."""
    return Org(manager=np.full(n_people, -1, dtype=np.int64))


def pairs_of(result: MatchResult) -> set[tuple[int, int]]:
    return {(p.mentor_id, p.mentee_id) for p in result.pairs}


def reasons_of(result: MatchResult) -> dict[tuple[str, int], str]:
    return {(u.side, u.id): u.reason for u in result.unmatched}


# --------------------------------------------------------------------------------------
# Slow reference implementation
# --------------------------------------------------------------------------------------


@dataclass
class Program:
    mentors: Side
    mentees: Side
    org: Org
    rules: Rules


def ref_strictly_above(manager: np.ndarray, a: int, b: int) -> bool:
    """Walk up from b one manager at a time."""
    x = int(manager[b])
    while x != -1:
        if x == a:
            return True
        x = int(manager[x])
    return False


def ref_allowed(prog: Program, e: int, m: int) -> bool:
    mentor, mentee, rules = prog.mentors, prog.mentees, prog.rules
    a, b = int(mentor.person[m]), int(mentee.person[e])
    if a == b:
        return False
    if rules.forbid_reporting_line and (
        ref_strictly_above(prog.org.manager, a, b) or ref_strictly_above(prog.org.manager, b, a)
    ):
        return False
    if mentee.level[e] - mentor.level[m] < rules.min_level_gap:
        return False
    if (
        rules.forbid_same_department
        and mentee.department[e] >= 0
        and mentee.department[e] == mentor.department[m]
    ):
        return False
    return (int(mentor.ids[m]), int(mentee.ids[e])) not in set(rules.forbidden)


def ref_score(prog: Program, e: int, m: int) -> float:
    mentor, mentee, w = prog.mentors, prog.mentees, prog.rules.weights
    n_topics = len(prog.rules.topic_names)

    def wanted(teacher_teach, learner_learn) -> float:
        total = sum(learner_learn[t] for t in range(n_topics))
        if total == 0:
            return 0.0
        return sum(teacher_teach[t] * learner_learn[t] for t in range(n_topics)) / total

    hours = sum(
        1 for h in range(HOURS_PER_WEEK) if mentor.availability[m, h] and mentee.availability[e, h]
    )
    de, dm = mentee.department[e], mentor.department[m]
    gap = abs(mentee.utc_offset[e] - mentor.utc_offset[m])
    n_languages = mentor.languages.shape[1]
    shared = any(mentor.languages[m, k] and mentee.languages[e, k] for k in range(n_languages))
    return (
        w.mentor_teaches * wanted(mentor.teach[m], mentee.learn[e])
        + w.mentee_teaches * wanted(mentee.teach[e], mentor.learn[m])
        + w.cross_department * (1.0 if de >= 0 and dm >= 0 and de != dm else 0.0)
        + w.availability * min(hours, 8) / 8
        + w.timezone * max(0.0, 1.0 - gap / 8)
        + w.language * (1.0 if shared else 0.0)
    )


def brute_force(prog: Program) -> tuple[int, float]:
    """Best (number matched, score minus load penalties) over every possible assignment."""
    mentors, mentees, rules = prog.mentors, prog.mentees, prog.rules
    n_m, n_e = len(mentors.ids), len(mentees.ids)
    load = rules.weights.load
    caps = tuple(int(c) for c in mentors.capacity)
    mentor_pos = {int(x): i for i, x in enumerate(mentors.ids)}
    locked = {int(e): mentor_pos[int(m)] for m, e in rules.locked}
    options = []
    for e in range(n_e):
        if int(mentees.ids[e]) in locked:
            options.append([locked[int(mentees.ids[e])]])
        else:
            options.append([None, *[m for m in range(n_m) if ref_allowed(prog, e, m)]])
    scores = [[ref_score(prog, e, m) for m in range(n_m)] for e in range(n_e)]

    @cache
    def best(e: int, used: tuple[int, ...]) -> tuple[int, float]:
        if e == n_e:
            return (0, 0.0)
        result = (-1, float("-inf"))
        for m in options[e]:
            if m is None:
                count, value = best(e + 1, used)
            else:
                if used[m] >= caps[m]:
                    continue
                nxt = used[:m] + (used[m] + 1,) + used[m + 1 :]
                count, value = best(e + 1, nxt)
                count, value = count + 1, value + scores[e][m] - load * used[m]
            if (count, value) > result:
                result = (count, value)
        return result

    return best(0, (0,) * n_m)


# --------------------------------------------------------------------------------------
# Random small programs
# --------------------------------------------------------------------------------------

WEIGHT_CHOICES = [
    Weights(),
    Weights(load=0.0),
    Weights(load=2.0, availability=0.0),
    Weights(
        mentor_teaches=1.0,
        mentee_teaches=1.3,
        cross_department=0.0,
        timezone=0.7,
        language=3.0,
        load=0.3,
    ),
]


@st.composite
def programs(
    draw, max_mentors: int = 8, max_mentees: int = 8, max_capacity: int = 3, min_side: int = 0
):
    n_people = draw(st.integers(max(1, 2 * min_side), 16))
    order = draw(st.permutations(range(n_people)))
    manager = np.full(n_people, -1, dtype=np.int64)
    for k in range(1, n_people):  # everyone reports to somebody earlier, or to nobody
        boss = draw(st.integers(-1, k - 1))
        manager[order[k]] = order[boss] if boss >= 0 else -1
    level = np.array(draw(st.lists(st.integers(1, 6), min_size=n_people, max_size=n_people)))
    dept = np.array(draw(st.lists(st.integers(-1, 2), min_size=n_people, max_size=n_people)))
    n_mentors = draw(st.integers(min_side, min(max_mentors, n_people)))
    n_mentees = draw(st.integers(min_side, min(max_mentees, n_people)))
    # Distinct people within a side; the same person may be on both sides.
    mentor_people = draw(st.permutations(range(n_people)))[:n_mentors]
    mentee_people = draw(st.permutations(range(n_people)))[:n_mentees]
    capacity = draw(
        st.lists(
            st.integers(1, max_capacity),
            min_size=len(mentor_people),
            max_size=len(mentor_people),
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_topics = 3

    def side(people: list[int], first_id: int, caps: list[int] | None) -> Side:
        n = len(people)
        values = np.array([0.0, 0.25, 0.5, 1.0])
        return Side(
            ids=np.arange(first_id, first_id + n, dtype=np.int64),
            names=[f"P{first_id + i} Surname" for i in range(n)],
            person=np.array(people, dtype=np.int64),
            level=level[people] if n else np.zeros(0, dtype=np.int64),
            department=dept[people] if n else np.zeros(0, dtype=np.int64),
            teach=values[rng.integers(0, 4, size=(n, n_topics))],
            learn=values[rng.integers(0, 4, size=(n, n_topics))],
            utc_offset=rng.choice([-5.0, 0.0, 1.0, 5.5], size=n),
            availability=rng.random((n, HOURS_PER_WEEK)) < 0.05,
            languages=rng.random((n, 2)) < 0.6,
            capacity=np.array(caps, dtype=np.int64) if caps is not None else None,
        )

    mentors = side(mentor_people, 100, capacity)
    mentees = side(mentee_people, 200, None)
    rules = Rules(
        topic_names=["t0", "t1", "t2"],
        language_names=LANGUAGES,
        min_level_gap=draw(st.sampled_from([-1, 0, 1, 1, 2])),
        forbid_reporting_line=draw(st.booleans()),
        forbid_same_department=draw(st.booleans()),
        weights=draw(st.sampled_from(WEIGHT_CHOICES)),
    )
    prog = Program(mentors, mentees, Org(manager=manager), rules)
    all_pairs = [(m, e) for m in range(len(mentor_people)) for e in range(len(mentee_people))]
    forbidden = [p for p in all_pairs if rng.random() < 0.15]
    prog.rules = replace(rules, forbidden=tuple(_ids(prog, p) for p in forbidden))
    locks, used, locked_mentees = [], [0] * len(mentor_people), set()
    if draw(st.booleans()):
        for k in rng.permutation(len(all_pairs)).tolist():
            m, e = all_pairs[k]
            if (
                rng.random() < 0.3
                and e not in locked_mentees
                and used[m] < capacity[m]
                and ref_allowed(prog, e, m)
            ):
                locks.append(_ids(prog, (m, e)))
                used[m] += 1
                locked_mentees.add(e)
    prog.rules = replace(prog.rules, locked=tuple(locks))
    return prog


def _ids(prog: Program, pair: tuple[int, int]) -> tuple[int, int]:
    m, e = pair
    return int(prog.mentors.ids[m]), int(prog.mentees.ids[e])


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(programs())
def test_it_never_breaks_a_hard_rule_a_capacity_or_a_lock(prog):
    result = match(prog.mentors, prog.mentees, prog.org, prog.rules)
    mentor_pos = {int(x): i for i, x in enumerate(prog.mentors.ids)}
    mentee_pos = {int(x): i for i, x in enumerate(prog.mentees.ids)}
    if not mentor_pos or not mentee_pos:
        assert result == MatchResult(pairs=[], unmatched=[], objective=0.0)
        return

    mentee_ids = [p.mentee_id for p in result.pairs]
    assert len(mentee_ids) == len(set(mentee_ids)), "a mentee was matched twice"
    load: dict[int, int] = {}
    for pair in result.pairs:
        m, e = mentor_pos[pair.mentor_id], mentee_pos[pair.mentee_id]
        assert ref_allowed(prog, e, m), f"hard rule broken by {pair}"
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
        assert pair.score == pytest.approx(ref_score(prog, e, m), abs=1e-9)
        assert sum(pair.parts.values()) == pytest.approx(pair.score, abs=1e-9)
        assert pair.locked == ((pair.mentor_id, pair.mentee_id) in set(prog.rules.locked))
        assert pair.explanation.endswith(".")
        assert not re.search(r"\b(he|she|him|her|his|hers)\b", pair.explanation, re.I)
    for mentor_id, count in load.items():
        assert count <= prog.mentors.capacity[mentor_pos[mentor_id]]
    assert set(prog.rules.locked) <= pairs_of(result), "a locked pair was dropped"

    # Everybody is either paired or listed as unmatched, once, with a reason.
    unmatched_mentees = [u.id for u in result.unmatched if u.side == "mentee"]
    assert sorted(unmatched_mentees + mentee_ids) == sorted(mentee_pos)
    unmatched_mentors = {u.id for u in result.unmatched if u.side == "mentor"}
    assert unmatched_mentors == set(mentor_pos) - set(load)
    assert all(u.reason for u in result.unmatched)

    penalty = prog.rules.weights.load * sum(c * (c - 1) / 2 for c in load.values())
    assert result.objective == pytest.approx(sum(p.score for p in result.pairs) - penalty, abs=1e-9)


@PROPERTY_SETTINGS
@given(programs())
def test_its_vectorised_scores_and_rules_agree_with_the_slow_reference(prog):
    problem = build_problem(prog.mentors, prog.mentees, prog.org, prog.rules)
    n_e, n_m = len(prog.mentees.ids), len(prog.mentors.ids)
    assert problem.feasible.shape == problem.score.shape == (n_e, n_m)
    for e in range(n_e):
        for m in range(n_m):
            assert problem.feasible[e, m] == ref_allowed(prog, e, m), (e, m)
            assert problem.score[e, m] == pytest.approx(ref_score(prog, e, m), abs=1e-6)


@settings(max_examples=120, deadline=None, database=None)
@given(programs(max_mentors=7, max_mentees=7, max_capacity=2, min_side=3))
def test_it_finds_the_same_optimum_as_brute_force_on_small_programs(prog):
    result = match(prog.mentors, prog.mentees, prog.org, prog.rules)
    if len(prog.mentors.ids) == 0 or len(prog.mentees.ids) == 0:
        return
    count, value = brute_force(prog)
    assert len(result.pairs) == count, "it must match as many mentees as possible first"
    assert result.objective == pytest.approx(value, abs=1e-5)


# --------------------------------------------------------------------------------------
# Reporting lines
# --------------------------------------------------------------------------------------


def chain(depth: int, extra: int = 0) -> np.ndarray:
    """Person i reports to person i - 1; ``extra`` more people are left unattached."""
    manager = np.arange(-1, depth - 1, dtype=np.int64)
    return np.concatenate([manager, np.full(extra, -1, dtype=np.int64)])


def test_reporting_intervals_cope_with_a_10000_deep_chain():
    tin, tout = reporting_intervals(chain(10_000))
    assert (tin == np.arange(10_000)).all()
    assert (tout == 9_999).all()


@pytest.mark.parametrize("mentor_on_top", [False, True], ids=["mentee_on_top", "mentor_on_top"])
def test_the_top_and_bottom_of_a_5000_deep_chain_can_never_pair(mentor_on_top):
    top, bottom = 0, 4_999
    mentor_person, mentee_person = (top, bottom) if mentor_on_top else (bottom, top)
    mentors = make_side([{"id": 1, "person": mentor_person, "level": 1, "capacity": 3}])
    mentees = make_side([{"id": 2, "person": mentee_person, "level": 9}])
    result = match(mentors, mentees, Org(manager=chain(5_000)), Rules(topic_names=TOPICS))
    assert result.pairs == []
    assert reasons_of(result)[("mentee", 2)] == "no eligible mentor (reporting line)"
    assert reasons_of(result)[("mentor", 1)] == "no eligible mentee (reporting line)"


def test_two_siblings_under_a_5000_deep_chain_can_pair():
    manager = np.concatenate([chain(5_000), [4_999, 4_999]])  # 5000 and 5001 share a boss
    mentors = make_side([{"id": 1, "person": 5_000, "level": 1}])
    mentees = make_side([{"id": 2, "person": 5_001, "level": 9}])
    result = match(mentors, mentees, Org(manager=manager), Rules(topic_names=TOPICS))
    assert pairs_of(result) == {(1, 2)}


def test_it_never_pairs_someone_with_their_skip_level_manager():
    # 0 manages 1 manages 2; the mentor is 2 (junior), the mentee 0 (their skip-level).
    manager = np.array([-1, 0, 1])
    mentors = make_side([{"id": 1, "person": 2, "level": 1}])
    mentees = make_side([{"id": 2, "person": 0, "level": 7}])
    result = match(mentors, mentees, Org(manager=manager), Rules(topic_names=TOPICS))
    assert result.pairs == []

    allowed = Rules(topic_names=TOPICS, forbid_reporting_line=False)
    assert pairs_of(match(mentors, mentees, Org(manager=manager), allowed)) == {(1, 2)}


def test_it_never_pairs_a_mentee_with_a_mentor_who_sits_above_them():
    # Odd but possible data: the mentor has a lower grade yet manages the mentee's manager.
    manager = np.array([-1, 0, 1])
    mentors = make_side([{"id": 1, "person": 0, "level": 1}])
    mentees = make_side([{"id": 2, "person": 2, "level": 7}])
    assert match(mentors, mentees, Org(manager=manager), Rules(topic_names=TOPICS)).pairs == []


def test_it_never_pairs_a_person_with_themselves():
    mentors = make_side([{"id": 1, "person": 0, "level": 3}])
    mentees = make_side([{"id": 2, "person": 0, "level": 3}])
    rules = Rules(topic_names=TOPICS, min_level_gap=0)
    result = match(mentors, mentees, flat_org(1), rules)
    assert result.pairs == []
    assert reasons_of(result)[("mentee", 2)] == "no eligible mentor (same person)"


@pytest.mark.parametrize(
    "manager",
    [[1, 2, 0], [0], [-1, 0, 3, 2]],
    ids=["three_cycle", "own_manager", "cycle_beside_a_tree"],
)
def test_a_manager_cycle_is_rejected_instead_of_hanging(manager):
    with pytest.raises(ValueError, match="cycle"):
        reporting_intervals(np.array(manager))
    mentors = make_side([{"id": 1, "person": 0}])
    mentees = make_side([{"id": 2, "person": 0}])
    with pytest.raises(ValueError, match="cycle"):
        match(mentors, mentees, Org(manager=np.array(manager)), Rules(topic_names=TOPICS))


# --------------------------------------------------------------------------------------
# Explanations and reasons
# --------------------------------------------------------------------------------------

AISHA = {
    "id": 11,
    "name": "Aisha Rahman",
    "person": 0,
    "level": 3,
    "department": 1,
    "teach": {"social media": 1.0, "AI": 0.8},
    "learn": {"budgeting": 1.0, "stakeholder management": 0.75},
    "hours": range(9, 17),
    "languages": [0],
}
ROBERT = {
    "id": 21,
    "name": "Robert Whitfield",
    "person": 1,
    "level": 11,
    "department": 2,
    "teach": {"stakeholder management": 1.0},
    "learn": {"social media": 1.0, "AI": 0.6},
    "hours": range(12, 20),
    "languages": [0, 1],
}


def test_a_pair_is_explained_in_plain_words():
    rules = Rules(topic_names=TOPICS, language_names=LANGUAGES)
    result = match(make_side([AISHA]), make_side([ROBERT]), flat_org(2), rules)
    (pair,) = result.pairs
    assert pair.explanation == (
        "Aisha can teach Robert social media, which Robert ranked first, and AI; "
        "Robert can teach Aisha stakeholder management; different departments; "
        "5 hours of overlapping availability; both speak English."
    )
    assert pair.parts == pytest.approx(
        {
            "mentor_teaches": 3.0 * (1.0 * 1.0 + 0.8 * 0.6) / 1.6,
            "mentee_teaches": 2.0 * (1.0 * 0.75) / 1.75,
            "cross_department": 1.0,
            "availability": 1.5 * 5 / 8,
            "timezone": 0.5,
            "language": 1.0,
        }
    )
    assert pair.score == pytest.approx(sum(pair.parts.values()))
    assert result.objective == pytest.approx(pair.score)
    assert result.unmatched == []


def test_a_locked_pair_with_little_in_common_says_so():
    mentor = {
        "id": 11,
        "name": "Sam Lee",
        "person": 0,
        "level": 2,
        "department": 4,
        "teach": dict.fromkeys(TOPICS[:4], 1.0),
        "offset": 1.0,
        "languages": [1],
    }
    mentee = {
        "id": 21,
        "name": "Jordan Diaz",
        "person": 1,
        "level": 9,
        "department": 4,
        "learn": {
            "AI": 0.5,
            "social media": 0.5,
            "budgeting": 0.25,
            "negotiation": 1.0,
            "stakeholder management": 0.25,
        },
        "offset": -2.0,
        "languages": [0],
    }
    rules = Rules(topic_names=TOPICS, language_names=LANGUAGES, locked=((11, 21),))
    (pair,) = match(make_side([mentor]), make_side([mentee]), flat_org(2), rules).pairs
    assert pair.locked
    assert pair.explanation == (
        "Locked by HR. Sam can teach Jordan social media, AI, stakeholder management and 1 more "
        "topic; "
        "no overlapping availability; time zones 3 hours apart; no shared language."
    )


def test_unmatched_people_get_a_reason():
    mentors = make_side(
        [
            {"id": 1, "person": 0, "level": 2, "capacity": 1},  # popular
            {"id": 2, "person": 1, "level": 8, "capacity": 1},  # too senior for anyone
        ]
    )
    mentees = make_side(
        [
            {"id": 10, "person": 2, "level": 6},
            {"id": 11, "person": 3, "level": 6},
            {"id": 12, "person": 4, "level": 2},  # nobody is junior enough to mentor them
            {"id": 13, "person": 5, "level": 6},  # HR excluded the only junior mentor
        ]
    )
    rules = Rules(topic_names=TOPICS, forbidden=((1, 13),))
    result = match(mentors, mentees, flat_org(6), rules)
    reasons = reasons_of(result)
    assert len(result.pairs) == 1
    (loser,) = {10, 11} - {p.mentee_id for p in result.pairs}
    assert reasons[("mentee", loser)] == "all eligible mentors are at capacity"
    assert reasons[("mentee", 12)] == "no eligible mentor (level gap)"
    # Each of the two mentors is kept away by a different rule: both are named.
    assert reasons[("mentee", 13)] == "no eligible mentor (level gap, excluded by HR)"
    assert reasons[("mentor", 2)] == "no eligible mentee (level gap)"
    assert ("mentor", 1) not in reasons


def test_an_idle_mentor_is_told_others_were_a_better_fit():
    mentors = make_side(
        [
            {"id": 1, "person": 0, "level": 1, "teach": {"AI": 1.0}},
            {"id": 2, "person": 1, "level": 1},
        ]
    )
    mentees = make_side([{"id": 10, "person": 2, "level": 5, "learn": {"AI": 1.0}}])
    result = match(mentors, mentees, flat_org(3), Rules(topic_names=TOPICS))
    assert pairs_of(result) == {(1, 10)}
    assert reasons_of(result) == {
        ("mentor", 2): "no mentee was a better fit than other mentors' matches"
    }


def test_a_mentor_whose_only_candidates_are_locked_elsewhere_is_told_so():
    mentors = make_side([{"id": 1, "person": 0, "level": 1}, {"id": 2, "person": 1, "level": 1}])
    mentees = make_side([{"id": 10, "person": 2, "level": 5}])
    rules = Rules(topic_names=TOPICS, locked=((2, 10),))
    result = match(mentors, mentees, flat_org(3), rules)
    assert pairs_of(result) == {(2, 10)}
    assert reasons_of(result) == {("mentor", 1): "all eligible mentees are locked to other mentors"}


# --------------------------------------------------------------------------------------
# Objective: matches first, then score, with load balance
# --------------------------------------------------------------------------------------


def test_two_mentors_with_room_for_two_share_two_equally_good_mentees():
    mentor = {"level": 1, "capacity": 2, "teach": {"AI": 1.0}}
    mentee = {"level": 5, "learn": {"AI": 1.0}}
    mentors = make_side([{**mentor, "id": 1, "person": 0}, {**mentor, "id": 2, "person": 1}])
    mentees = make_side([{**mentee, "id": 10, "person": 2}, {**mentee, "id": 11, "person": 3}])
    result = match(mentors, mentees, flat_org(4), Rules(topic_names=TOPICS))
    assert sorted(p.mentor_id for p in result.pairs) == [1, 2]


def test_each_extra_mentee_of_one_mentor_costs_more_than_the_last():
    mentors = make_side([{"id": 1, "person": 0, "level": 1, "capacity": 3}])
    mentees = make_side([{"id": 10 + i, "person": 1 + i, "level": 5} for i in range(3)])
    rules = Rules(topic_names=TOPICS, weights=Weights(load=0.75))
    result = match(mentors, mentees, flat_org(4), rules)
    assert len(result.pairs) == 3
    assert result.objective == pytest.approx(sum(p.score for p in result.pairs) - 0.75 * 3)


def test_a_mentor_already_holding_a_locked_mentee_counts_it_towards_load_balance():
    # Mentor 1 shares one hour with mentee 11 (+0.1875), but a second mentee would cost
    # mentor 1 the load penalty (0.5) because the locked mentee already fills slot 0.
    mentors = make_side(
        [
            {"id": 1, "person": 0, "level": 1, "capacity": 2, "hours": [5]},
            {"id": 2, "person": 1, "level": 1, "capacity": 2},
        ]
    )
    mentees = make_side(
        [
            {"id": 10, "person": 2, "level": 5},
            {"id": 11, "person": 3, "level": 5, "hours": [5]},
        ]
    )
    rules = Rules(topic_names=TOPICS, locked=((1, 10),))
    result = match(mentors, mentees, flat_org(4), rules)
    assert pairs_of(result) == {(1, 10), (2, 11)}


def test_it_matches_as_many_mentees_as_possible_before_chasing_score():
    # Only topics count here.  Taking the two perfect pairs (a-X, b-Y, 3 points each) would
    # leave c without anyone; matching all three means shifting everyone along an augmenting
    # path to pairs worth 0.  A penalty of "just more than the best pair score" (3) would
    # prefer 6 - 3 > 0; the engine must still match all three.
    topics_only = Weights(
        mentor_teaches=3.0,
        mentee_teaches=0.0,
        cross_department=0.0,
        availability=0.0,
        timezone=0.0,
        language=0.0,
        load=0.0,
    )
    mentors = make_side(
        [
            {"id": 1, "person": 0, "level": 1, "teach": {"AI": 1.0}},  # X
            {"id": 2, "person": 1, "level": 1, "teach": {"budgeting": 1.0}},  # Y
            {"id": 3, "person": 2, "level": 1},  # Z
        ]
    )
    mentees = make_side(
        [
            {"id": 10, "person": 3, "level": 5, "learn": {"AI": 1.0}},  # a
            {"id": 11, "person": 4, "level": 5, "learn": {"budgeting": 1.0}},  # b
            {"id": 12, "person": 5, "level": 5},  # c
        ]
    )
    forbidden = ((2, 12), (3, 12), (3, 10))  # c can only have X; a cannot have Z
    rules = Rules(topic_names=TOPICS, forbidden=forbidden, weights=topics_only)
    result = match(mentors, mentees, flat_org(6), rules)
    assert pairs_of(result) == {(1, 12), (2, 10), (3, 11)}
    assert result.objective == pytest.approx(0.0)


def test_locked_pairs_are_kept_even_when_another_mentor_would_score_higher():
    mentors = make_side(
        [
            {"id": 1, "person": 0, "level": 1, "teach": {"AI": 1.0}, "capacity": 2},
            {"id": 2, "person": 1, "level": 1},
        ]
    )
    mentees = make_side(
        [
            {"id": 10, "person": 2, "level": 5, "learn": {"AI": 1.0}},
            {"id": 11, "person": 3, "level": 5, "learn": {"AI": 1.0}},
        ]
    )
    rules = Rules(topic_names=TOPICS, locked=((2, 10),))
    result = match(mentors, mentees, flat_org(4), rules)
    assert pairs_of(result) == {(2, 10), (1, 11)}
    assert [p.locked for p in sorted(result.pairs, key=lambda p: p.mentee_id)] == [True, False]


@pytest.mark.parametrize(
    ("locked", "message"),
    [
        (((1, 11),), "level gap"),
        (((1, 10), (1, 12)), "capacity 1"),
        (((1, 10), (2, 10)), "locked to two mentors"),
        (((9, 10),), "unknown mentor"),
        (((1, 99),), "unknown mentee"),
        (((2, 12),), "excluded by HR"),
    ],
)
def test_an_impossible_lock_is_refused_with_a_clear_message(locked, message):
    mentors = make_side([{"id": 1, "person": 0, "level": 1}, {"id": 2, "person": 1, "level": 1}])
    mentees = make_side(
        [
            {"id": 10, "person": 2, "level": 5},
            {"id": 11, "person": 3, "level": 1},
            {"id": 12, "person": 4, "level": 5},
        ]
    )
    rules = Rules(topic_names=TOPICS, locked=locked, forbidden=((2, 12),))
    with pytest.raises(ValueError, match=message):
        match(mentors, mentees, flat_org(5), rules)


def test_empty_programs_give_an_empty_result():
    nobody = make_side([])
    somebody = make_side([{"id": 1, "person": 0}])
    empty = MatchResult(pairs=[], unmatched=[], objective=0.0)
    rules = Rules(topic_names=TOPICS)
    assert match(nobody, nobody, flat_org(1), rules) == empty
    assert match(nobody, somebody, flat_org(1), rules) == empty
    assert match(somebody, nobody, flat_org(1), rules) == empty


def test_build_and_solve_can_be_timed_separately_and_agree_with_match():
    mentors = make_side([AISHA])
    mentees = make_side([ROBERT])
    rules = Rules(topic_names=TOPICS, language_names=LANGUAGES)
    problem = build_problem(mentors, mentees, flat_org(2), rules)
    assert problem.cost.shape == (1, 1)  # one mentee row, one mentor slot, no dummy needed
    solution = solve(problem)
    assert solution.objective == pytest.approx(evaluate(problem, [0], [0]))
    same = match(mentors, mentees, flat_org(2), rules)
    assert solution.objective == pytest.approx(same.objective)


def test_it_agrees_with_a_two_stage_linear_program_on_a_medium_program():
    """Independent check without any "unassigned" penalty: an LP (HiGHS) first maximises the
    number of matches, then the score at that number of matches.  Bipartite matching
    polytopes (also with a fixed cardinality) are integral, so the LP value is the optimum."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    rng = np.random.default_rng(7)
    n_m, n_e, n_people = 40, 70, 130
    manager = np.array([rng.integers(-1, i) if i else -1 for i in range(n_people)])
    level = rng.integers(1, 8, n_people)

    def side(people: np.ndarray, first_id: int, capacity: np.ndarray | None) -> Side:
        n = len(people)
        return Side(
            ids=np.arange(first_id, first_id + n),
            names=[f"P{first_id + i}" for i in range(n)],
            person=people,
            level=level[people],
            department=rng.integers(-1, 4, n),
            teach=rng.random((n, 5)) * (rng.random((n, 5)) < 0.4),
            learn=rng.random((n, 5)) * (rng.random((n, 5)) < 0.4),
            utc_offset=rng.choice([-5.0, 0.0, 1.0, 5.5, 9.0], n),
            availability=rng.random((n, HOURS_PER_WEEK)) < 0.08,
            languages=rng.random((n, 2)) < 0.7,
            capacity=capacity,
        )

    people = rng.permutation(n_people)
    mentors = side(people[:n_m], 1, rng.integers(1, 4, n_m))
    mentees = side(people[n_m : n_m + n_e], 1001, None)
    problem = build_problem(mentors, mentees, Org(manager=manager), Rules(topic_names=TOPICS))
    result = match(mentors, mentees, Org(manager=manager), Rules(topic_names=TOPICS))

    # Variables: (mentee, mentor, slot k) for every feasible pair and every slot.
    load = Weights().load
    e_idx, m_idx = np.nonzero(problem.feasible)
    var_e, var_m, var_k = [], [], []
    for k in range(3):
        has = mentors.capacity[m_idx] > k
        var_e.append(e_idx[has])
        var_m.append(m_idx[has])
        var_k.append(np.full(int(has.sum()), k))
    var_e, var_m, var_k = map(np.concatenate, (var_e, var_m, var_k))
    n_var = len(var_e)
    slot_id = var_m * 3 + var_k
    rows = np.concatenate([var_e, n_e + slot_id])
    a_ub = coo_matrix(
        (np.ones(2 * n_var), (rows, np.tile(np.arange(n_var), 2))), shape=(n_e + 3 * n_m, n_var)
    ).tocsr()
    b_ub = np.ones(n_e + 3 * n_m)
    most = linprog(-np.ones(n_var), A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    count = round(-most.fun)
    value = problem.score[var_e, var_m] - load * var_k
    a_eq = np.ones((1, n_var))
    best = linprog(-value, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[count], bounds=(0, 1))
    assert len(result.pairs) == count
    assert result.objective == pytest.approx(-best.fun, abs=1e-6)
