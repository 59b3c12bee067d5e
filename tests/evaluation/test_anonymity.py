"""The pure anonymity rules: no shown figure is backed by 1..k-1 people, and no hidden group can be
worked out as a total minus the visible groups."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import disclosure as anonymity
from evaluation.disclosure import HIDDEN, SHOWN, SMALL, Fig

K = 5


def test_a_figure_behind_fewer_than_k_people_is_small():
    assert anonymity.figure(Fig(4.2, 4), K).state == SMALL
    assert anonymity.figure(Fig(4.2, 5), K).state == SHOWN
    assert anonymity.figure(Fig(4.2, 5), K).value == 4.2


def test_a_figure_behind_nobody_is_shown_because_it_describes_no_one():
    assert anonymity.figure(Fig(0, 0), K).shown


def test_a_filtered_figure_is_held_back_when_the_rest_outside_the_filter_is_small():
    # The unfiltered page minus this one would reveal the 2 people outside the filter. The figure
    # itself is not "fewer than k": it is hidden.
    assert anonymity.figure(Fig(10, 12, rests=(2,)), K).hidden
    assert anonymity.figure(Fig(10, 12, rests=(0,)), K).shown
    assert anonymity.figure(Fig(10, 12, rests=(7,)), K).shown


def test_a_single_small_group_takes_the_next_smallest_group_with_it():
    cells, total = anonymity.breakdown([Fig(3, 3), Fig(9, 9), Fig(6, 6)], Fig(18, 18), K)
    assert [c.state for c in cells] == [SMALL, SHOWN, HIDDEN]
    assert total.shown and total.value == 18


def test_hidden_groups_together_must_reach_k_people():
    cells, total = anonymity.breakdown([Fig(1, 1), Fig(2, 2), Fig(9, 9), Fig(20, 20)], Fig(32, 32), K)
    # 1 + 2 < 5: the 9 goes too, so the hidden part (12 people) cannot be split.
    assert [c.state for c in cells] == [SMALL, SMALL, HIDDEN, SHOWN]
    assert total.shown


def test_everything_is_hidden_when_the_total_is_small():
    cells, total = anonymity.breakdown([Fig(1, 1), Fig(0, 0), Fig(3, 3)], Fig(4, 4), K)
    assert total.small
    assert not any(c.shown for c in cells)  # not even the zero


def test_the_total_is_hidden_when_no_combination_protects_a_group():
    cells, total = anonymity.breakdown([Fig(3, 3)], Fig(9, 9), K)
    assert cells[0].small and total.hidden


def test_a_known_total_still_protects_its_groups():
    # The total (a list of names) is known even though not printed: one hidden group must not stay alone.
    cells, _ = anonymity.breakdown([Fig(2, 4), Fig(0, 0), Fig(3, 6)], None, K, total_known=True)
    assert [c.state for c in cells] == [SMALL, SHOWN, HIDDEN]


def test_a_funnel_hides_a_stage_when_too_few_people_dropped_out():
    cells = anonymity.chain([Fig(40, 40), Fig(37, 37), Fig(30, 30), Fig(30, 30)], K)
    # 40 → 37 loses 3 people: showing 37 would tell. 40 → 30 loses 10, 30 → 30 none.
    assert [c.state for c in cells] == [SHOWN, HIDDEN, SHOWN, SHOWN]


def test_a_share_needs_its_part_and_the_rest_of_its_whole():
    assert anonymity.share(Fig(8, 8), Fig(10, 10), K).state != SHOWN  # 2 people are not matched
    share = anonymity.share(Fig(5, 5), Fig(10, 10), K)
    assert share.shown and share.value == 0.5
    assert anonymity.share(Fig(10, 10), Fig(10, 10), K).value == 1.0


def test_forced_groups_count_as_hidden_in_the_protection():
    cells, total = anonymity.breakdown([Fig(6, 6), Fig(7, 7), Fig(8, 8)], Fig(21, 21), K,
                                       forced=[True, False, False])
    assert [c.state for c in cells] == [HIDDEN, HIDDEN, SHOWN]


# --- properties --------------------------------------------------------------------------------------


groups_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=40)),
    min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(groups=groups_strategy, k=st.integers(min_value=3, max_value=7))
def test_no_shown_value_is_backed_by_fewer_than_k_people(groups, k):
    figs = [Fig(value, n) for n, value in groups]
    total = Fig(sum(f.value for f in figs), sum(f.n for f in figs))
    cells, total_cell = anonymity.breakdown(figs, total, k)
    for fig, cell in [*zip(figs, cells, strict=True), (total, total_cell)]:
        if cell.shown:
            assert fig.n == 0 or fig.n >= k
        else:
            assert cell.value is None


@settings(max_examples=400, deadline=None)
@given(groups=groups_strategy, k=st.integers(min_value=3, max_value=7))
def test_no_hidden_group_can_be_recovered_from_the_total(groups, k):
    figs = [Fig(value, n) for n, value in groups]
    total = Fig(sum(f.value for f in figs), sum(f.n for f in figs))
    cells, total_cell = anonymity.breakdown(figs, total, k)
    if not total_cell.shown:
        return
    hidden = [i for i, c in enumerate(cells) if not c.shown]
    # What a reader can work out: total minus the visible groups = the hidden groups together.
    recovered_value = total_cell.value - sum(c.value for c in cells if c.shown)
    assert recovered_value == sum(figs[i].value for i in hidden)
    if hidden:
        # Never one hidden group alone, and never a hidden part behind fewer than k people.
        assert len(hidden) >= 2
        assert sum(figs[i].n for i in hidden) >= k


@settings(max_examples=300, deadline=None)
@given(groups=groups_strategy, k=st.integers(min_value=3, max_value=7))
def test_overlapping_groups_are_protected_by_their_biggest_hidden_group(groups, k):
    # Groups that may share people (weeks of a series): the total's people are not their sum.
    figs = [Fig(value, n) for n, value in groups]
    total = Fig(sum(f.value for f in figs), max(f.n for f in figs) + 1)
    cells, total_cell = anonymity.breakdown(figs, total, k)
    hidden = [i for i, c in enumerate(cells) if not c.shown]
    if total_cell.shown and hidden:
        assert len(hidden) >= 2
        disjoint = sum(f.n for f in figs) == total.n  # then the groups cannot share anyone
        people = [figs[i].n for i in hidden]
        assert (sum(people) if disjoint else max(people)) >= k


@settings(max_examples=300, deadline=None)
@given(drops=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=6),
       start=st.integers(min_value=0, max_value=60), k=st.integers(min_value=3, max_value=7))
def test_no_funnel_difference_between_shown_stages_is_a_small_group(drops, start, k):
    stages, n = [], start + sum(drops)
    for drop in [0, *drops]:
        n -= drop
        stages.append(Fig(n, n))
    cells = anonymity.chain(stages, k)
    shown = [s.n for s, c in zip(stages, cells, strict=True) if c.shown]
    assert all(n == 0 or n >= k for n in shown)
    assert all(a - b == 0 or a - b >= k for a, b in zip(shown, shown[1:], strict=False))
