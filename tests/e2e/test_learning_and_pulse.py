"""Issue 18 items 3 + 4 in the browser, each as the person it serves.

A junior mentor answers the private pulse; HR sees the trend and the alert; a senior rates
themselves at the end and answers the reverse-back questions; the lead's dashboard shows the
two-way gain and how many seniors volunteer again.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pairing.models import SkillRating
from programs.models import Topic
from surveys import invitations, pulse
from surveys.models import ReturnIntent, SafetyPulse
from tests.evaluation import builders as eb
from tests.factories import PASSWORD, UserFactory
from tests.surveys import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, user) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.fixture
def pulsed_pair(settings, live_server):
    """A pair that started five weeks ago: the job has sent the junior mentor their first pulse."""
    settings.SITE_URL = live_server.url
    program = builders.running_program(name="Reverse Mentoring Spring")
    mentor = UserFactory(full_name="Aisha Rahman", email="aisha@example.com")
    mentee = UserFactory(full_name="Robert Whitfield", email="robert@example.com")
    pair = builders.active_pair(program, mentor, mentee, activated_at=timezone.now() - dt.timedelta(weeks=5))
    pulse.safety_pulses_tick()
    return pair


def test_a_junior_mentor_answers_the_private_pulse_and_finds_the_exit_one_click_away(
    page: Page, live_server, pulsed_pair
):
    mentor = pulsed_pair.mentor.user
    sign_in(page, live_server.url, mentor)
    page.goto(live_server.url + "/surveys/")
    page.get_by_role("link", name="Answer privately").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("A private question, just for you")
    expect(page.get_by_text("your mentee never sees it")).to_be_visible()
    question = page.get_by_role("group", name="How comfortable are you giving your mentee honest feedback?")
    question.get_by_label("2").check()
    page.get_by_label("Anything HR should know? (optional, seen by HR only)").fill("Hard to say no to him.")
    page.get_by_role("button", name="Send privately").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    row = SafetyPulse.objects.get()
    assert (row.score, row.note, row.alert) == (2, "Hard to say no to him.", "low")

    page.get_by_role("link", name="Talk to HR about this pair").click()
    expect(page).to_have_url(re.compile(rf"/pairs/{pulsed_pair.pk}/exit/"))


def test_hr_sees_the_pulse_trend_and_the_alert(page: Page, live_server, hr_admin, pulsed_pair):
    program = pulsed_pair.program
    # Five more pairs answered too (k = 5 mentors for the trend to show).
    others = [builders.active_pair(program, activated_at=timezone.now() - dt.timedelta(weeks=5))
              for _ in range(4)]
    pulse.safety_pulses_tick()
    for pair, score in zip([pulsed_pair, *others], [2, 4, 5, 4, 4], strict=True):
        row = SafetyPulse.objects.get(pair=pair)
        pulse.safety_pulse_answer(pulse=row, score=score, note="Hard to say no to him." if score == 2 else "")

    sign_in(page, live_server.url, hr_admin)
    page.goto(f"{live_server.url}/programs/{program.pk}/")
    page.get_by_role("link", name="Trend and alerts (HR only)").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Junior mentors' pulse")
    alert = page.locator("tr.pulse-alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Aisha Rahman")
    expect(alert).to_contain_text("Robert Whitfield")
    expect(alert).to_contain_text("Hard to say no to him.")
    trend = page.locator("table.eval-grid").last
    expect(trend).to_contain_text("Pulse 1 (week 4)")
    expect(trend).to_contain_text("3.8")


def test_a_senior_rates_themselves_at_the_end_and_answers_reverse_back(page: Page, live_server, settings,
                                                                      mailoutbox):
    settings.SITE_URL = live_server.url
    today = timezone.now().date()
    program = builders.running_program(name="Ending", starts_on=today - dt.timedelta(weeks=20), ends_on=today)
    senior = UserFactory(full_name="Robert Whitfield", email="robert@example.com")
    pair = builders.active_pair(program, mentee=senior)
    invitations.program_surveys_tick()
    message = next(m for m in mailoutbox if m.to == [senior.email])
    url = re.search(r"https?://\S+/surveys/[A-Za-z0-9_-]+/", message.body).group(0)

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("End-of-program survey")
    for group in page.locator(".survey-skills fieldset").all():
        group.get_by_label("4", exact=True).check()
    page.get_by_role("group", name=re.compile("recommend")).get_by_label("9", exact=True).check()
    back = page.get_by_role("region", name="Next time")
    again = back.get_by_role("group", name="Would you take part in reverse mentoring again?")
    again.get_by_label("Yes").check()
    back.get_by_role("group", name=re.compile("would you mentor a junior colleague")).get_by_label(
        "Maybe").check()
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    intent = ReturnIntent.objects.get()
    assert (intent.enrollment, intent.again, intent.other_way) == (pair.mentee, "yes", "maybe")
    end = SkillRating.objects.filter(enrollment=pair.mentee, phase="end")
    assert end.exists() and set(end.values_list("score", flat=True)) == {4}


def test_the_leads_dashboard_shows_the_two_way_gain_and_re_volunteering(page: Page, live_server, lead):
    program, _q = eb.program(k=3, leads=[lead], name="Reverse Mentoring Autumn",
                             starts_on=(timezone.now() - dt.timedelta(weeks=24)).date(),
                             ends_on=(timezone.now() - dt.timedelta(weeks=2)).date())
    ai = Topic.objects.create(name="Generative AI", usual_direction="junior_teaches")
    industry = Topic.objects.create(name="Industry knowledge", usual_direction="senior_teaches")
    for i in range(6):
        mentor = eb.person(program, "mentor", department="Engineering", name=f"Mentor {i}")
        mentee = eb.person(program, "mentee", department="Sales", name=f"Mentee {i}")
        eb.pair(program, mentor, mentee, status="completed")
        eb.skill(mentee, ai, "junior_teaches", 2, 4)
        eb.skill(mentor, industry, "senior_teaches", 1, 2)
        ReturnIntent.objects.create(enrollment=mentee, program=program, again="yes" if i < 3 else "no",
                                    other_way="yes" if i % 2 else "maybe")
        ReturnIntent.objects.create(enrollment=mentor, program=program, again="yes", other_way="yes")

    sign_in(page, live_server.url, lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()
    page.get_by_role("link", name="Reverse Mentoring Autumn").click()

    outcomes = page.locator("#outcomes")

    def stat(label: str):
        tile = outcomes.locator(".eval-stat").filter(has=page.get_by_text(label, exact=True))
        return tile.locator(".eval-value")
    expect(stat("What senior mentees learned")).to_have_text("+2.0")
    expect(stat("What junior mentors learned")).to_have_text("+1.0")
    expect(stat("Senior mentees who volunteer again")).to_have_text("3")
    expect(stat("Share of senior mentees who volunteer again")).to_contain_text("50")
    expect(outcomes.get_by_role("heading", name="Who would come back (reverse-back)")).to_be_visible()
