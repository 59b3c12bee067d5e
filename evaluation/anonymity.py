"""Which figures a dashboard may show under a program's anonymity threshold k.

Pure Python (no Django): every number on an evaluation page or in its CSV exports goes through
these functions together with the count of distinct people behind it.

The rules, in the order they apply:

* A figure backed by 1 to k-1 people is *small*: it reads "fewer than k". A figure backed by
  nobody (a count of 0, an average of no answers) describes no one and is shown as such: hiding
  zeros would also hide "100 % matched" (its complement is zero) without protecting anyone.
  Zeros still take part in the protection of breakdowns below.
* In a filtered view, the people behind the same figure *outside* the filter (``rests``) must also
  be none or at least k: otherwise comparing the filtered page with the unfiltered one would reveal
  the small remainder by subtraction. Such a figure is *hidden* (it is not "fewer than k").
* Breakdowns (groups that add up to a total): when the total is shown, a hidden group must not be
  recoverable as "total minus the visible groups". Complementary suppression hides further groups
  (smallest first) until the hidden ones are at least two and together backed by at least k
  people; if that is impossible, the total is hidden too. When the total is not shown, nothing of
  its breakdown is (the groups would add up to it). Groups hidden only to protect another group
  are marked *hidden*, not "fewer than k", because they are not small.
* Funnels (nested stages, each a subset of the one before): a stage is also hidden when the people
  who dropped out since the last shown stage are 1 to k-1, since that difference is a figure too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SHOWN = "shown"
SMALL = "small"  # backed by 1..k-1 people: "fewer than k"
HIDDEN = "hidden"  # not small itself, hidden so that a small group cannot be worked out


@dataclass(frozen=True)
class Fig:
    """A raw figure: its value and the distinct people behind it."""

    value: float | int | None
    n: int
    # People behind the same figure outside the current filter, one entry per coarser view the
    # filtered page could be compared with (empty when the page is not filtered).
    rests: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Cell:
    """What may be shown of a figure: the value only when ``state`` is SHOWN."""

    value: float | int | None
    state: str
    n: int | None = None

    @property
    def shown(self) -> bool:
        return self.state == SHOWN

    @property
    def small(self) -> bool:
        return self.state == SMALL

    @property
    def hidden(self) -> bool:
        return self.state == HIDDEN


def safe_count(n: int, k: int) -> bool:
    """A count of people that may be shown or derived: nobody, or at least k."""
    return n <= 0 or n >= k


def is_small(fig: Fig, k: int) -> bool:
    """Backed by 1..k-1 people: shown as "fewer than k"."""
    return not safe_count(fig.n, k)


def state_of(fig: Fig, k: int) -> str:
    """SMALL when the figure itself is small; HIDDEN when only the people outside the filter are
    (the figure is not "fewer than k", it is held back); SHOWN otherwise."""
    if is_small(fig, k):
        return SMALL
    if not all(safe_count(rest, k) for rest in fig.rests):
        return HIDDEN
    return SHOWN


def _cell(fig: Fig, state: str) -> Cell:
    if state == SHOWN:
        return Cell(value=fig.value, state=SHOWN, n=fig.n)
    return Cell(value=None, state=state)


def figure(fig: Fig, k: int) -> Cell:
    """One standalone figure."""
    return _cell(fig, state_of(fig, k))


def hide(cell: Cell) -> Cell:
    """Hide a cell because another rule says so (keeps "fewer than k" where it is true)."""
    return cell if not cell.shown else Cell(value=None, state=HIDDEN)


def breakdown(groups: Sequence[Fig], total: Fig | None, k: int, *, total_known: bool = False,
              forced: Sequence[bool] | None = None) -> tuple[list[Cell], Cell | None]:
    """Protect groups that add up to ``total``.

    ``total_known``: the total can be read elsewhere on the page (e.g. the length of a list of
    names), so it counts as shown even when it is not printed. ``forced``: groups another rule
    already hides (they take part in the protection like any hidden group). Returns the group
    cells and the total cell (None when no total was given).
    """
    forced = forced or [False] * len(groups)
    states = [SMALL if is_small(g, k) else HIDDEN if f else state_of(g, k)
              for g, f in zip(groups, forced, strict=True)]
    total_state = state_of(total, k) if total is not None else SHOWN
    if total_state != SHOWN:
        # Nothing of a breakdown of a hidden total may show, not even its zeros: the groups
        # would add up to it.
        states = [SMALL if s == SMALL else HIDDEN for s in states]
    elif total is not None or total_known:
        disjoint = total is not None and sum(g.n for g in groups) == total.n

        def unsafe() -> bool:
            hidden = [g.n for g, s in zip(groups, states, strict=True) if s != SHOWN]
            if not hidden:
                return False
            # People in disjoint groups add up; otherwise the biggest group is a safe lower bound.
            people = sum(hidden) if disjoint else max(hidden)
            return len(hidden) == 1 or people < k

        while unsafe():
            visible = [i for i, s in enumerate(states) if s == SHOWN]
            if not visible:
                break
            # Prefer groups with people in them: hiding a zero protects little.
            pick = min(visible, key=lambda i: (groups[i].n <= 0, groups[i].n, i))
            states[pick] = HIDDEN
        if unsafe() and total is not None:
            total_state = HIDDEN
    cells = [_cell(g, s) for g, s in zip(groups, states, strict=True)]
    return cells, (_cell(total, total_state) if total is not None else None)


def chain(stages: Sequence[Fig], k: int, *, forced: Sequence[bool] | None = None) -> list[Cell]:
    """Protect nested stages (a funnel): each stage's people are a subset of the previous one's.

    ``forced``: stages another rule already hides.
    """
    cells: list[Cell] = []
    last: Fig | None = None
    for stage, hidden in zip(stages, forced or [False] * len(stages), strict=True):
        state = state_of(stage, k)
        if state != SHOWN or hidden:
            cells.append(_cell(stage, HIDDEN if state == SHOWN else state))
            continue
        if last is not None and not _safe_difference(last, stage, k):
            cells.append(_cell(stage, HIDDEN))
            continue
        cells.append(_cell(stage, SHOWN))
        last = stage
    return cells


def _safe_difference(earlier: Fig, later: Fig, k: int) -> bool:
    if not safe_count(earlier.n - later.n, k):
        return False
    return all(safe_count(a - b, k) for a, b in zip(earlier.rests, later.rests, strict=False))


def share(part: Fig, whole: Fig, k: int) -> Cell:
    """``part`` as a share (0–1) of ``whole``, both counts of people.

    Shown only when the part, the whole and the rest of the whole (whole minus part) are each
    nobody or at least k: a share and its whole give away both counts.
    """
    rest = Fig(value=None, n=whole.n - part.n,
               rests=tuple(w - p for w, p in zip(whole.rests, part.rests, strict=False)))
    if is_small(part, k) or is_small(whole, k):
        return Cell(value=None, state=SMALL)
    if any(state_of(f, k) != SHOWN for f in (part, whole, rest)) or not whole.n:
        return Cell(value=None, state=HIDDEN)
    return Cell(value=part.n / whole.n, state=SHOWN, n=whole.n)
