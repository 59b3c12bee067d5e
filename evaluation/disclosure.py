"""Disclosure control for every figure a program lead can see: pure Python, no Django.

Every dashboard section, CSV export and print view (and any later API figure) goes through this
module together with the count of distinct people behind each figure. The rules:

1. **Sensitive cells.** A cell is *sensitive* when fewer than k distinct people stand behind it:
   a count of sessions, answers or cancellations is about the people who produced them, so its
   people are those people, not the number itself. A cell backed by 1 to k-1 people is *small*
   and reads "hidden (fewer than k people)". A figure can also be *about* a group (its
   ``population``: the participants of a department row, the pairs of a period); when that group
   has 1 to k-1 people the figure is small too, even when nobody is behind its value (a small
   group's zero cancellations say something about every member of the group).
2. **Inheritance.** Every derived figure (rate, share, mean, median, "on track", a zero, a total
   equal to a shown cell) inherits the suppression of the cells it is computed from
   (:func:`derived`, :func:`share`, the ``forced`` argument of :func:`breakdown`): a rate is
   never shown beside a hidden count it would give away.
3. **Secondary suppression.** Within a table whose cells add up to a shown total, a hidden cell
   must not be the total minus the shown ones: further cells are hidden (smallest first) until the
   hidden ones are at least two and together backed by at least k people, or the total is hidden
   too (:func:`breakdown`; nested stages: :func:`chain`). Across the tables a lead gets by
   changing filters: a filtered figure is shown only when the same figure outside the filter
   (``rests``: the rest of the program, and the view without each single filter) is backed by
   nobody or at least k people, and only when the unfiltered breakdown by that filter shows its
   group; so no difference of two published figures isolates fewer than k people. Linked
   two-way tables are not published at all (the page takes one department or one intake, not
   both, and shows breakdowns for all participants only): their margins would let hidden cells be
   solved for, whatever each table hides on its own.
4. **Time.** Date windows are never single days, and never cut a *reporting period*: a window
   snaps outward to whole periods (:func:`snap`). The periods are one set per program, the same
   under every filter, chosen by :func:`coarsen` (week → fortnight → month, then merging a
   still-unsafe period into its neighbour rather than dropping it) so that in each period every
   windowed figure — sessions held, no-shows, cancellations and reschedules by role, invitations
   answered and not, each survey question's options and recommendation groups, topics taught — is
   backed by nobody or at least k people, for the whole program, for every department and intake a
   filter can select and for the rest of the program outside each (``evaluation.reporting_periods``
   reads these counts). Every published windowed figure is then a sum of whole periods of safe
   cells, and any two windows, under any two filters the form offers, differ by whole periods of
   safe cells: no difference of windows isolates fewer than k people. Tables that cross a group
   dimension with time (breakdowns by department, level band or intake) are published for the
   whole program only; satisfaction over time is shown by reporting period. The sessions chart
   shows one figure, the sessions held, so its periods need only be safe for that one (in and
   outside the filter) and lie inside the reporting periods: it keeps weeks where they are safe.

Zeros backed by nobody and about nobody-in-particular ("0 no-shows" across the whole program) are
shown: hiding them would hide "100 % matched" without protecting anyone. The tests audit all of
this the way statistical offices audit their tables: for random cohorts and filters they collect
every figure a lead can download and bound each hidden cell by linear programming.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SHOWN = "shown"
# Reasons a page can give in one sentence, beside SMALL and HIDDEN.
WHY_DERIVED = "derived"  # computed from a withheld figure
WHY_NONE_DUE = "none_due"  # nothing was expected in the period: "on track" means nothing
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
    # The people the figure is about (a department row's participants), when not the same.
    population: int | None = None


@dataclass(frozen=True)
class Cell:
    """What may be shown of a figure: the value only when ``state`` is SHOWN."""

    value: float | int | None
    state: str
    n: int | None = None
    # Why a withheld cell is withheld, beyond its state (see WHY_*); "" for the usual reasons.
    why: str = ""

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
    """Backed by (or about a group of) 1..k-1 people."""
    return not safe_count(fig.n, k) or (fig.population is not None and not safe_count(fig.population, k))


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


def derived(value: float | int | None, *sources: Cell, n: int | None = None) -> Cell:
    """A figure computed from ``sources``: shown only when every source is shown (rule 2)."""
    withheld = [c for c in sources if not c.shown]
    if not withheld:
        return Cell(value=value, state=SHOWN, n=n)
    return Cell(value=None, state=SMALL if any(c.small for c in withheld) else HIDDEN, why=WHY_DERIVED)


# --- time ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A period of a time series: atoms (weeks) ``first`` to ``last`` inclusive, and its figure."""

    first: int
    last: int
    fig: Fig

    def merge(self, other: Span) -> Span:
        # People of two periods may overlap: the bigger one is a safe lower bound of the union.
        a, b = self.fig, other.fig
        value = (a.value or 0) + (b.value or 0) if a.value is not None or b.value is not None else None
        rests = tuple(max(x, y) for x, y in zip(a.rests, b.rests, strict=False))
        fig = Fig(value, max(a.n, b.n), rests)
        return Span(min(self.first, other.first), max(self.last, other.last), fig)


def safe_span(span: Span, k: int) -> bool:
    return state_of(span.fig, k) == SHOWN


def coarsen(levels: Sequence[Sequence[Span]], k: int) -> tuple[int, list[Span]]:
    """The finest level whose periods are all safe, as (level index, periods).

    ``levels`` go from fine to coarse (weeks, fortnights, months) and each covers the same atoms.
    When even the coarsest level has unsafe periods, each one is merged into its smaller
    neighbour until every period is safe or one period is left (the whole series: the caller
    protects it as the total it is). Nothing is dropped, so the periods always add up.
    """
    for index, spans in enumerate(levels):
        if all(safe_span(s, k) for s in spans):
            return index, list(spans)
    spans = list(levels[-1]) if levels else []
    while len(spans) > 1:
        unsafe = next((i for i, s in enumerate(spans) if not safe_span(s, k)), None)
        if unsafe is None:
            break
        if unsafe == 0:
            other = 1
        elif unsafe == len(spans) - 1:
            other = unsafe - 1
        else:
            before, after = spans[unsafe - 1], spans[unsafe + 1]
            other = unsafe - 1 if before.fig.n <= after.fig.n else unsafe + 1
        low, high = sorted((unsafe, other))
        spans[low:high + 1] = [spans[low].merge(spans[high])]
    return max(len(levels) - 1, 0), spans


def snap(spans: Sequence[Span], first: int | None, last: int | None) -> tuple[int, int] | None:
    """Atoms ``first``..``last`` widened to whole periods (None: open ends); None without periods."""
    if not spans:
        return None
    lo = spans[0].first if first is None else max(first, spans[0].first)
    hi = spans[-1].last if last is None else min(last, spans[-1].last)
    lo = min(lo, spans[-1].last)
    hi = max(hi, spans[0].first)
    start = next(s.first for s in spans if s.last >= lo)
    end = next(s.last for s in reversed(spans) if s.first <= hi)
    return start, max(start, end)
