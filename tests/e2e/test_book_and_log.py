"""A pair books a session and both log it, in the browser.

The mentor proposes three suggested times; the mentee, in another time zone, sees them in
their own zone and confirms one. Time cannot really pass in a test, so once the session is
confirmed the test moves its start into the past in the database (meeting and both attendance
rows) — as if the week had gone by — and then both people log it.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Meeting, MeetingAttendance, PrivateReflection, SessionLog
from tests.factories import (
    PASSWORD,
    ActivePairFactory,
    AvailabilityWindowFactory,
    ProfileFactory,
    ProgramFactory,
    ProgramTopicFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair(db):
    today = timezone.localdate()
    program = ProgramFactory(status="running", starts_on=today - timedelta(days=14),
                             ends_on=today + timedelta(days=90),
                             video_link_template="https://meet.example.com/flipside-{pair}")
    ProgramTopicFactory(program=program, topic=TopicFactory(name="Generative AI"), direction="junior_teaches")
    ProgramTopicFactory(program=program, topic=TopicFactory(name="Negotiation"), direction="senior_teaches")
    aisha = UserFactory(email="aisha@example.com", full_name="Aisha Rahman", time_zone="Europe/Berlin")
    robert = UserFactory(email="robert@example.com", full_name="Robert Whitfield",
                         time_zone="America/New_York")
    for user in (aisha, robert):
        profile = ProfileFactory(user=user)
        for weekday in range(7):
            AvailabilityWindowFactory(profile=profile, weekday=weekday, start=time(0), end=time(23, 59))
    return ActivePairFactory(program=program, mentor__user=aisha, mentee__user=robert)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def test_the_mentor_proposes_the_mentee_confirms_and_both_log_the_session(live_server, page: Page, pair):
    base = live_server.url
    pair_url = f"{base}/sessions/pair/{pair.pk}/"

    # Aisha proposes three of the suggested times.
    sign_in(page, base, "aisha@example.com")
    page.goto(pair_url)
    page.get_by_role("link", name="Propose times").click()
    suggestions = page.get_by_role("checkbox")
    offered = [page.locator("label[for]").filter(has_text="your time").nth(i).inner_text() for i in range(3)]
    for i in range(3):
        suggestions.nth(i).check()
    assert all("for Robert (New York)" in label for label in offered)
    expect(page.get_by_label("Video link")).to_have_value(f"https://meet.example.com/flipside-{pair.pk}")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Robert picks one")
    meeting = Meeting.objects.get(pair=pair)
    assert (meeting.status, meeting.proposed_by, meeting.slots.count()) == ("proposed", pair.mentor.user, 3)
    sign_out(page)

    # Robert sees the three times in New York time, with Aisha's alongside, and confirms the second.
    sign_in(page, base, "robert@example.com")
    page.goto(pair_url)
    waiting = page.get_by_role("region", name="Waiting for you")
    offered_times = waiting.locator(".slot-list").get_by_role("listitem")
    expect(offered_times).to_have_count(3)
    expect(offered_times.filter(has_text=re.compile(r"your time · .*for Aisha \(Berlin\)"))).to_have_count(3)
    waiting.get_by_role("link", name="Pick a time").click()
    times = page.get_by_role("radio")
    expect(times).to_have_count(3)
    second = page.locator("label[for]").filter(has_text="your time").nth(1)
    expect(second).to_contain_text(re.compile(r"your time · .* for Aisha \(Berlin\)"))
    times.nth(1).check()
    page.get_by_role("button", name="Confirm this time").click()
    expect(page.get_by_role("status")).to_contain_text("Confirmed")
    meeting.refresh_from_db()
    chosen = meeting.slots.order_by("starts_at")[1]
    assert (meeting.status, meeting.starts_at, meeting.confirmed_by) == (
        "confirmed", chosen.starts_at, pair.mentee.user)
    assert MeetingAttendance.objects.filter(meeting=meeting, active=True).count() == 2

    # A week goes by: the session has now taken place.
    start = timezone.now() - timedelta(hours=2)
    end = start + timedelta(minutes=45)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=end)
    MeetingAttendance.objects.filter(meeting=meeting).update(starts_at=start, ends_at=end)

    # Robert logs what he taught, a shared summary and a private reflection.
    page.goto(pair_url)
    page.get_by_role("button", name="It happened: log it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session log")
    page.get_by_label("Negotiation").check()
    page.get_by_label("Shared summary").fill("Robert explained how big deals get negotiated.")
    page.get_by_label("Private reflection").fill("ROBERT-ONLY: I talked too much.")
    page.get_by_role("button", name="Save the log").click()
    expect(page.get_by_role("status")).to_contain_text("your reflection stays private")
    sign_out(page)

    # Aisha adds her side to the same log.
    sign_in(page, base, "aisha@example.com")
    page.goto(pair_url)
    page.get_by_role("link", name="Open the log").click()
    expect(page.locator("[data-shared-summary]")).to_contain_text("big deals get negotiated")
    expect(page.get_by_text("ROBERT-ONLY")).to_have_count(0)
    page.get_by_label("Generative AI").check()
    summary = page.get_by_label("Shared summary")
    summary.fill(summary.input_value() + "\nAisha showed three prompt patterns.")
    page.get_by_label("Private reflection").fill("AISHA-ONLY: slow down next time.")
    page.get_by_role("button", name="Save the log").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_text("AISHA-ONLY: slow down next time.")).to_be_visible()
    expect(page.get_by_text("ROBERT-ONLY")).to_have_count(0)

    log = SessionLog.objects.get(meeting=meeting)
    assert list(log.topics_by_mentor.values_list("name", flat=True)) == ["Generative AI"]
    assert list(log.topics_by_mentee.values_list("name", flat=True)) == ["Negotiation"]
    assert "big deals" in log.shared_summary and "prompt patterns" in log.shared_summary
    assert log.updated_by == pair.mentor.user
    assert dict(PrivateReflection.objects.values_list("author__email", "text")) == {
        "robert@example.com": "ROBERT-ONLY: I talked too much.",
        "aisha@example.com": "AISHA-ONLY: slow down next time."}
    meeting.refresh_from_db()
    assert meeting.status == "held"

    # And Robert, back on the log page, sees his reflection but never Aisha's.
    sign_out(page)
    sign_in(page, base, "robert@example.com")
    page.goto(f"{base}/sessions/meeting/{meeting.pk}/log/")
    expect(page.get_by_label("Private reflection")).to_have_value("ROBERT-ONLY: I talked too much.")
    expect(page.get_by_text("AISHA-ONLY")).to_have_count(0)
    expect(page.locator("[data-shared-summary]")).to_contain_text("prompt patterns")
