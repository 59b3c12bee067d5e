"""Exact matching at enterprise scale, part 2: min-cost flow and the optimality certificate.

The candidate graph, and each mentee's ``bound`` on the pairs it dropped, come from
:mod:`pairing.matching_sparse`.

1. **Flow** (:func:`solve_sparse`).  source -> mentee (1) -> candidate mentor (1, cost
   ``-score``) -> one arc per free slot of that mentor (1, cost ``load * rank``; locks fill the
   first ranks) -> sink, solved by OR-Tools' maximum flow with minimum cost.
2. **Certificate**.  The dense path's objective is "cost + penalty * unmatched" with the penalty
   of :func:`pairing.matching._unassigned_penalty`.  From the optimal flow we compute node
   potentials (shortest distances to the sink in the residual graph, Bellman-Ford on the
   bipartite structure) and check, in integers, that every residual arc of the graph has a
   non-negative reduced cost, *and* that every pruned pair does:
   ``score(e, m) <= g(m) - g(e)``.  For a pruned pair the row's bound is enough when
   ``bound_e <= min_m g(m) - g(e)`` (min over the mentee's eligible mentors); the few mentees
   where it is not are rescored against every mentor, and the pairs that really violate the
   condition are added to the graph, which is solved again, until no pair does.  Reduced-cost
   optimality over all pairs proves the flow optimal for the whole problem.
3. **Integers**.  Scores and load penalties are scaled by ``S = 2**bits`` and rounded
   (``bits`` as large as int64 allows for OR-Tools and the potentials, at most 30).  The
   certificate is exact for the scaled problem; every pair and slot cost moves by at most
   ``0.5 / S`` in rounding, so the returned objective is within ``2 * matched / S`` of the
   float optimum (``rounding_bound``; about 2e-5 at 12,000 matched mentees).  Pairs whose
   float scores differ by less than that are ties for every practical purpose.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from ortools.graph.python import min_cost_flow

from pairing.matching import Solution, evaluate
from pairing.matching_sparse import BLOCK_CELLS, Progress, SparseProblem, _map_blocks, _report

SCALE_BITS = 30
INF = np.int64(1) << np.int64(62)
INSURANCE = 0.25  # a rescored row also gets every pair this close (in score) to its limit
RESCORE_CAP = 64  # ... but at most this many, plus at most this many violators


@dataclass(frozen=True)
class Certificate:
    """How optimality over the whole problem was shown."""

    certified: bool  # every pruned pair has a non-negative reduced cost
    rounds: int  # flow solves
    arcs: int  # candidate pairs in the final graph
    added: int  # pairs the certificate had to add
    rows_rescored: int  # mentees whose pruned pairs were checked one by one
    scale: int  # S: scores were multiplied by this and rounded
    rounding_bound: float  # the float objective is within this of the float optimum


# --------------------------------------------------------------------------------------
# Flow, potentials, certificate
# --------------------------------------------------------------------------------------


def _scale(problem: SparseProblem) -> int:
    """The largest power of two (<= 2**30) keeping OR-Tools' and our int64 sums safe."""
    w = problem.rules.weights
    max_rank = int((problem.n_locks + problem.remaining).max(initial=1))
    biggest = sum(abs(x) for x in w.criteria().values()) + w.load * max_rank + 1.0
    n_nodes = len(problem.rows) + len(problem.cols) + 2
    # OR-Tools multiplies costs by (nodes + 1); a potential sums the penalty and <= nodes arcs.
    worst = (n_nodes + 1) * biggest + problem.penalty
    bits = int(math.floor(math.log2(2.0**61 / worst)))
    if bits < 8:
        raise ValueError("the problem is too large to scale its scores to 64-bit integers")
    return 1 << min(SCALE_BITS, bits)


def _slot_cost(problem: SparseProblem, scale: int, col: np.ndarray, rank: np.ndarray) -> np.ndarray:
    load = problem.rules.weights.load
    return np.rint(scale * load * (problem.n_locks[problem.cols[col]] + rank)).astype(np.int64)


def _flow(
    n_rows: int,
    n_cols: int,
    arc_row: np.ndarray,
    arc_col: np.ndarray,
    sigma: np.ndarray,
    slots: np.ndarray,
    slot_cost: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """Maximum matching of minimum cost on the candidate graph; returns the matched arcs."""
    indeg = np.bincount(arc_col, minlength=n_cols)
    n_slot = np.minimum(slots, indeg)
    slot_col = np.repeat(np.arange(n_cols), n_slot)
    slot_rank = np.arange(len(slot_col)) - np.repeat(np.cumsum(n_slot) - n_slot, n_slot)
    first_row, first_col = 2, 2 + n_rows
    tails = np.concatenate([np.zeros(n_rows, np.int64), first_row + arc_row, first_col + slot_col])
    heads = np.concatenate(
        [first_row + np.arange(n_rows), first_col + arc_col, np.ones(len(slot_col), np.int64)]
    )
    costs = np.concatenate([np.zeros(n_rows, np.int64), -sigma, slot_cost(slot_col, slot_rank)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, np.ones(len(tails), np.int64), costs)
    smcf.set_nodes_supplies(np.array([0, 1]), np.array([n_rows, -n_rows]))
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return smcf.flows(arcs[n_rows : n_rows + len(arc_row)]) > 0


@dataclass
class _Duals:
    g_row: np.ndarray  # distance from each mentee row to the sink in the residual graph
    g_col: np.ndarray  # same for each mentor
    ok: bool  # every residual arc of the graph has a non-negative reduced cost


def _potentials(
    problem: SparseProblem, scale: int, sigma: np.ndarray, matched: np.ndarray, penalty: int
) -> _Duals:
    """Shortest distances to the sink in the residual graph (Bellman-Ford, vectorised).

    Residual arcs: row -> col for unmatched candidates (``-sigma``), col -> row for matched ones
    (``+sigma``), col -> sink for a free slot (its load cost), sink -> col for a used one,
    row -> sink (``penalty``) when the row is matched, sink -> row when it is not.  With
    potentials ``p = -g`` the reduced cost of ``a -> b`` is ``c - g(a) + g(b)``.
    """
    n_rows, n_cols = len(problem.rows), len(problem.cols)
    arc_row, arc_col = problem.arc_row, problem.arc_col
    used = np.bincount(arc_col[matched], minlength=n_cols)
    slots = problem.remaining[problem.cols]
    all_cols = np.arange(n_cols)
    free_cost = np.where(used < slots, _slot_cost(problem, scale, all_cols, used), INF)
    last_cost = _slot_cost(problem, scale, all_cols, used - 1)
    row_matched = np.zeros(n_rows, dtype=np.bool_)
    row_matched[arc_row[matched]] = True
    row_base = np.where(row_matched, np.int64(penalty), INF)
    starts = np.searchsorted(arc_row, np.arange(n_rows))
    m_rows, m_cols, m_sigma = arc_row[matched], arc_col[matched], sigma[matched]

    g_row, g_col = row_base.copy(), free_cost.copy()
    for _ in range(n_rows + n_cols + 2):
        val = np.where(matched, INF, g_col[arc_col] - sigma)
        new_row = np.minimum(row_base, np.minimum.reduceat(val, starts)) if n_rows else row_base
        new_col = free_cost.copy()
        np.minimum.at(new_col, m_cols, m_sigma + new_row[m_rows])
        np.minimum(new_row, INF, out=new_row)
        np.minimum(new_col, INF, out=new_col)
        if np.array_equal(new_row, g_row) and np.array_equal(new_col, g_col):
            break
        g_row, g_col = new_row, new_col
    else:
        return _Duals(g_row=g_row, g_col=g_col, ok=False)  # a negative cycle: not optimal

    unmatched = ~matched
    ok = (
        bool((g_col[arc_col[unmatched]] - sigma[unmatched] - g_row[arc_row[unmatched]] >= 0).all())
        and bool((m_sigma - g_col[m_cols] + g_row[m_rows] >= 0).all())
        and bool((free_cost - g_col >= 0).all())
        and bool((g_col[used > 0] - last_cost[used > 0] >= 0).all())
        and bool((penalty - g_row[row_matched] >= 0).all())
        and bool((g_row[~row_matched] - penalty >= 0).all())
    )
    return _Duals(g_row=g_row, g_col=g_col, ok=ok)


@dataclass
class _Check:
    """What one certificate pass found."""

    violations: int  # pruned pairs with a negative reduced cost
    rows_rescored: int
    add_row: np.ndarray  # pairs to add to the graph (violators and the rows' best others)
    add_col: np.ndarray
    bound_rows: np.ndarray  # rows whose pruned bound is now tighter
    bound: np.ndarray


def _top_per_row(rows: np.ndarray, key: np.ndarray, cap: int) -> np.ndarray:
    """Indices of the ``cap`` largest ``key`` of each row (rows need not be sorted)."""
    order = np.lexsort((-key, rows))
    first = np.searchsorted(rows[order], rows[order], side="left")
    return order[(np.arange(len(order)) - first) < cap]


def _check(
    problem: SparseProblem,
    bound: np.ndarray,
    scale: int,
    duals: _Duals,
    progress: Progress | None,
) -> _Check:
    """Reduced costs of the pruned pairs: cheaply from each row's bound, else one by one.

    A row whose bound is not enough is rescored against all its eligible mentors.  Besides
    the pairs that violate the condition, it then gets its best other pairs (those within
    ``INSURANCE`` of its limit, at most ``RESCORE_CAP``) and a bound from the best pair it
    still leaves out, so that the next round usually clears it without rescoring again.
    """
    n_rows = len(problem.rows)
    empty = np.zeros(0, dtype=np.int64)
    nothing = _Check(0, 0, empty, empty, empty, np.zeros(0))
    if n_rows == 0:
        return nothing
    width_row = problem.width[problem.rows]
    floor_g = np.minimum.accumulate(duals.g_col)[width_row - 1]  # min g over eligible mentors
    limit = floor_g - duals.g_row  # a pruned pair is fine when its scaled score <= this
    with np.errstate(over="ignore", invalid="ignore"):
        tau = np.where(np.isfinite(bound), np.rint(bound * scale), -float(INF))
    suspects = np.flatnonzero(tau > limit.astype(np.float64))
    if len(suspects) == 0:
        return nothing

    scorer = problem.scorer
    eps_int = math.ceil(scorer.eps * scale) + 2
    suspects = suspects[np.lexsort((scorer.key_e[problem.rows[suspects]], width_row[suspects]))]
    starts = np.searchsorted(problem.arc_row, np.arange(n_rows + 1))
    chunks: list[tuple[int, int]] = []
    lo = 0
    while lo < len(suspects):
        w_here = int(width_row[suspects[lo]])
        end = int(np.searchsorted(width_row[suspects], w_here, side="right"))
        step = max(1, BLOCK_CELLS // w_here)
        chunks += [(a, min(a + step, end)) for a in range(lo, end, step)]
        lo = end

    def one_chunk(lo: int, hi: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        rr = suspects[lo:hi]
        ids = problem.rows[rr]
        w_here = int(width_row[rr[0]])
        c = scorer.base(ids, w_here)
        if scorer.use_avail:
            c += scorer.avail_block(ids, w_here)
        for i, r in enumerate(rr.tolist()):  # the row's own candidates are not pruned
            c[i, problem.arc_col[starts[r] : starts[r + 1]]] = -np.inf
        # Violators score above limit / scale, so they are all among these pairs.
        near = (limit[rr] / scale - INSURANCE).astype(np.float32)
        ri, j = np.nonzero(c >= near[:, None])
        gap = duals.g_col[j] - duals.g_row[rr[ri]]
        flagged = np.flatnonzero(c[ri, j].astype(np.float64) * scale + eps_int > gap)
        sigma = np.rint(problem.pair_scores(ids[ri[flagged]], problem.cols[j[flagged]]) * scale)
        excess = sigma.astype(np.int64) - gap[flagged]
        bad = flagged[excess > 0]
        pick = np.union1d(
            _top_per_row(ri, c[ri, j], RESCORE_CAP),
            bad[_top_per_row(ri[bad], excess[excess > 0], RESCORE_CAP)],
        )
        c[ri[pick], j[pick]] = -np.inf
        best_left = c.max(axis=1).astype(np.float64)
        new_bound = np.where(np.isfinite(best_left), best_left + scorer.eps, -np.inf)
        return len(bad), rr[ri[pick]], j[pick], new_bound

    _report(progress, "certifying", 0, len(suspects))
    n_bad = 0
    add_r: list[np.ndarray] = []
    add_j: list[np.ndarray] = []
    bounds: list[np.ndarray] = []
    for (_lo, hi), (bad, r, j, b) in zip(chunks, _map_blocks(one_chunk, chunks), strict=True):
        n_bad += bad
        add_r.append(r)
        add_j.append(j)
        bounds.append(b)
        _report(progress, "certifying", hi, len(suspects))
    if n_bad == 0:
        return _Check(0, len(suspects), empty, empty, empty, np.zeros(0))
    return _Check(
        violations=n_bad,
        rows_rescored=len(suspects),
        add_row=np.concatenate(add_r),
        add_col=np.concatenate(add_j),
        bound_rows=suspects,
        bound=np.concatenate(bounds),
    )


def solve_sparse(problem: SparseProblem, *, progress: Progress | None = None) -> Solution:
    """Solve the candidate graph by min-cost flow and certify optimality for every pair."""
    scale = _scale(problem)
    penalty = int(np.rint(problem.penalty * scale))
    arc_row, arc_col = problem.arc_row, problem.arc_col
    n_rows, n_cols = len(problem.rows), len(problem.cols)
    sigma = np.rint(problem.pair_scores(problem.rows[arc_row], problem.cols[arc_col]) * scale)
    sigma = sigma.astype(np.int64)
    slots = problem.remaining[problem.cols]
    added = rescored = 0
    bound = problem.bound.copy()
    certified = False
    matched = np.zeros(len(arc_row), dtype=np.bool_)
    rounds = 0
    # Every round adds at least one pair that was not in the graph, so this ends; in practice
    # after one or two rounds.
    while True:
        rounds += 1
        _report(progress, "solving", rounds, rounds)
        if n_rows:
            matched = _flow(
                n_rows,
                n_cols,
                arc_row,
                arc_col,
                sigma,
                slots,
                lambda c, r: _slot_cost(problem, scale, c, r),
            )
        current = _replace_arcs(problem, arc_row, arc_col)
        duals = _potentials(current, scale, sigma, matched, penalty)
        if not duals.ok:
            raise RuntimeError("the flow is not optimal on its own graph (no valid potentials)")
        check = _check(current, bound, scale, duals, progress)
        rescored += check.rows_rescored
        if check.violations == 0:
            certified = True
            break
        new_r, new_j = check.add_row, check.add_col
        bound[check.bound_rows] = check.bound
        added += len(new_r)
        new_sigma = np.rint(problem.pair_scores(problem.rows[new_r], problem.cols[new_j]) * scale)
        new_sigma = new_sigma.astype(np.int64)
        arc_row = np.concatenate([arc_row, new_r])
        arc_col = np.concatenate([arc_col, new_j])
        sigma = np.concatenate([sigma, new_sigma])
        order = np.lexsort((arc_col, arc_row))
        arc_row, arc_col, sigma = arc_row[order], arc_col[order], sigma[order]

    e_new = problem.rows[arc_row[matched]]
    m_new = problem.cols[arc_col[matched]]
    mentee = np.concatenate([problem.locked_mentee, e_new])
    mentor = np.concatenate([problem.locked_mentor, m_new])
    locked = np.zeros(len(mentee), dtype=np.bool_)
    locked[: len(problem.locked_mentee)] = True
    certificate = Certificate(
        certified=certified,
        rounds=rounds,
        arcs=len(arc_row),
        added=added,
        rows_rescored=rescored,
        scale=scale,
        rounding_bound=2.0 * len(e_new) / scale,
    )
    return Solution(
        mentee=mentee,
        mentor=mentor,
        locked=locked,
        objective=evaluate(problem, mentee, mentor),
        certificate=certificate,
    )


def _replace_arcs(problem: SparseProblem, arc_row: np.ndarray, arc_col: np.ndarray) -> SparseProblem:
    if arc_row is problem.arc_row:
        return problem
    return replace(problem, arc_row=arc_row, arc_col=arc_col)
