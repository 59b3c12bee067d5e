from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Meeting
from surveys import invitations
from surveys.models import SurveyAnswer, SurveyInvitation
from tests.factories import UserFactory
from tests.surveys import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey_link(live_server, mailoutbox, settings):
    """A pair's first session ended three hours ago; the jobs e-mailed both people their survey."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = live_server.url
    program = builders.running_program(name="Reverse Mentoring Spring", leads=[UserFactory()])
    mentor = UserFactory(full_name="Aisha Rahman", time_zone="Europe/Berlin")
    mentee = UserFactory(full_name="Robert Whitfield", time_zone="America/New_York")
    pair = builders.active_pair(program, mentor, mentee)
    builders.session(pair, timezone.now() - dt.timedelta(hours=3, minutes=45), status=Meeting.Status.HELD)
    invitations.session_surveys_tick()
    message = next(m for m in mailoutbox if m.to == [mentee.email])
    return re.search(r"https?://\S+/surveys/[A-Za-z0-9_-]+/", message.body).group(0), mentee


def test_a_participant_answers_the_survey_from_the_email_link_without_signing_in(page: Page, survey_link):
    url, mentee = survey_link
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your session on")

    # Sending without the required rating asks for it and keeps the rest.
    page.get_by_label("What did you learn, or what did you share?").fill("How my team uses AI for research.")
    page.get_by_role("button", name="Send my answers").click()
    usefulness = page.get_by_role("group", name="How useful was this session for you?")
    expect(usefulness).to_contain_text("Please answer this question.")
    expect(page.get_by_label("What did you learn, or what did you share?")).to_have_value(
        "How my team uses AI for research."
    )
    assert not SurveyAnswer.objects.exists()

    usefulness.get_by_label("4").check()
    page.get_by_role("group", name="How well does your pairing fit what you hoped to learn?").get_by_label(
        "5"
    ).check()
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanks, already answered")
    invitation = SurveyInvitation.objects.get(recipient=mentee)
    assert invitation.answered_at is not None
    answers = {
        a.question_text: a.number or a.text
        for a in SurveyAnswer.objects.filter(response__invitation=invitation)
    }
    assert answers == {
        "How useful was this session for you?": 4,
        "How well does your pairing fit what you hoped to learn?": 5,
        "What did you learn, or what did you share?": "How my team uses AI for research.",
    }

    # The link is single use: opening it again only thanks.
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanks, already answered")
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
