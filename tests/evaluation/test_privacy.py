"""No session text on any dashboard or export: never private reflections; shared summaries only on
their own page, only for leads, only when the program allows it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.evaluation import builders as b
from tests.evaluation.helpers import get_dashboard

pytestmark = pytest.mark.django_db

REFLECTION = "PRIVATE-REFLECTION-MARKER-7f3a"
SUMMARY = "SHARED-SUMMARY-MARKER-91bc"
EXIT_REASON = "EXIT-REASON-MARKER-c55d"
FREE_TEXT = "FREE-TEXT-ANSWER-MARKER-2e8a"


@pytest.fixture
def noted(six_pairs):
    entry = six_pairs.logs[0]
    entry.shared_summary = SUMMARY
    entry.save(update_fields=["shared_summary"])
    b.reflection(entry, six_pairs.mentors[0].user, REFLECTION)
    b.reflection(entry, six_pairs.mentees[0].user, REFLECTION)
    b.exit_request(six_pairs.pairs[5], reason=EXIT_REASON)
    text_question = six_pairs.questions.satisfaction.__class__.objects.create(
        program=six_pairs.program, survey="after_session", order=9, kind="text", text="Anything else?")
    second = six_pairs.pairs[2].meetings.filter(status="held").order_by("starts_at")[1]
    invitation = b.invite(six_pairs.mentees[2], "after_session", meeting=second)
    b.answer(invitation, {text_question: FREE_TEXT})
    return six_pairs


def every_page_and_export(client, program) -> list[str]:
    response = get_dashboard(client, program)
    report = response.context["report"]
    pages = [response.content.decode()]
    for params in ({}, {"department": "Engineering"}):
        for key in [t.key for t in report.tables()] + ["at_risk_pairs"]:
            url = reverse("evaluation:export", args=[program.pk, key])
            pages.append(client.get(url, params).content.decode("utf-8-sig"))
    pages.append(client.get(reverse("evaluation:certificates", args=[program.pk])).content.decode())
    pages.append(client.get(reverse("evaluation:list")).content.decode())
    return pages


def test_no_note_marker_appears_on_any_dashboard_page_or_export(client, lead, noted):
    client.force_login(lead)
    for text in every_page_and_export(client, noted.program):
        for marker in (REFLECTION, SUMMARY, EXIT_REASON, FREE_TEXT):
            assert marker not in text


def test_with_the_switch_off_there_is_no_summaries_page(client, lead, noted):
    client.force_login(lead)
    assert client.get(reverse("evaluation:summaries", args=[noted.program.pk])).status_code == 404
    assert reverse("evaluation:summaries", args=[noted.program.pk]) not in get_dashboard(
        client, noted.program).content.decode()


def test_with_the_switch_on_leads_read_shared_summaries_but_never_reflections(client, lead, hr_admin, noted):
    program = noted.program
    program.leads_can_read_summaries = True
    program.save(update_fields=["leads_can_read_summaries"])
    client.force_login(lead)
    html = client.get(reverse("evaluation:summaries", args=[program.pk])).content.decode()
    assert SUMMARY in html
    assert REFLECTION not in html
    dashboard = get_dashboard(client, program).content.decode()
    assert reverse("evaluation:summaries", args=[program.pk]) in dashboard
    for text in every_page_and_export(client, program):
        assert REFLECTION not in text
        assert SUMMARY not in text  # still never on the dashboard or in an export
    # HR admins see enrolment and pairing, not notes.
    client.force_login(hr_admin)
    assert client.get(reverse("evaluation:summaries", args=[program.pk])).status_code == 404
