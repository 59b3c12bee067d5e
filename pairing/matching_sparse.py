"""Exact matching at enterprise scale, part 1: the sparse candidate graph.

Pure Python + NumPy, no Django.  :func:`pairing.matching.match` comes here when
``mentees x mentors`` is above its threshold; the result is the same optimum the dense path
finds (same hard rules, locks, capacities, load penalties and lexicographic objective:
as many mentees matched as possible first, then the best ``sum(score) - load``).

**Candidates** (:func:`build_sparse`).  Mentees are scored against every mentor with room,
   in blocks of float32: both topic directions in one matrix product, department, time zone
   and language from a small table of distinct combinations, availability exactly but only
   where it can still matter.  Mentors are ordered by level, so the level-gap rule makes every
   mentee's eligible mentors a prefix and costs nothing.  Each mentee keeps the mentors whose
   score reaches a threshold ``theta`` (about its k-th best, read off a sample of the columns);
   ``bound = theta + eps`` is then an upper bound on the exact score of *every* pair it
   dropped (``eps`` bounds the float32 error).  That bound is all the certificate needs.

The graph is solved and certified by :mod:`pairing.matching_flow`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from threadpoolctl import threadpool_limits

from pairing.matching import (
    AVAILABILITY_FULL_HOURS,
    _Arrays,
    _categorical_keys,
    _categorical_table,
    _Context,
    _hour_words,
    _normalised_rows,
    _pair_scores,
    _Prepared,
    _unassigned_penalty,
)

Progress = Callable[[str, int, int], None]

# About this many candidate mentors per mentee (at 20,000 x 12,000: 16 needed three solves, 32 two).
DEFAULT_K = 32
SAMPLE_STEP = 4  # the threshold is read off every SAMPLE_STEP-th mentor
BLOCK_CELLS = 1 << 21  # float32 cells per scoring block (8 MB: stays in cache-friendly sizes)


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
            self.pe, self.pm = _hour_words(ae), _hour_words(am)
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
