"""The sparse, certified matching path (pairing.matching_sparse): no database needed.

Small programs are forced through the sparse path (``sparse_above=0``) and compared with the
dense assignment and the brute-force reference of test_matching.  The interesting cases are
those where keeping only each mentee's best candidates would be wrong: the certificate must
notice and add the pairs the optimum needs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from pairing import matching_sparse
from pairing.matching import Org, Rules, Weights, _prepare, build_auto, explain, match, solve_any
from tests.pairing.test_matching import (
    TOPICS,
    brute_force,
    flat_org,
    make_side,
    pairs_of,
    programs,
    ref_allowed,
)

DENSE = 10**12  # sparse_above for "always dense"

SPARSE_SETTINGS = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def dense_and_sparse(prog, k: int | None = None):
    """Solutions of the same program on both paths."""
    args = (prog.mentors, prog.mentees, prog.org, prog.rules)
    dense = build_auto(*args, sparse_above=DENSE)
    sparse = build_auto(*args, sparse_above=0, k=k)
    return dense, solve_any(dense), sparse, solve_any(sparse)


def prune_to_top(problem: matching_sparse.SparseProblem, k: int) -> matching_sparse.SparseProblem:
    """Plain top-k pruning by exact score: each row keeps its k best eligible mentors, and
    its bound is the (k+1)-th best score, exactly what a top-k heuristic would know."""
    rows_r, cols_j, bounds = [], [], []
    for r, e in enumerate(problem.rows.tolist()):
        w = int(problem.width[e])
        j = np.arange(w)
        ok = problem.context.allowed(np.full(w, e), problem.cols[j])
        j = j[ok]
        scores = problem.pair_scores(np.full(len(j), e), problem.cols[j])
        order = np.argsort(-scores, kind="stable")
        rows_r += [r] * min(k, len(j))
        cols_j += j[order[:k]].tolist()
        bounds.append(scores[order[k]] if len(j) > k else -np.inf)
    arc_row, arc_col = np.array(rows_r, dtype=np.int64), np.array(cols_j, dtype=np.int64)
    order = np.lexsort((arc_col, arc_row))
    return replace(problem, arc_row=arc_row[order], arc_col=arc_col[order], bound=np.array(bounds))


def star_program(n_mentees: int = 6):
    """Every mentee's favourite is the same star mentor, who has room for one mentee."""
    star = {"id": 1, "person": 0, "level": 1, "capacity": 1, "teach": {"AI": 1.0}, "hours": range(40)}
    others = [
        {"id": 2 + i, "person": 1 + i, "level": 1, "capacity": 1, "teach": {"AI": 0.1 * (i + 1)}}
        for i in range(n_mentees + 2)
    ]
    mentees = [
        {"id": 100 + i, "person": 50 + i, "level": 6, "learn": {"AI": 1.0}, "hours": range(40)}
        for i in range(n_mentees)
    ]
    return make_side([star, *others]), make_side(mentees), flat_org(60)


def test_many_mentees_competing_for_one_star_mentor_are_all_matched_through_the_certificate():
    mentors, mentees, org = star_program()
    rules = Rules(topic_names=TOPICS)
    problem = prune_to_top(build_auto(mentors, mentees, org, rules, sparse_above=0), k=1)
    assert set(problem.cols[problem.arc_col].tolist()) == {0}, "top-1 keeps only the star"

    solution = solve_any(problem)
    dense = solve_any(build_auto(mentors, mentees, org, rules, sparse_above=DENSE))
    assert solution.certificate.certified
    assert solution.certificate.added > 0 and solution.certificate.rounds >= 2
    assert len(solution.mentee) == len(dense.mentee) == 6  # top-1 alone would match one
    assert solution.objective == pytest.approx(dense.objective, abs=1e-6)
    used = set(zip(solution.mentee.tolist(), solution.mentor.tolist(), strict=True))
    arcs = (problem.rows[problem.arc_row].tolist(), problem.cols[problem.arc_col].tolist())
    initial = set(zip(*arcs, strict=True))
    assert used - initial, "the optimum needs pairs that pruning dropped"


def test_the_certificate_fixes_a_top_k_graph_that_matches_everyone_at_a_worse_score():
    # Both mentees like X best (capacity 1).  A's runner-up Y is nearly as good; B's only
    # other option Z is poor.  Top-1 gives X to one of them and the other nothing; top-2 on
    # the "obvious" graph is what the certificate must reach: B-X, A-Y.
    topics_only = Weights(
        mentor_teaches=3.0, mentee_teaches=0.0, cross_department=0.0, availability=0.0,
        timezone=0.0, language=0.0, load=0.0,
    )  # fmt: skip
    mentors = make_side(
        [
            {"id": 1, "person": 0, "level": 1, "teach": {"AI": 1.0, "budgeting": 1.0}},  # X
            {"id": 2, "person": 1, "level": 1, "teach": {"AI": 0.9}},  # Y
            {"id": 3, "person": 2, "level": 1, "teach": {"budgeting": 0.2}},  # Z
        ]
    )
    mentees = make_side(
        [
            {"id": 10, "person": 3, "level": 5, "learn": {"AI": 1.0}},  # A
            {"id": 11, "person": 4, "level": 5, "learn": {"budgeting": 1.0}},  # B
        ]
    )
    rules = Rules(topic_names=TOPICS, weights=topics_only)
    problem = prune_to_top(build_auto(mentors, mentees, flat_org(5), rules, sparse_above=0), k=1)
    solution = solve_any(problem)
    assert solution.certificate.certified and solution.certificate.added > 0
    result = explain(problem, solution)
    assert pairs_of(result) == {(1, 11), (2, 10)}
    assert result.objective == pytest.approx(3.0 + 2.7)


@SPARSE_SETTINGS
@given(programs(max_mentors=7, max_mentees=7, max_capacity=2, min_side=3))
def test_the_sparse_path_reaches_the_brute_force_optimum_even_from_top_1_pruning(prog):
    count, value = brute_force(prog)
    args = (prog.mentors, prog.mentees, prog.org, prog.rules)
    for k in (1, 3):
        problem = build_auto(*args, sparse_above=0, k=k)
        for candidate in (problem, prune_to_top(problem, k)):
            solution = solve_any(candidate)
            assert solution.certificate.certified
            assert len(solution.mentee) == count, "as many mentees as possible first"
            assert solution.objective == pytest.approx(value, abs=1e-5)


@SPARSE_SETTINGS
@given(programs())
def test_sparse_and_dense_agree_and_the_sparse_result_keeps_every_rule_and_lock(prog):
    args = (prog.mentors, prog.mentees, prog.org, prog.rules)
    sparse = match(*args, sparse_above=0)
    dense = match(*args, sparse_above=DENSE)
    assert len(sparse.pairs) == len(dense.pairs)
    assert sparse.objective == pytest.approx(dense.objective, abs=1e-6)
    assert set(prog.rules.locked) <= pairs_of(sparse), "a locked pair was dropped"
    mentor_pos = {int(x): i for i, x in enumerate(prog.mentors.ids)}
    mentee_pos = {int(x): i for i, x in enumerate(prog.mentees.ids)}
    load: dict[int, int] = {}
    for pair in sparse.pairs:
        assert ref_allowed(prog, mentee_pos[pair.mentee_id], mentor_pos[pair.mentor_id]), pair
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
    for mentor_id, n in load.items():
        assert n <= prog.mentors.capacity[mentor_pos[mentor_id]]
    if pairs_of(sparse) == pairs_of(dense):  # same pairs: same words for everyone else
        assert sorted(sparse.unmatched, key=repr) == sorted(dense.unmatched, key=repr)
        assert [p.explanation for p in sorted(sparse.pairs, key=repr)] == [
            p.explanation for p in sorted(dense.pairs, key=repr)
        ]


def medium_program(seed: int, n_m: int = 120, n_e: int = 150):
    rng = np.random.default_rng(seed)
    n_people = n_m + n_e + 30
    manager = np.array([rng.integers(-1, i) if i else -1 for i in range(n_people)])
    level = rng.integers(1, 8, n_people)
    people = rng.permutation(n_people)

    def side(who: np.ndarray, first_id: int, capacity):
        n = len(who)
        return make_side(
            [
                {
                    "id": first_id + i,
                    "person": int(who[i]),
                    "level": int(level[who[i]]),
                    "department": int(rng.integers(-1, 4)),
                    "teach": {t: float(rng.random()) for t in TOPICS if rng.random() < 0.4},
                    "learn": {t: float(rng.random()) for t in TOPICS if rng.random() < 0.4},
                    "hours": np.flatnonzero(rng.random(168) < 0.08).tolist(),
                    "offset": float(rng.choice([-5.0, 0.0, 1.0, 5.5])),
                    "languages": [0] if rng.random() < 0.8 else [1],
                    "capacity": int(capacity[i]) if capacity is not None else 1,
                }
                for i in range(n)
            ]
        )

    mentors = side(people[:n_m], 1, rng.integers(1, 4, n_m))
    mentees = side(people[n_m : n_m + n_e], 1001, None)
    return mentors, mentees, manager, rng


@pytest.mark.parametrize("same_department", [False, True], ids=["any_department", "other_department"])
def test_a_medium_program_with_locks_and_exclusions_matches_the_dense_optimum(same_department):
    mentors, mentees, manager, rng = medium_program(3)
    org = Org(manager=manager)
    base = Rules(topic_names=TOPICS, forbid_same_department=same_department)
    prep = _prepare(mentors, mentees, org, base)
    ok = prep.context.allowed(np.arange(len(mentees.ids))[:, None], np.arange(len(mentors.ids))[None, :])
    e_ok, m_ok = np.nonzero(ok)
    pick = rng.permutation(len(e_ok))
    locked, taken_e, used = [], set(), {}
    for i in pick[:400].tolist():
        e, m = int(e_ok[i]), int(m_ok[i])
        if e not in taken_e and used.get(m, 0) < mentors.capacity[m] and len(locked) < 12:
            locked.append((int(mentors.ids[m]), int(mentees.ids[e])))
            taken_e.add(e)
            used[m] = used.get(m, 0) + 1
    forbidden = [(int(mentors.ids[m_ok[i]]), int(mentees.ids[e_ok[i]])) for i in pick[400:700]]
    rules = replace(base, locked=tuple(locked), forbidden=tuple(forbidden))
    seen: list[tuple[str, int, int]] = []
    sparse = match(mentors, mentees, org, rules, sparse_above=0, progress=lambda *a: seen.append(a))
    dense = match(mentors, mentees, org, rules, sparse_above=DENSE)
    assert len(sparse.pairs) == len(dense.pairs)
    assert sparse.objective == pytest.approx(dense.objective, abs=1e-6)
    assert set(locked) <= pairs_of(sparse)
    assert not set(forbidden) & pairs_of(sparse)
    prep_ok = {(int(mentors.ids[m]), int(mentees.ids[e])) for e, m in zip(e_ok, m_ok, strict=True)}
    assert pairs_of(sparse) <= prep_ok
    stages = [s for s, _, _ in seen]
    assert stages[0] == "scoring" and "solving" in stages and stages[-1] == "explaining"
    assert all(0 <= done <= total for _, done, total in seen)


def test_the_certificate_reports_its_scale_and_rounding_bound():
    mentors, mentees, org = star_program()
    problem = build_auto(mentors, mentees, org, Rules(topic_names=TOPICS), sparse_above=0)
    solution = solve_any(problem)
    cert = solution.certificate
    assert cert.certified and cert.scale >= 2**20
    assert cert.rounding_bound == pytest.approx(2 * 6 / cert.scale)
    assert cert.arcs >= len(solution.mentee)


@pytest.mark.parametrize("sparse_above", [0, DENSE], ids=["sparse", "dense"])
def test_a_negative_availability_weight_is_capped_at_eight_hours_on_both_paths(sparse_above):
    # Found by comparing the paths: the dense scorer capped shared hours from the wrong side
    # when the availability weight was negative (the app only allows 0-10, the engine any
    # finite weight): X's 16 hours cost it 3.0 instead of 1.5, so it preferred Y.
    weights = Weights(
        mentor_teaches=3.0, mentee_teaches=0.0, cross_department=0.0, availability=-1.5,
        timezone=0.0, language=0.0, load=0.0,
    )  # fmt: skip
    mentors = make_side(
        [
            {"id": 1, "person": 0, "level": 1, "teach": {"AI": 1.0}, "hours": range(16)},  # X: 1.5
            {"id": 2, "person": 1, "level": 1, "teach": {"AI": 0.9}, "hours": range(8)},  # Y: 1.2
        ]
    )
    mentees = make_side([{"id": 10, "person": 2, "level": 5, "learn": {"AI": 1.0}, "hours": range(16)}])
    rules = Rules(topic_names=TOPICS, weights=weights)
    result = match(mentors, mentees, flat_org(3), rules, sparse_above=sparse_above)
    assert pairs_of(result) == {(1, 10)}
    assert result.objective == pytest.approx(1.5)
