"""Exact matching at enterprise scale: a sparse candidate graph, min-cost flow, a certificate.

Pure Python + NumPy + OR-Tools, no Django.  :func:`pairing.matching.match` comes here when
``mentees x mentors`` is above its threshold; the result is the same optimum the dense path
finds (same hard rules, locks, capacities, load penalties and lexicographic objective:
as many mentees matched as possible first, then the best ``sum(score) - load``).

1. **Candidates** (:func:`build_sparse`).  Mentees are scored against every mentor with room,
   in blocks of float32: both topic directions in one matrix product, department, time zone
   and language from a small table of distinct combinations, availability exactly but only
   where it can still matter.  Mentors are ordered by level, so the level-gap rule makes every
   mentee's eligible mentors a prefix and costs nothing.  Each mentee keeps the mentors whose
   score reaches a threshold ``theta`` (about its k-th best, read off a sample of the columns);
   ``bound = theta + eps`` is then an upper bound on the exact score of *every* pair it
   dropped (``eps`` bounds the float32 error).  That bound is all the certificate needs.
2. **Flow** (:func:`solve_sparse`).  source -> mentee (1) -> candidate mentor (1, cost
   ``-score``) -> one arc per free slot of that mentor (1, cost ``load * rank``; locks fill the
   first ranks) -> sink, solved by OR-Tools' maximum flow with minimum cost.
3. **Certificate**.  The dense path's objective is "cost + penalty * unmatched" with the penalty
   of :func:`pairing.matching._unassigned_penalty`.  From the optimal flow we compute node
   potentials (shortest distances to the sink in the residual graph, Bellman-Ford on the
   bipartite structure) and check, in integers, that every residual arc of the graph has a
   non-negative reduced cost, *and* that every pruned pair does:
   ``score(e, m) <= g(m) - g(e)``.  For a pruned pair the bound above is enough when
   ``bound_e <= min_m g(m) - g(e)`` (min over the mentee's eligible mentors); the few mentees
   where it is not are rescored against every mentor, and the pairs that really violate the
   condition are added to the graph, which is solved again, until no pair does.  Reduced-cost
   optimality over all pairs proves the flow optimal for the whole problem.
4. **Integers**.  Scores and load penalties are scaled by ``S = 2**bits`` and rounded
   (``bits`` as large as int64 allows for OR-Tools and the potentials, at most 30).  The
   certificate is exact for the scaled problem; every pair and slot cost moves by at most
   ``0.5 / S`` in rounding, so the returned objective is within ``2 * matched / S`` of the
   float optimum (``rounding_bound``; about 2e-5 at 12,000 matched mentees).  Pairs whose
   float scores differ by less than that are ties for every practical purpose.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from ortools.graph.python import min_cost_flow
from threadpoolctl import threadpool_limits

from pairing.matching import (
    AVAILABILITY_FULL_HOURS,
    Solution,
    _Arrays,
    _categorical_keys,
    _categorical_table,
    _Context,
    _normalised_rows,
    _pair_scores,
    _Prepared,
    _unassigned_penalty,
    evaluate,
)

Progress = Callable[[str, int, int], None]

# About this many candidate mentors per mentee (at 20,000 x 12,000: 16 needed three solves, 32 two).
DEFAULT_K = 32
SAMPLE_STEP = 4  # the threshold is read off every SAMPLE_STEP-th mentor
BLOCK_CELLS = 1 << 21  # float32 cells per scoring block (8 MB: stays in cache-friendly sizes)
SCALE_BITS = 30
INF = np.int64(1) << np.int64(62)
MAX_ROUNDS = 200
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


def _pack(bits: np.ndarray) -> np.ndarray:
    """Rows of bools as uint64 words, for popcount overlaps of arbitrary pairs."""
    packed = np.packbits(bits, axis=1)
    pad = (-packed.shape[1]) % 8
    if pad:
        packed = np.hstack([packed, np.zeros((len(packed), pad), dtype=np.uint8)])
    return np.ascontiguousarray(packed).view(np.uint64)


class _BlockScorer:
    """float32 scores of a block of mentees against a prefix of ``cols`` (mentors by level).

    ``base`` is everything but availability (``-inf`` where a hard rule forbids the pair);
    availability is added either for the whole block (a 0/1 matrix product, exact counts) or
    for a list of pairs (popcount of packed hour words).  Both compute
    ``min(count, 8) * scale`` in float32 the same way, so they agree to the last bit.
    """

    def __init__(self, ctx: _Context, cols: np.ndarray):
        mte, mtr, rules = ctx.mentees, ctx.mentors, ctx.rules
        w = rules.weights
        self.cols = cols
        self.left = np.hstack(
            [w.mentor_teaches * _normalised_rows(mte.learn), w.mentee_teaches * mte.teach]
        ).astype(np.float32)
        self.right_t = np.ascontiguousarray(
            np.hstack([mtr.teach[cols], _normalised_rows(mtr.learn[cols])]).T, dtype=np.float32
        )
        key_e, keys_e = _categorical_keys(mte)
        key_m, keys_m = _categorical_keys(mtr)
        table = _categorical_table(keys_e, keys_m, w)
        if rules.forbid_same_department:
            de, dm = keys_e[:, 0], keys_m[:, 0]
            table[(de[:, None] == dm[None, :]) & (de >= 0)[:, None]] = -np.inf
        self.table = table.astype(np.float32)
        self.key_e = key_e
        self.key_m = key_m[cols]
        hours = mte.availability.any(axis=0) & mtr.availability[cols].any(axis=0)
        self.use_avail = bool(w.availability) and bool(hours.any())
        self.scale = np.float32(w.availability / AVAILABILITY_FULL_HOURS)
        self.avail_hi = max(np.float32(self.scale * np.float32(AVAILABILITY_FULL_HOURS)), 0.0)
        if self.use_avail:
            ae, am = mte.availability[:, hours], mtr.availability[cols][:, hours]
            self.ae01 = ae.astype(np.float32)
            self.am01_t = np.ascontiguousarray(am.T, dtype=np.float32)
            self.am01_t_sample = np.ascontiguousarray(self.am01_t[:, ::SAMPLE_STEP])
            self.pe, self.pm = _pack(ae), _pack(am)
        # Sparse hard rules (reporting lines, same person, HR exclusions) by column position.
        pos = np.full(len(mtr), -1, dtype=np.int64)
        pos[cols] = np.arange(len(cols))
        be, bm = ctx.sparse_blocked(cols)
        order = np.argsort(be, kind="stable")
        self.blocked_e, self.blocked_pos = be[order], pos[bm[order]]
        # float32 error of a score (a 40-term dot product and a few additions, each within
        # 2**-24 relative of sums bounded by the total weight), with a wide margin.
        total = sum(abs(x) for x in w.criteria().values())
        self.eps = 2.0**-12 * (total + 1.0)
        self.floor = np.float32(-(total + 1.0) * 4)  # below every finite score

    def base(self, ids: np.ndarray, width: int) -> np.ndarray:
        out = np.matmul(self.left[ids], self.right_t[:, :width])
        keys = self.key_e[ids]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        ends = np.r_[starts[1:], len(ids)]
        key_m = self.key_m[:width]
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            out[a:b] += self.table[keys[a], key_m]
        if len(self.blocked_e):
            sel = np.isin(self.blocked_e, ids)
            if sel.any():
                order = np.argsort(ids, kind="stable")
                r = order[np.searchsorted(ids, self.blocked_e[sel], sorter=order)]
                j = self.blocked_pos[sel]
                inside = j < width
                out[r[inside], j[inside]] = -np.inf
        return out

    def avail_block(self, ids: np.ndarray, width: int, sample: bool = False) -> np.ndarray:
        right = self.am01_t_sample if sample else self.am01_t
        n_cols = -(-width // SAMPLE_STEP) if sample else width
        out = np.matmul(self.ae01[ids], right[:, :n_cols])
        np.minimum(out, np.float32(AVAILABILITY_FULL_HOURS), out=out)
        out *= self.scale
        return out

    def avail_pairs(self, e: np.ndarray, j: np.ndarray) -> np.ndarray:
        count = np.bitwise_count(self.pe[e] & self.pm[j]).sum(axis=1, dtype=np.int64)
        hours = np.minimum(count, int(AVAILABILITY_FULL_HOURS)).astype(np.float32)
        return hours * self.scale


@dataclass(frozen=True, eq=False)
class SparseProblem:
    """The candidate graph: what :func:`solve_sparse` and :func:`pairing.matching.explain` use."""

    mentors: _Arrays
    mentees: _Arrays
    rules: object
    context: _Context
    locked_mentee: np.ndarray
    locked_mentor: np.ndarray
    n_locks: np.ndarray
    remaining: np.ndarray
    cols: np.ndarray  # mentors with room, by level (the graph's mentor nodes)
    width: np.ndarray  # (n_mentees,) eligible-by-level prefix of ``cols`` for each mentee
    rows: np.ndarray  # mentee index of each row (free, with an eligible mentor that has room)
    arc_row: np.ndarray  # row of each candidate pair (sorted)
    arc_col: np.ndarray  # position in ``cols`` of each candidate pair
    bound: np.ndarray  # (len(rows),) every dropped pair of the row scores at most this
    penalty: float  # the dense path's cost of leaving a mentee unassigned
    scorer: _BlockScorer
    k: int

    def pair_scores(self, mentee: np.ndarray, mentor: np.ndarray) -> np.ndarray:
        return _pair_scores(self.mentors, self.mentees, self.rules.weights, mentee, mentor)

    def mentee_has_eligible(self, e: int) -> bool:
        return bool(self.context.allowed(np.array([e]), np.arange(len(self.mentors))).any())

    @cached_property
    def _free_mentees(self) -> np.ndarray:
        """Mentees not locked to anyone, most senior first (the likeliest to be eligible)."""
        free = np.ones(len(self.mentees), dtype=np.bool_)
        free[self.locked_mentee] = False
        idx = np.flatnonzero(free)
        return idx[np.argsort(-self.mentees.level[idx], kind="stable")]

    @cached_property
    def _has_candidate(self) -> np.ndarray:
        """Mentors known to be eligible for a free mentee: a candidate pair, or one of the
        64 most senior free mentees (checked for all mentors at once)."""
        out = np.zeros(len(self.mentors), dtype=np.bool_)
        out[self.cols[self.arc_col]] = True
        rest = np.flatnonzero(~out)
        top = self._free_mentees[:64]
        for lo in range(0, len(rest), 4096):
            chunk = rest[lo : lo + 4096]
            if len(top):
                out[chunk] = self.context.allowed(top[:, None], chunk[None, :]).any(axis=0)
        return out

    def mentor_eligibility(self, m: int) -> tuple[bool, bool]:
        # A candidate pair is an eligible free mentee already; else try the most senior
        # free mentees first and only then everyone (explaining 8,000 idle mentors must
        # not cost 8,000 full columns).
        if self._has_candidate[m]:
            return True, True
        free = self._free_mentees[64:]
        if len(free) and self.context.allowed(free, np.array([m])).any():
            return True, True
        if len(self.locked_mentee) == 0:
            return False, False
        return bool(self.context.allowed(self.locked_mentee, np.array([m])).any()), False


def _workers() -> int:
    try:
        return max(1, min(2, len(os.sched_getaffinity(0))))
    except AttributeError:  # not on Linux
        return max(1, min(2, os.cpu_count() or 1))


def _map_blocks(fn: Callable, blocks: list[tuple[int, int]]) -> Iterator:
    """Run ``fn(lo, hi)`` over the blocks on (up to) two threads, results in order.

    NumPy releases the GIL in matrix products, comparisons and partitions, so two threads use
    two cores; BLAS itself is held to one thread, because its own threads spin against ours
    (and against everyone else's on a shared machine: measured 3-5x slower than one thread).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        if _workers() == 1 or len(blocks) < 4:
            for lo, hi in blocks:
                yield fn(lo, hi)
            return
        with ThreadPoolExecutor(max_workers=_workers()) as pool:
            yield from pool.map(lambda b: fn(*b), blocks)


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def build_sparse(prep: _Prepared, *, k: int = DEFAULT_K, progress: Progress | None = None) -> SparseProblem:
    """Score every pair in float32 blocks and keep about ``k`` candidate mentors per mentee."""
    ctx = prep.context
    mte, mtr, rules = ctx.mentees, ctx.mentors, ctx.rules
    room = np.flatnonzero(prep.remaining > 0)
    cols = room[np.argsort(mtr.level[room], kind="stable")]
    col_level = mtr.level[cols]
    width = np.searchsorted(col_level, mte.level - rules.min_level_gap, side="right")
    free = np.ones(len(mte), dtype=np.bool_)
    free[prep.locked_mentee] = False
    scorer = _BlockScorer(ctx, cols)

    todo = np.flatnonzero(free & (width > 0))
    todo = todo[np.lexsort((scorer.key_e[todo], width[todo]))]  # by width, then table key
    blocks: list[tuple[int, int]] = []
    lo = 0
    while lo < len(todo):
        w_here = int(width[todo[lo]])
        group_end = int(np.searchsorted(width[todo], w_here, side="right"))
        step = max(16, BLOCK_CELLS // w_here)
        blocks += [(a, min(a + step, group_end)) for a in range(lo, group_end, step)]
        lo = group_end

    ks = max(1, math.ceil(k / SAMPLE_STEP))

    def one_block(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        ids = todo[lo:hi]
        w_here = int(width[ids[0]])
        c = scorer.base(ids, w_here)
        n_sample = -(-w_here // SAMPLE_STEP)
        if n_sample > ks and w_here > 2 * k:
            sample = c[:, ::SAMPLE_STEP]
            if scorer.use_avail:
                sample = sample + scorer.avail_block(ids, w_here, sample=True)
            else:
                sample = sample.copy()
            theta = np.partition(sample, n_sample - ks, axis=1)[:, n_sample - ks]
            theta = np.where(np.isfinite(theta), theta, scorer.floor).astype(np.float32)
        else:  # few eligible mentors: keep them all
            theta = np.full(len(ids), scorer.floor, dtype=np.float32)
        # A pair can reach theta only if its score without availability is within the most
        # availability can add (float32 additions are monotone; eps covers the rounding).
        reach = (theta - np.float32(scorer.avail_hi) - np.float32(scorer.eps)).astype(np.float32)
        r, j = np.nonzero(c >= reach[:, None])
        full = c[r, j]
        if scorer.use_avail:
            full = full + scorer.avail_pairs(ids[r], j)
        keep = (full >= theta[r]) & np.isfinite(full)
        r, j = r[keep], j[keep]
        has = np.zeros(len(ids), dtype=np.bool_)
        has[r] = True
        bound = np.where(theta > scorer.floor, theta.astype(np.float64) + scorer.eps, -np.inf)
        return ids[r], j, ids[has], bound[has]

    cand_e: list[np.ndarray] = []
    cand_j: list[np.ndarray] = []
    row_ids: list[np.ndarray] = []
    row_bound: list[np.ndarray] = []
    _report(progress, "scoring", 0, len(todo))
    for (_lo, hi), (e, j, ids, bound) in zip(blocks, _map_blocks(one_block, blocks), strict=True):
        cand_e.append(e)
        cand_j.append(j)
        row_ids.append(ids)
        row_bound.append(bound)
        _report(progress, "scoring", hi, len(todo))

    e_all = np.concatenate(cand_e) if cand_e else np.zeros(0, dtype=np.int64)
    j_all = np.concatenate(cand_j) if cand_j else np.zeros(0, dtype=np.int64)
    rows = np.concatenate(row_ids) if row_ids else np.zeros(0, dtype=np.int64)
    bounds = np.concatenate(row_bound) if row_bound else np.zeros(0)
    order = np.argsort(rows, kind="stable")
    rows, bounds = rows[order], bounds[order]
    row_of = np.full(len(mte), -1, dtype=np.int64)
    row_of[rows] = np.arange(len(rows))
    arc_row = row_of[e_all]
    arc_order = np.lexsort((j_all, arc_row))
    max_rank = int((prep.n_locks + prep.remaining - 1)[cols].max(initial=0))
    return SparseProblem(
        mentors=mtr,
        mentees=mte,
        rules=rules,
        context=ctx,
        locked_mentee=prep.locked_mentee,
        locked_mentor=prep.locked_mentor,
        n_locks=prep.n_locks,
        remaining=prep.remaining,
        cols=cols,
        width=width,
        rows=rows,
        arc_row=arc_row[arc_order],
        arc_col=j_all[arc_order],
        bound=bounds,
        penalty=_unassigned_penalty(rules.weights, max_rank, len(rows)),
        scorer=scorer,
        k=k,
    )


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
    while rounds < MAX_ROUNDS:
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
