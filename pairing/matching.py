"""Optimal mentor/mentee matching for a reverse-mentoring round.

Pure Python + NumPy + SciPy: nothing in here knows about Django.  The Django side builds
the columnar inputs (:class:`Org`, two :class:`Side` objects and :class:`Rules`) with one
query each and calls :func:`match`.

Model
-----
* Every mentee/mentor pair gets a soft *score*: a weighted sum of criteria that are each in
  ``[0, 1]`` (see :class:`Weights`).
* Hard constraints (same person, reporting line anywhere up or down the manager chain,
  minimum level gap, same department when forbidden, HR exclusions) make a pair infeasible.
* A mentor with capacity ``c`` becomes ``c`` *slot* columns; slot ``k`` (0-based) costs an
  extra ``weights.load * k``, so the solver spreads mentees over mentors.
* HR-locked pairs are pre-assigned: they occupy the mentor's first slots and their mentee
  is taken out of the optimisation.  Because slots of one mentor only differ by their
  (increasing) load penalty, this is equivalent to solving the full problem with the locks
  as constraints, so the rest stays optimal.
* The objective is lexicographic: first the number of matched mentees, then
  ``sum(score) - load penalties``.  It is solved exactly by
  :func:`scipy.optimize.linear_sum_assignment` over a cost matrix with one row per free
  mentee and one column per mentor slot, plus "unassigned" dummy columns whose penalty is
  large enough (it grows with the problem size, see :func:`_unassigned_penalty`) that
  matching one more mentee always beats any gain in score.

Use :func:`build_problem` and :func:`solve` separately to time them; :func:`match` is
``build_problem`` + ``solve`` + :func:`explain`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

__all__ = [
    "HOURS_PER_WEEK",
    "MatchResult",
    "Org",
    "Problem",
    "ProposedPair",
    "Rules",
    "Side",
    "Solution",
    "Unmatched",
    "Weights",
    "build_problem",
    "evaluate",
    "explain",
    "match",
    "reporting_intervals",
    "solve",
]

HOURS_PER_WEEK = 168
AVAILABILITY_FULL_HOURS = 8.0  # overlap of this many hours or more scores 1
TIMEZONE_ZERO_HOURS = 8.0  # offsets this far apart (or more) score 0
MAX_TOPICS_NAMED = 3

# Hard rules, in the order used for ties when explaining why nobody was eligible.
RULE_SAME_PERSON = "same person"
RULE_REPORTING_LINE = "reporting line"
RULE_LEVEL_GAP = "level gap"
RULE_SAME_DEPARTMENT = "same department"
RULE_EXCLUDED = "excluded by HR"
RULES_ORDER = (
    RULE_SAME_PERSON,
    RULE_REPORTING_LINE,
    RULE_LEVEL_GAP,
    RULE_SAME_DEPARTMENT,
    RULE_EXCLUDED,
)

REASON_AT_CAPACITY = "all eligible mentors are at capacity"
REASON_BETTER_FIT = "no mentee was a better fit than other mentors' matches"
REASON_MENTEES_LOCKED = "all eligible mentees are locked to other mentors"
REASON_NO_CAPACITY = "capacity is 0"


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    """Everyone in the organisation who may appear in a manager chain."""

    manager: np.ndarray  # int array, len P: index of each person's manager, -1 for none


@dataclass(frozen=True)
class Side:
    """Mentors or mentees: row i describes one enrolled participant."""

    ids: np.ndarray  # int (n,): external ids (enrollment primary keys), returned in results
    names: list[str]  # display names, for explanations
    person: np.ndarray  # int (n,): index into Org.manager
    level: np.ndarray  # int (n,): grade; higher = more senior
    department: np.ndarray  # int (n,): department code (-1 unknown)
    teach: np.ndarray  # float (n, T) in [0,1]: proficiency on topics this person can teach
    learn: np.ndarray  # float (n, T) in [0,1]: priority of topics to learn (1 = ranked first)
    utc_offset: np.ndarray  # float (n,): hours
    availability: np.ndarray  # bool (n, 168): hour-of-week slots in UTC
    languages: np.ndarray  # bool (n, L)
    capacity: np.ndarray | None = None  # int (n,): mentors only (None = 1 each)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Weights:
    """Weights of the soft criteria; each criterion itself is in [0, 1]."""

    mentor_teaches: float = 3.0  # mentor can teach what the mentee wants
    mentee_teaches: float = 2.0  # two-way: mentee can teach what the mentor wants
    cross_department: float = 1.0  # different (known) departments
    availability: float = 1.5  # min(overlapping hours, 8) / 8
    timezone: float = 0.5  # 1 at the same UTC offset, 0 at >= 8 h apart
    language: float = 1.0  # at least one shared language
    load: float = 0.5  # the k-th extra mentee of one mentor costs load * k

    def criteria(self) -> dict[str, float]:
        """The soft-criterion weights (everything but ``load``), by name."""
        return {
            "mentor_teaches": self.mentor_teaches,
            "mentee_teaches": self.mentee_teaches,
            "cross_department": self.cross_department,
            "availability": self.availability,
            "timezone": self.timezone,
            "language": self.language,
        }


@dataclass(frozen=True)
class Rules:
    topic_names: Sequence[str]  # len T
    language_names: Sequence[str] = ()  # len L (optional, for explanations)
    min_level_gap: int = 1  # mentee.level - mentor.level >= min_level_gap
    forbid_reporting_line: bool = True  # no pairs along a manager chain (either direction)
    forbid_same_department: bool = False
    weights: Weights = field(default_factory=Weights)
    locked: tuple[tuple[int, int], ...] = ()  # (mentor_id, mentee_id): must be in the result
    forbidden: tuple[tuple[int, int], ...] = ()  # (mentor_id, mentee_id): never in the result


# --------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedPair:
    mentor_id: int
    mentee_id: int
    score: float
    locked: bool
    explanation: str  # plain words
    parts: dict[str, float]  # each weighted soft criterion's contribution (sums to score)


@dataclass(frozen=True)
class Unmatched:
    id: int
    side: str  # "mentor" | "mentee"
    reason: str  # plain words


@dataclass(frozen=True)
class MatchResult:
    pairs: list[ProposedPair]
    unmatched: list[Unmatched]
    objective: float  # sum of pair scores minus load penalties


# --------------------------------------------------------------------------------------
# Internal normalised arrays
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Arrays:
    """A validated :class:`Side` with NumPy arrays of fixed dtypes."""

    ids: np.ndarray
    names: list[str]
    person: np.ndarray
    level: np.ndarray
    department: np.ndarray
    teach: np.ndarray
    learn: np.ndarray
    utc_offset: np.ndarray
    availability: np.ndarray
    languages: np.ndarray
    capacity: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def _prep_side(side: Side, kind: str, n_topics: int, n_people: int) -> _Arrays:
    n = len(np.asarray(side.ids).reshape(-1))

    def vec(name: str, dtype: type) -> np.ndarray:
        arr = np.asarray(getattr(side, name), dtype=dtype).reshape(-1)
        if len(arr) != n:
            raise ValueError(f"{kind}s.{name} has length {len(arr)}, expected {n}")
        return arr

    def mat(name: str, dtype: type, width: int | None) -> np.ndarray:
        arr = np.asarray(getattr(side, name), dtype=dtype)
        if arr.ndim != 2 or arr.shape[0] != n:
            if arr.size == 0 and n == 0:
                return np.zeros((0, width or 0), dtype=dtype)
            raise ValueError(f"{kind}s.{name} must have shape ({n}, ...), got {arr.shape}")
        if width is not None and arr.shape[1] != width:
            raise ValueError(f"{kind}s.{name} has {arr.shape[1]} columns, expected {width}")
        return arr

    ids = vec("ids", np.int64)
    if len(np.unique(ids)) != n:
        raise ValueError(f"{kind} ids must be unique")
    names = [str(x) for x in side.names]
    if len(names) != n:
        raise ValueError(f"{kind}s.names has length {len(names)}, expected {n}")
    person = vec("person", np.int64)
    if n and (person.min() < 0 or person.max() >= n_people):
        raise ValueError(f"{kind}s.person must index Org.manager (0..{n_people - 1})")
    if side.capacity is None or kind == "mentee":
        capacity = np.ones(n, dtype=np.int64)
    else:
        capacity = vec("capacity", np.int64)
        if n and capacity.min() < 0:
            raise ValueError("mentor capacity must be >= 0")
    teach = mat("teach", np.float64, n_topics)
    learn = mat("learn", np.float64, n_topics)
    for name, arr in (("teach", teach), ("learn", learn)):
        if arr.size and (not np.isfinite(arr).all() or arr.min() < 0 or arr.max() > 1):
            raise ValueError(f"{kind}s.{name} values must be in [0, 1]")
    availability = mat("availability", np.bool_, HOURS_PER_WEEK)
    languages = mat("languages", np.bool_, None)
    utc_offset = vec("utc_offset", np.float64)
    if not np.isfinite(utc_offset).all():
        raise ValueError(f"{kind}s.utc_offset must be finite")
    return _Arrays(
        ids=ids,
        names=names,
        person=person,
        level=vec("level", np.int64),
        department=vec("department", np.int64),
        teach=teach,
        learn=learn,
        utc_offset=utc_offset,
        availability=availability,
        languages=languages,
        capacity=capacity,
    )


# --------------------------------------------------------------------------------------
# Manager chains
# --------------------------------------------------------------------------------------


def reporting_intervals(manager: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pre-order DFS intervals over the manager forest (iterative: chains may be very deep).

    Returns ``(tin, tout)`` such that person ``a`` is ``b`` or anywhere above ``b`` in the
    manager chain exactly when ``tin[a] <= tin[b] and tout[b] <= tout[a]``.  Raises
    :class:`ValueError` on a manager cycle or an out-of-range manager index.
    """
    manager = np.asarray(manager, dtype=np.int64).reshape(-1)
    n = len(manager)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if manager.min() < -1 or manager.max() >= n:
        raise ValueError("Org.manager entries must be -1 or an index into Org.manager")
    is_root = manager < 0
    order = np.argsort(manager, kind="stable")  # roots (-1) first, then grouped by manager
    n_roots = int(is_root.sum())
    children = order[n_roots:].tolist()
    first_child = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(manager[~is_root], minlength=n), out=first_child[1:])
    starts = first_child.tolist()

    preorder: list[int] = []
    visit = preorder.append
    stack = order[:n_roots][::-1].tolist()
    while stack:
        v = stack.pop()
        visit(v)
        lo, hi = starts[v], starts[v + 1]
        if hi > lo:
            stack.extend(children[lo:hi])
    tin = np.full(n, -1, dtype=np.int64)
    tin[preorder] = np.arange(len(preorder))
    if len(preorder) < n:
        stuck = int(np.flatnonzero(tin < 0)[0])
        raise ValueError(
            f"Org.manager contains a cycle: person index {stuck} never reaches a top manager"
        )

    size = [1] * n
    parents = manager.tolist()
    for v in reversed(preorder):
        p = parents[v]
        if p >= 0:
            size[p] += size[v]
    tout = tin + np.asarray(size, dtype=np.int64) - 1
    return tin, tout


# --------------------------------------------------------------------------------------
# Scores and hard constraints
# --------------------------------------------------------------------------------------


def _normalised_rows(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _categorical_keys(side: _Arrays) -> tuple[np.ndarray, np.ndarray]:
    """Group a side by (department, utc_offset, languages): returns (key of each row, keys)."""
    keys = np.column_stack(
        [side.department.astype(np.float64), side.utc_offset, side.languages.astype(np.float64)]
    )
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), keys
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    return inverse.reshape(-1), uniq


def _categorical_table(ke: np.ndarray, km: np.ndarray, w: Weights) -> np.ndarray:
    """Weighted department/time-zone/language score for every (mentee key, mentor key)."""
    de, dm = ke[:, 0], km[:, 0]
    cross = (de[:, None] != dm[None, :]) & (de >= 0)[:, None] & (dm >= 0)[None, :]
    tz = np.clip(1.0 - np.abs(ke[:, 1, None] - km[None, :, 1]) / TIMEZONE_ZERO_HOURS, 0.0, 1.0)
    lang = (ke[:, 2:] @ km[:, 2:].T) > 0
    return w.cross_department * cross + w.timezone * tz + w.language * lang


class _Scorer:
    """Fills blocks of the (mentee, mentor) score matrix with a few vectorised operations.

    Per pair: both topic directions come from one matrix product
    ``[learn_e/sum | teach_e] . [teach_m | learn_m/sum]``; overlapping availability from a
    float32 product of the 0/1 hour matrices (exact: counts <= 168); department, time zone
    and language only depend on a few distinct (department, offset, languages) combinations
    per side, which are scored once in a small table and gathered.  With ``sign=-1`` it
    writes negated scores (costs) without an extra pass.
    """

    def __init__(
        self,
        mentors: _Arrays,
        mentees: _Arrays,
        w: Weights,
        mentor_sel: np.ndarray,
        sign: float = 1.0,
    ):
        self.sign = sign
        self.left = np.hstack(
            [
                (sign * w.mentor_teaches) * _normalised_rows(mentees.learn),
                (sign * w.mentee_teaches) * mentees.teach,
            ]
        )
        self.right_t = np.ascontiguousarray(
            np.hstack([mentors.teach[mentor_sel], _normalised_rows(mentors.learn[mentor_sel])]).T
        )
        avail_m = mentors.availability[mentor_sel]
        hours = mentees.availability.any(axis=0) & avail_m.any(axis=0)  # skip empty hours
        scale = sign * w.availability / AVAILABILITY_FULL_HOURS
        self.use_avail = bool(w.availability) and bool(hours.any())
        self.avail_e = mentees.availability[:, hours].astype(np.float32) * np.float32(scale)
        self.avail_m_t = np.ascontiguousarray(avail_m[:, hours].T, dtype=np.float32)
        self.avail_cap = np.float32(scale * AVAILABILITY_FULL_HOURS)
        self.key_e, keys_e = _categorical_keys(mentees)
        key_m, keys_m = _categorical_keys(mentors)
        table = sign * _categorical_table(keys_e, keys_m, w)
        # (distinct mentee keys, selected mentors), float32 like the availability block
        self.table = np.ascontiguousarray(table[:, key_m[mentor_sel]], dtype=np.float32)

    def fill(self, mentee_sel: np.ndarray | slice, out: np.ndarray) -> None:
        """``out[i, j] = sign * score(mentee_sel[i], mentor_sel[j])``; ``out`` may be strided."""
        self.fill_topics(mentee_sel, out)
        self.add_rest(mentee_sel, out)

    def fill_topics(self, mentee_sel: np.ndarray | slice, out: np.ndarray) -> None:
        """Write both topic criteria: one BLAS call, straight into ``out``."""
        np.matmul(self.left[mentee_sel], self.right_t, out=out)

    def add_rest(
        self, mentee_sel: np.ndarray | slice, out: np.ndarray, ok: np.ndarray | None = None
    ) -> None:
        """Add availability, department, time zone and language; ``inf`` where not ``ok``."""
        extra = self.table[self.key_e[mentee_sel]]
        if self.use_avail:
            overlap = self.avail_e[mentee_sel] @ self.avail_m_t
            clip = np.minimum if self.sign > 0 else np.maximum
            clip(overlap, self.avail_cap, out=overlap)
            extra += overlap
        if ok is not None:
            np.copyto(extra, np.float32(np.inf), where=~ok)
        out += extra


def _row_chunks(n: int, n_cols: int, cells: int = 1 << 22) -> list[tuple[int, int]]:
    """Row ranges of about ``cells`` cells: few BLAS calls, no huge temporaries."""
    step = max(8, cells // max(n_cols, 1))
    return [(lo, min(lo + step, n)) for lo in range(0, n, step)]


@dataclass(frozen=True)
class _Context:
    mentors: _Arrays
    mentees: _Arrays
    rules: Rules
    tin: np.ndarray
    tout: np.ndarray
    forbidden: np.ndarray | None  # (n_mentees, n_mentors) bool HR exclusions, None if none

    def blocks(self, e: np.ndarray, m: np.ndarray) -> dict[str, np.ndarray]:
        """Which hard rules block mentee ``e`` with mentor ``m`` (broadcast index arrays)."""
        me, mm = self.mentees, self.mentors
        pe, pm = me.person[e], mm.person[m]
        same = pe == pm
        out = {RULE_SAME_PERSON: same}
        if self.rules.forbid_reporting_line:
            te, tm = self.tin[pe], self.tin[pm]
            mentor_above = (tm <= te) & (te <= self.tout[pm])
            mentee_above = (te <= tm) & (tm <= self.tout[pe])
            out[RULE_REPORTING_LINE] = (mentor_above | mentee_above) & ~same
        out[RULE_LEVEL_GAP] = me.level[e] < mm.level[m] + self.rules.min_level_gap
        if self.rules.forbid_same_department:
            de = me.department[e]
            out[RULE_SAME_DEPARTMENT] = (de == mm.department[m]) & (de >= 0)
        if self.forbidden is not None:
            out[RULE_EXCLUDED] = self.forbidden[e, m]
        return out

    def feasible_matrix(self) -> np.ndarray:
        """All hard rules at once, ``(n_mentees, n_mentors)`` bool.

        Same rules as :meth:`blocks`, arranged for speed: the dense rules are evaluated in
        row chunks with broadcasting; the reporting line only blocks people inside a boss's
        interval, so those pairs are listed directly with a sorted search.
        """
        me, mm, rules = self.mentees, self.mentors, self.rules
        n_e, n_m = len(me), len(mm)
        out = np.empty((n_e, n_m), dtype=np.bool_)
        level_e = me.level[:, None]
        level_m = (mm.level + rules.min_level_gap)[None, :]
        person_e, person_m = me.person[:, None], mm.person[None, :]
        dept_e = np.where(me.department >= 0, me.department, -2)[:, None]
        dept_m = np.where(mm.department >= 0, mm.department, -3)[None, :]
        both_sides = len(np.intersect1d(me.person, mm.person)) > 0
        for lo, hi in _row_chunks(n_e, n_m):
            blk = out[lo:hi]
            np.greater_equal(level_e[lo:hi], level_m, out=blk)
            if both_sides:
                blk &= person_e[lo:hi] != person_m
            if rules.forbid_same_department:
                blk &= dept_e[lo:hi] != dept_m
            if self.forbidden is not None:
                blk &= ~self.forbidden[lo:hi]
        if rules.forbid_reporting_line:
            tin_e, tout_e = self.tin[me.person], self.tout[me.person]
            tin_m, tout_m = self.tin[mm.person], self.tout[mm.person]
            for m, e in _below(tin_m, tout_m, tin_e):  # mentor above mentee
                out[e, m] = False
            for e, m in _below(tin_e, tout_e, tin_m):  # mentee above mentor
                out[e, m] = False
        return out


def _below(
    tin_a: np.ndarray, tout_a: np.ndarray, tin_b: np.ndarray, batch: int = 1 << 20
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every pair ``(a, b)`` where ``b`` is strictly below ``a`` in the manager chain.

    ``b`` is below ``a`` when ``tin_a[a] < tin_b[b] <= tout_a[a]``: with ``tin_b`` sorted,
    each ``a`` covers one contiguous run, found with ``searchsorted``.  Yields index arrays
    in batches of about ``batch`` pairs (a 10,000-deep chain must not need n^2 memory).
    """
    bosses = np.flatnonzero(tout_a > tin_a)
    if len(bosses) == 0 or len(tin_b) == 0:
        return
    order = np.argsort(tin_b, kind="stable")
    sorted_tin = tin_b[order]
    first = np.searchsorted(sorted_tin, tin_a[bosses], side="right")
    last = np.searchsorted(sorted_tin, tout_a[bosses], side="right")
    keep = last > first
    bosses, first, lens = bosses[keep], first[keep], (last - first)[keep]
    ends = np.cumsum(lens)
    lo = 0
    while lo < len(bosses):
        hi = max(lo + 1, int(np.searchsorted(ends, ends[lo] - lens[lo] + batch, side="right")))
        n = lens[lo:hi]
        start = np.repeat(first[lo:hi] - (np.cumsum(n) - n), n)
        yield np.repeat(bosses[lo:hi], n), order[start + np.arange(int(n.sum()))]
        lo = hi


# --------------------------------------------------------------------------------------
# Problem
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Problem:
    """Everything the solver needs, built with vectorised NumPy.

    ``feasible`` covers every (mentee, mentor) pair, ``score`` too (computed on first use;
    the build writes scores straight into ``cost``).  ``cost`` is the matrix handed to
    :func:`scipy.optimize.linear_sum_assignment`: one row per free mentee that has an
    eligible mentor with room left (``rows``), one column per useful mentor slot
    (``slot_mentor``/``slot_rank``, load penalty included) followed by ``n_dummy``
    "unassigned" columns (``slot_mentor == -1``) costing ``penalty``.  Infeasible cells
    are ``inf``.
    """

    mentors: _Arrays
    mentees: _Arrays
    rules: Rules
    feasible: np.ndarray  # (n_mentees, n_mentors) bool: hard constraints only
    locked_mentee: np.ndarray  # mentee index of each locked pair
    locked_mentor: np.ndarray  # mentor index of each locked pair
    remaining: np.ndarray  # (n_mentors,) capacity left after locks
    rows: np.ndarray  # mentee index of every cost row
    slot_mentor: np.ndarray  # mentor index of every cost column, -1 = unassigned
    slot_rank: np.ndarray  # 0-based slot number of every cost column (0 for dummies)
    cost: np.ndarray  # (len(rows), len(slot_mentor)) float64
    penalty: float  # cost of leaving a mentee unassigned
    context: _Context

    @property
    def n_dummy(self) -> int:
        return int((self.slot_mentor < 0).sum())

    @cached_property
    def score(self) -> np.ndarray:
        """Soft score of every pair, ``(n_mentees, n_mentors)`` float64."""
        n_e, n_m = len(self.mentees), len(self.mentors)
        out = np.empty((n_e, n_m))
        if n_e and n_m:
            scorer = _Scorer(self.mentors, self.mentees, self.rules.weights, np.arange(n_m))
            for lo, hi in _row_chunks(n_e, n_m):
                scorer.fill(slice(lo, hi), out[lo:hi])
        return out

    def pair_scores(self, mentee: np.ndarray, mentor: np.ndarray) -> np.ndarray:
        """Soft score of the given pairs only (same formulas as ``score``)."""
        crit = _criteria_for_pairs(self.mentors, self.mentees, mentee, mentor)
        weights = self.rules.weights.criteria()
        total = np.zeros(len(mentee))
        for name, weight in weights.items():
            total += weight * crit[name]
        return total


def _lock_indices(
    ctx: _Context, mentor_pos: dict[int, int], mentee_pos: dict[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    rules = ctx.rules
    seen: dict[int, int] = {}
    pairs: list[tuple[int, int]] = []
    for mentor_id, mentee_id in rules.locked:
        mentor_id, mentee_id = int(mentor_id), int(mentee_id)
        if mentor_id not in mentor_pos:
            raise ValueError(f"locked pair ({mentor_id}, {mentee_id}): unknown mentor id")
        if mentee_id not in mentee_pos:
            raise ValueError(f"locked pair ({mentor_id}, {mentee_id}): unknown mentee id")
        if mentee_id in seen:
            if seen[mentee_id] == mentor_id:
                continue  # the same lock twice
            raise ValueError(
                f"mentee {mentee_id} is locked to two mentors ({seen[mentee_id]} and {mentor_id})"
            )
        seen[mentee_id] = mentor_id
        pairs.append((mentee_pos[mentee_id], mentor_pos[mentor_id]))
    if not pairs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    e_idx = np.array([p[0] for p in pairs], dtype=np.int64)
    m_idx = np.array([p[1] for p in pairs], dtype=np.int64)
    blocks = ctx.blocks(e_idx, m_idx)
    for k in range(len(pairs)):
        broken = [rule for rule in RULES_ORDER if rule in blocks and blocks[rule][k]]
        if broken:
            raise ValueError(
                f"locked pair (mentor {ctx.mentors.ids[m_idx[k]]}, mentee "
                f"{ctx.mentees.ids[e_idx[k]]}) violates a hard constraint: {', '.join(broken)}"
            )
    counts = np.bincount(m_idx, minlength=len(ctx.mentors))
    over = np.flatnonzero(counts > ctx.mentors.capacity)
    if len(over):
        m = int(over[0])
        raise ValueError(
            f"mentor {ctx.mentors.ids[m]} has {counts[m]} locked mentees but capacity "
            f"{ctx.mentors.capacity[m]}"
        )
    return e_idx, m_idx


def _greedy_matching_size(feasible: np.ndarray, slots: np.ndarray) -> int:
    """Size of a maximal (not maximum) b-matching: a lower bound on the maximum matching."""
    left = slots.copy()
    open_cols = left > 0
    size = 0
    for row in feasible:
        cand = row & open_cols
        j = int(cand.argmax())
        if cand[j]:
            size += 1
            left[j] -= 1
            if left[j] == 0:
                open_cols[j] = False
    return size


def _unassigned_penalty(w: Weights, max_rank: int, n_rows: int) -> float:
    """A dummy-column cost that makes "one more match" beat any difference in score.

    Every pair value (score minus load penalty) lies in ``[lo, hi]``, known from the
    weights because every criterion is in ``[0, 1]``.  Matching one more mentee flips an
    augmenting path that adds ``k + 1`` pairs and removes ``k`` (``k < n_rows``), which
    changes the total score by at least ``-(k * (hi - lo) + max(-lo, 0))``; the penalty
    exceeds that bound, so the solver maximises the number of matches first.
    """
    weights = list(w.criteria().values())
    hi = sum(max(x, 0.0) for x in weights)
    lo = sum(min(x, 0.0) for x in weights) - w.load * max_rank
    return n_rows * (hi - lo) + abs(lo) + abs(hi) + 1.0


def build_problem(mentors: Side, mentees: Side, org: Org, rules: Rules) -> Problem:
    """Validate inputs, compute the hard-constraint mask, scores and the slot cost matrix."""
    n_topics = len(rules.topic_names)
    manager = np.asarray(org.manager, dtype=np.int64).reshape(-1)
    tin, tout = reporting_intervals(manager)
    mtr = _prep_side(mentors, "mentor", n_topics, len(manager))
    mte = _prep_side(mentees, "mentee", n_topics, len(manager))
    if len(mtr) and len(mte) and mtr.languages.shape[1] != mte.languages.shape[1]:
        raise ValueError("mentors and mentees must have the same number of language columns")
    w = rules.weights
    for name, value in (*w.criteria().items(), ("load", w.load)):
        if not np.isfinite(value):
            raise ValueError(f"weight {name} must be finite")
    if w.load < 0:
        raise ValueError("weights.load must be >= 0 (slot penalties must increase)")

    mentor_pos = {int(x): i for i, x in enumerate(mtr.ids.tolist())}
    mentee_pos = {int(x): i for i, x in enumerate(mte.ids.tolist())}
    forb = [
        (mentee_pos[int(e)], mentor_pos[int(m)])
        for m, e in rules.forbidden
        if int(m) in mentor_pos and int(e) in mentee_pos  # unknown ids cannot be paired anyway
    ]
    forbidden = None
    if forb:
        forbidden = np.zeros((len(mte), len(mtr)), dtype=np.bool_)
        forbidden[tuple(np.array(forb, dtype=np.int64).T)] = True
    ctx = _Context(mentors=mtr, mentees=mte, rules=rules, tin=tin, tout=tout, forbidden=forbidden)
    locked_e, locked_m = _lock_indices(ctx, mentor_pos, mentee_pos)

    n_e, n_m = len(mte), len(mtr)
    feasible = ctx.feasible_matrix()
    n_locks = np.bincount(locked_m, minlength=n_m)
    remaining = mtr.capacity - n_locks

    # Rows: free mentees with at least one eligible mentor that still has room.
    free = np.ones(n_e, dtype=np.bool_)
    free[locked_e] = False
    has_room = remaining > 0
    open_feasible = feasible if has_room.all() else feasible[:, has_room]
    rows = np.flatnonzero(free & (np.count_nonzero(open_feasible, axis=1) > 0))
    sub = open_feasible if len(rows) == n_e else open_feasible[rows]
    # Columns: a mentor never needs more slots than it has eligible free mentees.
    cols = np.flatnonzero(has_room)
    n_slots = np.minimum(remaining[cols], np.count_nonzero(sub, axis=0))
    keep = n_slots > 0
    if not keep.all():
        cols, n_slots, sub = cols[keep], n_slots[keep], sub[:, keep]
    # Enough dummy columns for every mentee a maximum matching must leave out.
    n_dummy = len(rows) - _greedy_matching_size(sub, n_slots)
    del sub, open_feasible

    # Column layout: block j holds the j-th free slot of every mentor that has one.  Mentors
    # are ordered by number of slots (most first), so block j is a prefix of block 0 plus
    # ``load * j``: a contiguous copy, no gather.
    by_slots = np.argsort(-n_slots, kind="stable")
    cols, n_slots = cols[by_slots], n_slots[by_slots]
    n_cols0 = len(cols)
    widths = [int((n_slots > j).sum()) for j in range(int(n_slots.max(initial=0)))]
    slot_mentor = np.concatenate([cols[:k] for k in widths]) if widths else cols
    slot_rank = n_locks[slot_mentor] + np.repeat(np.arange(len(widths)), widths)
    penalty = _unassigned_penalty(w, int(slot_rank.max(initial=0)), len(rows))

    cost = np.empty((len(rows), len(slot_mentor) + n_dummy))
    if len(rows):
        scorer = _Scorer(mtr, mte, w, cols, sign=-1.0)
        rank0_cost = w.load * n_locks[cols].astype(np.float64)  # locks fill the first slots
        start = np.cumsum([0, *widths])
        all_rows = len(rows) == n_e
        all_cols = len(cols) == n_m and bool((cols == np.arange(n_m)).all())
        scorer.fill_topics(slice(None) if all_rows else rows, cost[:, :n_cols0])
        for lo, hi in _row_chunks(len(rows), n_cols0):
            sel = slice(lo, hi) if all_rows else rows[lo:hi]
            blk = cost[lo:hi, :n_cols0]
            ok = feasible[sel] if all_cols else feasible[sel][:, cols]
            scorer.add_rest(sel, blk, ok)  # cost = -score, inf where infeasible
            if rank0_cost.any():
                blk += rank0_cost
            for j in range(1, len(widths)):
                np.add(blk[:, : widths[j]], w.load * j, out=cost[lo:hi, start[j] : start[j + 1]])
        cost[:, len(slot_mentor) :] = penalty
    slot_mentor = np.concatenate([slot_mentor, np.full(n_dummy, -1, dtype=np.int64)])
    slot_rank = np.concatenate([slot_rank, np.zeros(n_dummy, dtype=np.int64)])
    return Problem(
        mentors=mtr,
        mentees=mte,
        rules=rules,
        feasible=feasible,
        locked_mentee=locked_e,
        locked_mentor=locked_m,
        remaining=remaining,
        rows=rows,
        slot_mentor=slot_mentor,
        slot_rank=slot_rank,
        cost=cost,
        penalty=penalty,
        context=ctx,
    )


# --------------------------------------------------------------------------------------
# Solve
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Solution:
    """Chosen pairs as index arrays into the mentee/mentor sides (locked pairs first)."""

    mentee: np.ndarray
    mentor: np.ndarray
    locked: np.ndarray  # bool
    objective: float


def evaluate(problem: Problem, mentee: np.ndarray, mentor: np.ndarray) -> float:
    """Objective of a set of pairs: sum of scores minus load penalties (0 + 1 + ... per mentor)."""
    mentee = np.asarray(mentee, dtype=np.int64)
    mentor = np.asarray(mentor, dtype=np.int64)
    if len(mentee) == 0:
        return 0.0
    counts = np.bincount(mentor, minlength=len(problem.mentors)).astype(np.float64)
    load = problem.rules.weights.load * float((counts * (counts - 1) / 2).sum())
    return float(problem.pair_scores(mentee, mentor).sum()) - load


def solve(problem: Problem) -> Solution:
    """Solve the assignment exactly with :func:`scipy.optimize.linear_sum_assignment`."""
    # Imported here, not at the top: scipy.optimize takes seconds to import and every web process
    # imports this module with its URLs, while only the worker running a matching solves.
    from scipy.optimize import linear_sum_assignment

    if problem.cost.shape[0]:
        r, c = linear_sum_assignment(problem.cost)
        chosen = problem.cost[r, c]
        if not np.isfinite(chosen).all():  # cannot happen: dummies make it always feasible
            raise RuntimeError("assignment used an infeasible cell")
        real = problem.slot_mentor[c] >= 0
        e_new = problem.rows[r[real]]
        m_new = problem.slot_mentor[c[real]]
    else:
        e_new = m_new = np.zeros(0, dtype=np.int64)
    mentee = np.concatenate([problem.locked_mentee, e_new])
    mentor = np.concatenate([problem.locked_mentor, m_new])
    locked = np.zeros(len(mentee), dtype=np.bool_)
    locked[: len(problem.locked_mentee)] = True
    return Solution(
        mentee=mentee,
        mentor=mentor,
        locked=locked,
        objective=evaluate(problem, mentee, mentor),
    )


# --------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------


def _criteria_for_pairs(
    mentors: _Arrays, mentees: _Arrays, e: np.ndarray, m: np.ndarray
) -> dict[str, np.ndarray]:
    """Unweighted criteria in [0, 1] for the given pairs only (same formulas as the matrix)."""
    le = _normalised_rows(mentees.learn[e])
    lm = _normalised_rows(mentors.learn[m])
    de, dm = mentees.department[e], mentors.department[m]
    overlap = (mentees.availability[e] & mentors.availability[m]).sum(axis=1)
    gap = np.abs(mentees.utc_offset[e] - mentors.utc_offset[m])
    return {
        "mentor_teaches": (le * mentors.teach[m]).sum(axis=1),
        "mentee_teaches": (mentees.teach[e] * lm).sum(axis=1),
        "cross_department": ((de != dm) & (de >= 0) & (dm >= 0)).astype(np.float64),
        "availability": np.minimum(overlap, AVAILABILITY_FULL_HOURS) / AVAILABILITY_FULL_HOURS,
        "timezone": np.clip(1.0 - gap / TIMEZONE_ZERO_HOURS, 0.0, 1.0),
        "language": (mentees.languages[e] & mentors.languages[m]).any(axis=1).astype(np.float64),
    }


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _first_name(name: str, fallback: str) -> str:
    parts = name.split()
    return parts[0] if parts else fallback


def _hours(x: float) -> str:
    unit = "hour" if x == 1 else "hours"
    return f"{x:g} {unit}"


def _topics_clause(
    teacher: str, learner: str, teach: np.ndarray, learn: np.ndarray, topics: Sequence[str]
) -> str | None:
    cand = np.flatnonzero((teach > 0) & (learn > 0))
    if len(cand) == 0:
        return None
    # Highest priority for the learner first, then best proficiency, then topic order.
    cand = cand[np.lexsort((cand, -teach[cand], -learn[cand]))]
    names = [str(topics[t]) for t in cand[:MAX_TOPICS_NAMED]]
    extra = len(cand) - len(names)
    if extra:
        names.append(f"{extra} more topic" + ("s" if extra > 1 else ""))
    text = f"{teacher} can teach {learner} "
    if learn[cand[0]] >= learn.max():
        head = f"{names[0]}, which {learner} ranked first"
        rest = names[1:]
        if not rest:
            return text + head
        return text + head + ", " + ("and " if len(rest) == 1 else "") + _join(rest)
    return text + _join(names)


def _pair_explanation(problem: Problem, e: int, m: int, locked: bool) -> str:
    mte, mtr = problem.mentees, problem.mentors
    topics = problem.rules.topic_names
    mentor_name = _first_name(mtr.names[m], f"Mentor {mtr.ids[m]}")
    mentee_name = _first_name(mte.names[e], f"Mentee {mte.ids[e]}")
    if mentor_name == mentee_name:  # two people called Sam: use the full names
        mentor_name = mtr.names[m].strip() or f"Mentor {mtr.ids[m]}"
        mentee_name = mte.names[e].strip() or f"Mentee {mte.ids[e]}"
    clauses: list[str] = []
    for clause in (
        _topics_clause(mentor_name, mentee_name, mtr.teach[m], mte.learn[e], topics),
        _topics_clause(mentee_name, mentor_name, mte.teach[e], mtr.learn[m], topics),
    ):
        if clause:
            clauses.append(clause)
    if not clauses:
        clauses.append("no matching topics")
    de, dm = mte.department[e], mtr.department[m]
    if de >= 0 and dm >= 0 and de != dm:
        clauses.append("different departments")
    overlap = int((mte.availability[e] & mtr.availability[m]).sum())
    if overlap:
        clauses.append(f"{_hours(overlap)} of overlapping availability")
    else:
        clauses.append("no overlapping availability")
    gap = abs(float(mte.utc_offset[e]) - float(mtr.utc_offset[m]))
    if gap:
        clauses.append(f"time zones {_hours(gap)} apart")
    shared = np.flatnonzero(mte.languages[e] & mtr.languages[m])
    lang_names = problem.rules.language_names
    if len(shared) == 0:
        clauses.append("no shared language")
    elif len(lang_names) > int(shared.max()):
        named = [str(lang_names[i]) for i in shared[:MAX_TOPICS_NAMED]]
        if len(shared) > len(named):
            named.append(f"{len(shared) - len(named)} more")
        clauses.append("both speak " + _join(named))
    else:
        clauses.append("a shared language")
    text = "; ".join(clauses)
    text = text[0].upper() + text[1:] + "."
    return ("Locked by HR. " + text) if locked else text


def _dominant_rules(blocks: dict[str, np.ndarray]) -> list[str]:
    """The rule(s) that most often stand between a person and their candidates.

    Rules that are the *only* obstacle for some candidates come first (relaxing them would
    help), by how many candidates they alone block; otherwise the most frequent blockers.
    """
    present = [r for r in RULES_ORDER if r in blocks]
    if not present:
        return []
    stacked = np.stack([blocks[r] for r in present])
    per_candidate = stacked.sum(axis=0)
    sole = (stacked & (per_candidate == 1)).sum(axis=1)
    total = stacked.sum(axis=1)
    if sole.any():
        ranked = [(int(-sole[i]), i) for i in range(len(present)) if sole[i]]
    else:
        top = total.max()
        ranked = [(int(-total[i]), i) for i in range(len(present)) if 2 * total[i] >= top]
    return [present[i] for _, i in sorted(ranked)][:MAX_TOPICS_NAMED]


def _mentee_reason(problem: Problem, e: int) -> str:
    if problem.feasible[e].any():
        return REASON_AT_CAPACITY
    rules = _dominant_rules(problem.context.blocks(np.array([e]), np.arange(len(problem.mentors))))
    return "no eligible mentor" + (f" ({', '.join(rules)})" if rules else "")


def _mentor_reason(problem: Problem, m: int) -> str:
    if problem.mentors.capacity[m] == 0:
        return REASON_NO_CAPACITY
    eligible = problem.feasible[:, m]
    if not eligible.any():
        everyone = np.arange(len(problem.mentees))
        rules = _dominant_rules(problem.context.blocks(everyone, np.array([m])))
        return "no eligible mentee" + (f" ({', '.join(rules)})" if rules else "")
    free = np.ones(len(problem.mentees), dtype=np.bool_)
    free[problem.locked_mentee] = False
    if not (eligible & free).any():
        return REASON_MENTEES_LOCKED
    return REASON_BETTER_FIT


def explain(problem: Problem, solution: Solution) -> MatchResult:
    """Turn a solution into pairs with scores, parts, plain-English text, and unmatched."""
    mte, mtr = problem.mentees, problem.mentors
    order = np.lexsort((solution.mentee, solution.mentor))
    e_all, m_all = solution.mentee[order], solution.mentor[order]
    locked_all = solution.locked[order]
    crit = _criteria_for_pairs(mtr, mte, e_all, m_all)
    weights = problem.rules.weights.criteria()
    scores = problem.pair_scores(e_all, m_all).tolist()
    pairs = []
    for k, (e, m) in enumerate(zip(e_all.tolist(), m_all.tolist(), strict=True)):
        pairs.append(
            ProposedPair(
                mentor_id=int(mtr.ids[m]),
                mentee_id=int(mte.ids[e]),
                score=scores[k],
                locked=bool(locked_all[k]),
                explanation=_pair_explanation(problem, e, m, bool(locked_all[k])),
                parts={name: float(weights[name] * crit[name][k]) for name in weights},
            )
        )
    unmatched = []
    matched_e = np.zeros(len(mte), dtype=np.bool_)
    matched_e[solution.mentee] = True
    for e in np.flatnonzero(~matched_e).tolist():
        reason = _mentee_reason(problem, e)
        unmatched.append(Unmatched(id=int(mte.ids[e]), side="mentee", reason=reason))
    matched_m = np.zeros(len(mtr), dtype=np.bool_)
    matched_m[solution.mentor] = True
    for m in np.flatnonzero(~matched_m).tolist():
        reason = _mentor_reason(problem, m)
        unmatched.append(Unmatched(id=int(mtr.ids[m]), side="mentor", reason=reason))
    return MatchResult(pairs=pairs, unmatched=unmatched, objective=solution.objective)


def match(mentors: Side, mentees: Side, org: Org, rules: Rules) -> MatchResult:
    """Optimal pairing: build the problem, solve it exactly, explain the result.

    Raises :class:`ValueError` for invalid input: a manager cycle, a locked pair that breaks
    a hard constraint or exceeds its mentor's capacity, unknown locked ids, bad shapes.
    With no mentors or no mentees the result is empty.
    """
    problem = build_problem(mentors, mentees, org, rules)
    if len(problem.mentors) == 0 or len(problem.mentees) == 0:
        return MatchResult(pairs=[], unmatched=[], objective=0.0)
    return explain(problem, solve(problem))
