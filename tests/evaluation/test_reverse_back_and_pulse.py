"""Who would come back (the dashboard, its CSV and the API), and HR's view of the junior mentors' pulse.

Uses the six-pair program of the conftest (k = 3).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from evaluation.learning_reads import pulse_alerts
from surveys.models import ReturnIntent, SafetyPulse
from tests.evaluation import builders as b
from tests.evaluation.helpers import get_csv, get_dashboard, row, stat, value

pytestmark = pytest.mark.django_db

SENIORS_AGAIN = "Senior mentees who volunteer again"
SHARE_AGAIN = "Share of senior mentees who volunteer again"


def intents(people, answers) -> None:
    for person, (again, other_way) in zip(people, answers, strict=True):
        ReturnIntent.objects.create(enrollment=person, program=person.program, again=again,
                                    other_way=other_way)


def test_the_lead_sees_how_many_seniors_volunteer_again_and_their_share(client, lead, six_pairs):
    intents(six_pairs.mentees, [("yes", "yes"), ("yes", "no"), ("yes", "maybe"), ("maybe", "yes"),
                                ("no", "yes"), ("no", "no")])
    client.force_login(lead)
    report = get_dashboard(client, six_pairs.program).context["report"]

    assert value(stat(report, "outcomes", SENIORS_AGAIN)) == 3
    assert value(stat(report, "outcomes", SHARE_AGAIN)) == pytest.approx(0.5)
    again = row(report, "reverse_back", "Senior mentees")
    assert [value(c) for c in again[2:]] == [3, pytest.approx(0.5), 6]
    rows = report.table("reverse_back").rows
    other_way = next(r for r in rows if r[1] == "Would mentor a junior the other way")
    assert [value(c) for c in other_way[2:]] == [3, pytest.approx(0.5), 6]


def test_a_small_rest_hides_the_count_and_the_share(client, lead, six_pairs):
    # Five of six said yes: the one "not yes" would be 6 − 5, so the 5 is held back too.
    intents(six_pairs.mentees, [("yes", "yes")] * 5 + [("no", "no")])
    client.force_login(lead)
    report = get_dashboard(client, six_pairs.program).context["report"]

    assert value(stat(report, "outcomes", SENIORS_AGAIN)) == "hidden"
    assert value(stat(report, "outcomes", SHARE_AGAIN)) == "hidden"
    html = get_dashboard(client, six_pairs.program).content.decode()
    assert "Who would come back (reverse-back)" in html


def test_too_few_answers_are_fewer_than_k(client, lead, six_pairs):
    intents(six_pairs.mentees[:2], [("yes", "yes"), ("yes", "yes")])
    client.force_login(lead)
    report = get_dashboard(client, six_pairs.program).context["report"]
    assert value(stat(report, "outcomes", SENIORS_AGAIN)) == "small"


def test_the_csv_export_and_the_api_carry_the_same_figures(client, lead, six_pairs):
    intents(six_pairs.mentees, [("yes", "yes")] * 3 + [("no", "no")] * 3)
    client.force_login(lead)
    rows = get_csv(client, six_pairs.program, "reverse_back")
    assert rows[0] == ["Who", "Question", "Said yes", "Share of those who answered", "Answered"]
    assert rows[1] == ["Senior mentees", "Would take part again", "3", "50 %", "6"]
    figures = get_csv(client, six_pairs.program, "outcomes-figures")
    assert figures[[r[0] for r in figures].index(SENIORS_AGAIN)][:2] == [SENIORS_AGAIN, "3"]

    from api.figures import dashboard_figures

    api = dashboard_figures(six_pairs.program, {})["figures"]
    found = {f["label"]: f["value"] for f in api if f["section"] == "outcomes" and f["table"] is None}
    assert found[SENIORS_AGAIN] == 3.0 and found[SHARE_AGAIN] == pytest.approx(0.5)
    # The two-way gain is there too, in each direction.
    assert found["What senior mentees learned"] == pytest.approx(4 / 3)
    assert found["What junior mentors learned"] == pytest.approx(4 / 3)


# --- HR's pulse page -------------------------------------------------------------------------------


NOTE = "PULSE-NOTE-4b1e: he talks over me."


@pytest.fixture
def pulses(six_pairs):
    answered = b.at(2026, 2, 2, 12)
    for p, score in zip(six_pairs.pairs, [4, 4, 5, 3, 4, 5], strict=True):
        SafetyPulse.objects.create(program=six_pairs.program, pair=p, enrollment=p.mentor,
                                   recipient=p.mentor.user, round=1, sent_at=answered,
                                   answered_at=answered, score=score)
    later = answered + dt.timedelta(weeks=4)
    for p, score, note, alert in ((six_pairs.pairs[5], 2, NOTE, "low"), (six_pairs.pairs[0], 4, "", "")):
        SafetyPulse.objects.create(program=six_pairs.program, pair=p, enrollment=p.mentor,
                                   recipient=p.mentor.user, round=2, sent_at=later, answered_at=later,
                                   score=score, note=note, alert=alert)
    return six_pairs


def test_hr_sees_the_trend_per_round_and_the_alert_naming_the_pair(client, hr_admin, pulses):
    client.force_login(hr_admin)
    response = client.get(reverse("evaluation:pulse", args=[pulses.program.pk]))
    html = response.content.decode()
    table = response.context["table"]
    first, second = table.rows
    assert [value(c) for c in first[1:]] == [6, pytest.approx(25 / 6), 0]
    assert [value(c) for c in second[1:]] == ["small", "small", "small"]  # two mentors answered
    assert "Mentor 6" in html and "Mentee 6" in html and NOTE.split(":")[0] in html
    alert = pulse_alerts(pulses.program)[0]
    assert (alert.score, alert.previous, alert.alert) == (2, 5, "low")


def test_leads_and_participants_never_reach_the_pulse_page(client, lead, pulses):
    url = reverse("evaluation:pulse", args=[pulses.program.pk])
    for person in (lead, pulses.pairs[5].mentor.user, pulses.pairs[5].mentee.user):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(lead)
    dashboard = get_dashboard(client, pulses.program).content.decode()
    assert "PULSE-NOTE" not in dashboard and "pulse" not in dashboard.lower()
