"""Every figure of the dashboard against the hand-computed six-pair program (see conftest)."""

from __future__ import annotations

import pytest

from tests.evaluation.helpers import get_csv, get_dashboard, row, stat, table, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(client, lead, six_pairs):
    client.force_login(lead)
    response = get_dashboard(client, six_pairs.program)
    assert response.status_code == 200
    return response.context["report"]


def test_the_funnel_counts_each_stage(report):
    funnel = {r[0]: value(r[1]) for r in table(report, "funnel").rows}
    assert funnel == {"Eligible": 15, "Applied": 15, "Approved": 12, "Matched": 12, "Active": 12}


def test_applications_that_were_not_approved_are_hidden_together(report):
    outcomes = {r[0]: value(r[1]) for r in table(report, "applications").rows}
    # Waitlisted (1) and declined (2) are each fewer than 3: hidden, but together they are 3.
    assert outcomes == {"Approved": 12, "Waiting for a decision": 0, "Waitlisted": "small",
                        "Declined by HR": "small", "Withdrew": 0, "Total": 15}


def test_matching_figures(report):
    assert value(stat(report, "enrolment", "Share of approved people matched")) == 1.0
    assert value(stat(report, "enrolment", "Senior mentees per junior mentor")) == 1.0
    assert value(stat(report, "enrolment", "Median days to match")) == 2
    assert value(row(report, "roles", "Junior mentors")[1]) == 6
    assert value(row(report, "pairs", "Active")[1]) == 6
    assert value(row(report, "pairs", "Ended early (no-fault exit)")[1]) == 0


def test_engagement_against_the_cadence(report):
    assert value(stat(report, "engagement", "Sessions held")) == 15
    assert value(stat(report, "engagement", "Held vs expected")) == pytest.approx(15 / 24)
    assert value(stat(report, "engagement", "Pairs on track")) == pytest.approx(4 / 6)
    assert value(stat(report, "engagement", "Hours of mentoring")) == pytest.approx(11.25)
    # Two people behind the one no-show: fewer than 3.
    assert value(stat(report, "engagement", "No-shows")) == "small"
    # 15 sessions over 6 pairs × (8 weeks + half a day), in months of 52/12 weeks.
    months = 6 * (56.5 / 7) * 12 / 52
    assert value(stat(report, "engagement", "Sessions per pair per month")) == pytest.approx(15 / months)
    cadence = {r[0]: value(r[1]) for r in table(report, "cadence").rows}
    assert list(cadence.values()) == [4, 2, 6]


def test_sessions_per_week(report):
    # One Marketing mentor cancelled alone, one pair missed a session alone, single survey options:
    # no split of this small program in time is safe for every department, so the whole program is
    # one reporting period (see test_disclosure_attacks for a program whose weeks are). The chart
    # shows one figure, the sessions held, and that is safe in every week: it stays weekly.
    weeks = {r[0]: value(r[1]) for r in table(report, "weekly").rows}
    assert weeks == {"5 Jan 2026": 0, "12 Jan 2026": 5, "19 Jan 2026": 0, "26 Jan 2026": 4, "2 Feb 2026": 0,
                     "9 Feb 2026": 4, "16 Feb 2026": 0, "23 Feb 2026": 2, "2 Mar 2026": 0}
    assert table(report, "weekly").title == "Sessions per week: held and expected"
    expected = [value(r[2]) for r in table(report, "weekly").rows]
    # Six pairs, a session every two weeks, from 5 January to Monday 2 March at noon.
    assert sum(expected) == pytest.approx(6 * ((8 * 7 + 0.5) / 7) / 2)


def test_who_cancels_is_counted_by_role_and_protected(report):
    rows = {r[0]: (value(r[1]), value(r[2])) for r in table(report, "cancellations").rows}
    # One mentor cancelled: fewer than 3 people, so the mentees' count would give it away.
    assert rows == {"Junior mentors": ("small", 3), "Senior mentees": ("hidden", 3), "Total": (5, 6)}


def test_survey_quality(report):
    assert value(stat(report, "quality", "Average satisfaction")) == pytest.approx(4.0)
    assert value(stat(report, "quality", "Pairing fit after the first session")) == pytest.approx(4.0)
    assert value(stat(report, "quality", "Recommendation")) == pytest.approx(44 / 6)
    assert value(stat(report, "quality", "Net promoter score")) in ("small", "hidden")
    assert value(stat(report, "quality", "Survey response rate")) == pytest.approx(11 / 16)
    questions = {r[0]: (value(r[3]), value(r[4])) for r in table(report, "questions").rows}
    assert questions["How useful was this session?"] == (pytest.approx(4.0), 5)
    nps = {r[0]: value(r[1]) for r in table(report, "recommendation").rows}
    assert nps == {"Promoters (9–10)": 0.5, "Passives (7–8)": "small", "Detractors (0–6)": "small"}
    rates = {r[0]: value(r[3]) for r in table(report, "response_rates").rows}
    assert rates == {"After each session": 0.5, "End of program": 1.0, "All surveys": pytest.approx(11 / 16)}


def test_skill_gains_in_each_direction(report):
    assert value(stat(report, "outcomes", "What senior mentees learned")) == pytest.approx(4 / 3)
    assert value(stat(report, "outcomes", "What junior mentors learned")) == pytest.approx(4 / 3)
    topics = {(r[0], r[1]): (value(r[2]), value(r[3])) for r in table(report, "topics").rows}
    assert topics == {("Generative AI", "Junior mentor"): (11, 3),
                      ("Industry knowledge", "Senior mentee"): ("small", "small")}


def test_goals_are_met_or_not(report):
    goals = {r[0]: (r[2], r[3].code) for r in table(report, "goals").rows}
    assert goals == {
        "Pairs keep meeting": ("67 %", "met"),
        "Sessions are valued": ("4.0", "met"),
        "Seniors learn digital skills": ("+1.3", "met"),
        "Juniors learn the business": ("+1.3", "not_met"),
        "People answer surveys": ("69 %", "not_met"),
        "People recommend it": ("7.3", "not_met"),
        "A culture of learning both ways": ("—", "not_measured"),
    }


def test_pairs_at_risk_are_named_without_their_reason(report, six_pairs):
    reasons = {r[0]: value(r[1]) for r in table(report, "at_risk").rows}
    assert list(reasons.values()) == [0, 0, 2, 2]
    assert report.at_risk_names == [{"mentor": "Mentor 5", "mentee": "Mentee 5"},
                                    {"mentor": "Mentor 6", "mentee": "Mentee 6"}]


def test_department_breakdown_hides_a_group_that_could_be_worked_out(report):
    departments = {r[0]: [value(c) for c in r[1:]] for r in table(report, "departments").rows}
    assert departments["Engineering"][0] == 3
    assert departments["Finance"][0] == 5
    # Satisfaction: Sales has 2 respondents (small); Engineering's 3 are hidden with it, or the
    # Sales average would be the total minus Engineering (Marketing and Finance have none).
    assert departments["Sales"][2] == "small"
    assert departments["Engineering"][2] == "hidden"
    assert departments["All"][2] == pytest.approx(4.0)


def test_a_department_view_keeps_hidden_what_the_breakdown_hides(client, lead, six_pairs):
    client.force_login(lead)
    report = get_dashboard(client, six_pairs.program, department="Engineering").context["report"]
    # Engineering alone has 3 respondents, but showing them would reveal Sales by subtraction.
    assert value(stat(report, "quality", "Average satisfaction")) == "hidden"
    funnel = {r[0]: value(r[1]) for r in table(report, "funnel").rows}
    assert funnel["Applied"] == 3
    # Pairs with an Engineering member (p1–p3) held 11 sessions.
    assert value(stat(report, "engagement", "Sessions held")) == 11


def test_the_csv_has_the_same_figures_and_hidden_cells(client, lead, six_pairs):
    client.force_login(lead)
    assert get_csv(client, six_pairs.program, "cancellations") == [
        ["Who", "Cancellations", "Reschedules"],
        ["Junior mentors", "hidden (fewer than 3 people)", "3"],
        ["Senior mentees", "hidden", "3"],
        ["Total", "5", "6"],
    ]
    figures = get_csv(client, six_pairs.program, "engagement-figures", department="Engineering")
    assert figures[1][:2] == ["Sessions held", "11"]


def test_every_table_on_the_page_can_be_downloaded(client, lead, six_pairs):
    client.force_login(lead)
    report = get_dashboard(client, six_pairs.program).context["report"]
    keys = [t.key for t in report.tables()]
    assert {"funnel", "weekly", "cancellations", "questions", "goals", "skills", "departments",
            "engagement-figures"} <= set(keys)
    for key in [*keys, "at_risk_pairs"]:
        rows = get_csv(client, six_pairs.program, key)
        assert rows and all(rows)
    names = get_csv(client, six_pairs.program, "at_risk_pairs")
    assert names == [["Junior mentor", "Senior mentee"], ["Mentor 5", "Mentee 5"], ["Mentor 6", "Mentee 6"]]


def test_a_withheld_value_draws_no_bar_and_its_label_says_why(report):
    spec = table(report, "cancellations").chart
    # Junior mentors' cancellations are fewer than 3 people, the mentees' are hidden to protect them.
    assert spec["labels"] == ["Junior mentors (Cancellations: hidden, fewer than 3 people)",
                              "Senior mentees (Cancellations: hidden)"]
    assert [d["data"] for d in spec["datasets"]] == [[None, None], [3.0, 3.0]]
    funnel = table(report, "funnel").chart
    assert funnel["labels"] == ["Eligible", "Applied", "Approved", "Matched", "Active"]
    assert funnel["datasets"][0]["data"] == [15.0, 15.0, 12.0, 12.0, 12.0]


def test_counts_beside_a_withheld_figure_are_withheld_not_fewer_than_k(client, lead, six_pairs):
    client.force_login(lead)
    report = get_dashboard(client, six_pairs.program, department="Finance").context["report"]
    rates = {r[0]: [value(c) for c in r[1:]] for r in table(report, "response_rates").rows}
    # The rate is backed by fewer than 3 people; "fewer than 3" beside the number of invitations
    # sent would read as a count of invitations, so those counts are just hidden.
    assert rates["End of program"] == ["hidden", "hidden", "small"]
    questions = {r[0]: [value(c) for c in r[3:]] for r in table(report, "questions").rows}
    assert questions["Would you recommend it?"] == ["small", "hidden"]
    exported = get_csv(client, six_pairs.program, "response_rates", department="Finance")
    assert ["End of program", "hidden", "hidden", "hidden (fewer than 3 people)"] in exported
