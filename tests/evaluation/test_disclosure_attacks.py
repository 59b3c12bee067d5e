"""The attacks of issue 16 (and the readability slips of issue 12), each as a named regression test
against the six-pair program of conftest (k = 3; sessions every two weeks from 12 January)."""

from __future__ import annotations

import json

import pytest

from pairing.models import Pair
from tests.evaluation import builders as b
from tests.evaluation.helpers import get_csv, get_dashboard, stat, table, value

pytestmark = pytest.mark.django_db


def figures(client, program, **params) -> dict[str, str]:
    return {r[0]: r[1] for r in get_csv(client, program, "engagement-figures", **params)[1:]}


def six_meeting_pairs(lead, name: str):
    """Six pairs (Engineering with Sales, Marketing with Finance) meeting together every other week
    from 14 January (14 and 28 January, 11 and 25 February): every week has 12 people or nobody."""
    prog, _q = b.program(k=3, leads=[lead], name=name)
    mentors = [b.person(prog, "mentor", department=d, name=f"Mentor {i}")
               for i, d in enumerate(["Engineering"] * 3 + ["Marketing"] * 3)]
    mentees = [b.person(prog, "mentee", department=d, name=f"Mentee {i}")
               for i, d in enumerate(["Sales"] * 3 + ["Finance"] * 3)]
    pairs = [b.pair(prog, m, s) for m, s in zip(mentors, mentees, strict=True)]
    for p in pairs:
        b.held(p, 4, first=b.at(2026, 1, 14, 10))
    return prog, pairs


@pytest.fixture
def busy(frozen, lead):
    """The six meeting pairs, and pair 5 once more, alone, on 18 February: a week of 2 people (< 3).
    Nothing else happens, so the reporting periods are decided by the sessions alone."""
    prog, pairs = six_meeting_pairs(lead, "Busy")
    b.session(pairs[4], b.at(2026, 2, 18, 10))
    return prog


@pytest.fixture
def steady(frozen, lead):
    """The six meeting pairs and nothing else: every week is safe, so the periods are weeks."""
    return six_meeting_pairs(lead, "Steady")[0]


def test_a_single_day_window_is_widened_to_whole_periods(client, lead, busy):
    client.force_login(lead)
    # Before: from=to=18 February showed the one session of that day (or hid it while its rate,
    # 3.0 sessions per pair per month, gave it away). Now the day stands for its whole fortnight.
    day = figures(client, busy, **{"from": "2026-02-18", "to": "2026-02-18"})
    assert day["Sessions held"] == "7"  # 16 February – 1 March: pair 5's lone session and the six of 25 Feb
    params = {"from": "2026-02-18", "to": "2026-02-18"}
    report = get_dashboard(client, busy, **params).context["report"]
    assert (report.window.first_day.isoformat(), report.window.last_day.isoformat()) == (
        "2026-02-16", "2026-03-01")
    assert "widened to whole periods" in report.summary
    # No window isolates the lone session: every day of that week gives the same seven.
    for day_of_month in range(16, 23):
        when = f"2026-02-{day_of_month}"
        assert figures(client, busy, **{"from": when, "to": when})["Sessions held"] == "7"
    # Nor does a department filter: each of its windows is the same fortnight.
    for department in ("Marketing", "Finance"):
        shown = figures(client, busy, department=department, **{"from": "2026-02-22", "to": "2026-02-22"})
        assert shown["Sessions held"] == "4", department  # pair 5 twice and pairs 4, 6 once


def test_a_lone_no_show_cancellation_or_answer_cannot_be_isolated_by_two_windows(client, lead, busy):
    """Before: no-shows, cancellations and answers were cut at the window's own dates, so windows
    A and A + 1 day differed by one person's no-show. Now the periods are safe for them too."""
    pair = Pair.objects.filter(program=busy).order_by("pk")[3]
    b.session(pair, b.at(2026, 2, 2, 10), status="no_show")  # a week where nobody met
    b.cancelled(pair, "mentee", b.at(2026, 2, 10, 10))  # the event is on Monday 9 February
    client.force_login(lead)
    seen = {}
    for start in ("2026-01-26", "2026-02-02", "2026-02-09"):
        for stop in ("2026-02-08", "2026-02-09", "2026-02-15"):
            if stop < start:
                continue  # the form refuses a range that ends before it starts
            shown = figures(client, busy, **{"from": start, "to": stop})
            seen[(start, stop)] = (shown["No-shows"], shown["Sessions held"])
    # Every window holding 2 February is widened to the same period as the others around it: the
    # no-show shows up in all of them or in none, never in one window and not in the next.
    assert len(set(seen.values())) == 1, seen
    assert not any(no_shows == "1" for no_shows, _held in seen.values())
    day = {"from": "2026-02-09", "to": "2026-02-09"}
    rows = {r[0]: r for r in get_csv(client, busy, "cancellations", **day)}
    assert rows["Total"][1].startswith("hidden"), rows  # one person's cancellation: never a number


def test_a_rate_is_hidden_whenever_the_count_it_comes_from_is(client, lead, frozen):
    prog, _q = b.program(k=3, leads=[lead], name="Tiny")
    mentor = b.person(prog, "mentor", department="Sales", name="Only mentor")
    mentee = b.person(prog, "mentee", department="Sales", name="Only mentee")
    b.held(b.pair(prog, mentor, mentee), 3)
    client.force_login(lead)
    shown = figures(client, prog)
    # Two people held these sessions: the count is hidden, and so is everything worked out from it
    # (before: "Sessions per pair per month" 1.6 beside "fewer than 3" gave the count away).
    for label in ("Sessions held", "Held vs expected", "Pairs on track", "Sessions per pair per month",
                  "Hours of mentoring"):
        assert shown[label].startswith("hidden"), (label, shown[label])
    report = get_dashboard(client, prog).context["report"]
    assert stat(report, "engagement", "Sessions per pair per month").why == "derived"
    # Each says why in one sentence, on the page and in the download.
    rows = {r[0]: r[2] for r in get_csv(client, prog, "engagement-figures")[1:]}
    assert rows["Sessions per pair per month"].startswith(
        "Hidden because it is worked out from a figure about fewer than 3 people.")
    page = get_dashboard(client, prog).content.decode()
    assert "Hidden because fewer than 3 people stand behind it." in page


def test_pairs_on_track_is_not_100_percent_in_a_period_with_no_session_due(client, lead, steady):
    client.force_login(lead)
    # The week of 5 January (a reporting period of its own: every week of this program is safe):
    # nothing held, and with a session due every two weeks nothing was due.
    shown = figures(client, steady, **{"from": "2026-01-06", "to": "2026-01-06"})
    assert shown["Sessions held"] == "0"
    assert shown["Pairs on track"] == "nothing due"
    page = get_dashboard(client, steady, **{"from": "2026-01-06", "to": "2026-01-06"})
    assert "No session was due from any pair in this period" in page.content.decode()


def test_a_small_groups_zero_cancellations_are_hidden(client, lead, six_pairs):
    for name in ("Counsel 1", "Counsel 2"):
        b.person(six_pairs.program, "mentee", department="Legal", name=name)
    client.force_login(lead)
    rows = {r[0]: r for r in get_csv(client, six_pairs.program, "departments")}
    legal = rows["Legal"]
    # Before: "fewer than 3" participants and 0 cancellations: nobody of them cancelled.
    assert legal[1] == "hidden (fewer than 3 people)"
    assert legal[5].startswith("hidden"), legal
    # And the column still adds up to nothing narrower: another department is hidden with it.
    cancellations = [r[5] for r in rows.values() if r[0] not in ("Department", "All")]
    assert sum(c.startswith("hidden") for c in cancellations) >= 2


def test_the_sessions_chart_coarsens_instead_of_dropping_weeks(client, lead, busy):
    client.force_login(lead)
    response = get_dashboard(client, busy)
    weekly = table(response.context["report"], "weekly")
    assert weekly.title == "Sessions per fortnight: held and expected"
    assert "Shown by fortnight rather than by week" in weekly.note
    held = [value(r[1]) for r in weekly.rows]
    assert all(isinstance(n, int) for n in held) and sum(held) == 25
    spec = json.loads(response.content.decode().split('id="chart-weekly" type="application/json">')[1]
                      .split("</script>")[0])
    # No bar is missing and no label carries a "(fewer than …)" remark.
    assert spec["datasets"][0]["data"] == held
    assert len(spec["labels"]) == len(held) and not any("(" in label for label in spec["labels"])
    assert get_csv(client, busy, "weekly")[0] == ["Fortnight", "Sessions held", "Expected"]


def test_a_lone_event_in_a_small_group_keeps_the_whole_program_as_one_period(client, lead, six_pairs):
    # In the six-pair program one Marketing mentor cancelled alone, and more: no split of the
    # program in time is safe for every figure of every department, so no date range narrows it.
    client.force_login(lead)
    report = get_dashboard(client, six_pairs.program, **{"from": "2026-02-09", "to": "2026-02-09"}
                           ).context["report"]
    assert (report.window.first_day.isoformat(), report.window.last_day.isoformat()) == (
        "2026-01-05", "2026-03-02")
    # The sessions chart still reads by week: its one figure, the sessions held, is safe in every
    # week (12 January 5 sessions of 10 people, …, 23 February 2 of 4), so the one reporting period
    # does not flatten it into one bar.
    weekly = table(report, "weekly")
    assert weekly.title == "Sessions per week: held and expected"
    assert [value(r[1]) for r in weekly.rows] == [0, 5, 0, 4, 0, 4, 0, 2, 0]


def test_the_cancellations_table_never_reads_fewer_than_k_as_a_count(client, lead, six_pairs):
    client.force_login(lead)
    rows = get_csv(client, six_pairs.program, "cancellations")
    # Before: "fewer than 3" in a column of cancellations beside a total of 5.
    cells = [cell for r in rows[1:] for cell in r[1:]]
    assert not any(cell.startswith("fewer than") for cell in cells)
    assert rows[1][1] == "hidden (fewer than 3 people)" and rows[2][1] == "hidden"
    assert rows[3][1] == "5"


def test_the_pairs_on_track_table_has_distinct_headers(client, lead, six_pairs):
    client.force_login(lead)
    header = get_csv(client, six_pairs.program, "cadence")[0]
    assert header == ["Status", "Pairs"]  # was "Pairs | Pairs"


def test_the_filter_summary_keeps_its_phrases_apart(client, lead, six_pairs):
    client.force_login(lead)
    response = get_dashboard(client, six_pairs.program, department="Engineering", **{"from": "2026-01-12"})
    summary = response.context["report"].summary
    # (Pairs outside Engineering met too few in some weeks: the period is widened to whole months.)
    assert summary.startswith("department Engineering; period 5 Jan 2026 – ")
    assert "widened to whole periods" in summary
    assert summary.endswith(".")
    text = " ".join(response.content.decode().split())
    assert "Showing:</strong> department Engineering; period" in text
    # "Figures up to …" is a sentence of its own, not run into the department's name.
    assert "Engineering Figures" not in text
