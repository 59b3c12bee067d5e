"""The senior's commitment guard and the protected recurring slot, in the browser.

* Robert (the senior mentee) cancels a session and is taken straight to offering new times, with the
  date the program asks for a new session by.
* Aisha proposes a regular slot in her zone, Robert accepts it, and both see its sessions in "My sessions".
* HR sets the guard in the browser; when a mentee's cancellation goes without a new time for that many
  days, the commitment job tells the program lead — the real e-mail, read from the locmem outbox.

Times are built from now (sessions a few days ahead, the slot from the Tuesday after next), so the test
holds on any day and hour.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings import commitment, services
from meetings.models import Meeting, MeetingSeries
from tests.factories import (
    PASSWORD,
    ActivePairFactory,
    AvailabilityWindowFactory,
    ProfileFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair(db):
    today = timezone.localdate()
    lead = UserFactory(email="lead@example.com", full_name="Leonard Brooks")
    program = ProgramFactory(
        status="running",
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=90),
        video_link_template="https://meet.example.com/flipside-{pair}",
        leads=[lead],
    )
    aisha = UserFactory(email="aisha@example.com", full_name="Aisha Rahman", time_zone="Europe/Berlin")
    robert = UserFactory(
        email="robert@example.com", full_name="Robert Whitfield", time_zone="America/New_York"
    )
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


def booked(pair, *, days: int = 4) -> Meeting:
    start = (timezone.now() + timedelta(days=days)).replace(hour=14, minute=0, second=0, microsecond=0)
    proposal = services.meeting_propose(
        pair=pair, proposer=pair.mentor.user, mode="video", slots_utc=[(start, start + timedelta(minutes=45))]
    )
    return services.meeting_confirm(meeting=proposal, user=pair.mentee.user, slot_id=proposal.slots.get().pk)


def test_a_senior_who_cancels_is_offered_new_times_right_away(live_server, page: Page, pair):
    meeting = booked(pair)
    base = live_server.url

    sign_in(page, base, "robert@example.com")
    page.goto(f"{base}/sessions/pair/{pair.pk}/")
    page.get_by_role("region", name="Upcoming sessions").get_by_role("link", name="Cancel").click()
    expect(page.get_by_text("agreed within 7 days")).to_be_visible()
    page.get_by_label("Why are you cancelling?").fill("Board meeting moved onto this slot")
    page.get_by_role("button", name="Cancel the session").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Propose times")
    due = commitment.rebook_due(pair).due.astimezone(pair.mentee.user.zone)
    expect(page.get_by_role("note")).to_contain_text("Please offer Aisha new times now")
    expect(page.get_by_role("note")).to_contain_text(f"by {due.day} {due:%b} {due.year}")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_by) == ("cancelled", pair.mentee.user)

    # Offering new times straight away agrees nothing yet; Aisha confirming one closes the request.
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Aisha picks one")
    proposal = Meeting.objects.get(pair=pair, status="proposed")
    services.meeting_confirm(meeting=proposal, user=pair.mentor.user, slot_id=proposal.slots.first().pk)
    assert commitment.rebook_due(pair) is None
    page.goto(f"{base}/sessions/pair/{pair.pk}/")
    expect(page.locator("[data-record]")).to_contain_text("1 cancelled, 0 moved")
    expect(page.locator("[data-rebook]")).to_have_count(0)


def test_a_pair_sets_up_a_recurring_slot_and_both_see_it_in_their_sessions(live_server, page: Page, pair):
    base = live_server.url
    today = timezone.localdate()
    first = today + timedelta(days=(1 - today.weekday()) % 7 + 7)  # the Tuesday after next

    sign_in(page, base, "aisha@example.com")
    page.goto(f"{base}/sessions/pair/{pair.pk}/")
    page.get_by_role("link", name="Propose a regular slot").click()
    page.get_by_label("First session").fill(first.isoformat())
    page.get_by_label("Start time").fill("15:00")
    page.get_by_label("How often").select_option(label="Every 2 weeks")
    page.get_by_label("Last possible day").fill((first + timedelta(weeks=6)).isoformat())
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Robert accepts or declines it")
    proposal = MeetingSeries.objects.get(pair=pair)
    assert (proposal.status, proposal.zone, proposal.start_time) == ("proposed", "Europe/Berlin", time(15))
    sign_out(page)

    sign_in(page, base, "robert@example.com")
    page.goto(f"{base}/sessions/pair/{pair.pk}/")
    slot_card = page.get_by_role("region", name="Regular slot")
    expect(slot_card).to_contain_text(re.compile(r"Every 2 weeks on Tuesday at 15:00 \(Berlin\)"))
    slot_card.get_by_role("button", name="Accept the regular slot").click()
    expect(page.get_by_role("status")).to_contain_text("Every session is now in your sessions")
    proposal.refresh_from_db()
    assert proposal.status == "active"
    assert (
        Meeting.objects.filter(pair=pair, status="confirmed", series_occurrence__series=proposal).count() == 4
    )

    for email in ("robert@example.com", "aisha@example.com"):
        if email == "aisha@example.com":
            sign_out(page)
            sign_in(page, base, email)
        page.goto(f"{base}/sessions/")
        upcoming = page.get_by_role("region", name="Upcoming")
        expect(upcoming.locator(".session").filter(has_text="Regular slot")).to_have_count(4)
    # Aisha skips the second one: it is a cancellation of that session, and it counts for the guard.
    page.locator(".session").filter(has_text="Regular slot").nth(1).get_by_role("link", name="Cancel").click()
    page.get_by_label("Why are you cancelling?").fill("Release day")
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose times")
    assert commitment.pair_counts(pair)["mentor"]["cancelled"] == 1
    assert (
        Meeting.objects.filter(pair=pair, status="confirmed", series_occurrence__series=proposal).count() == 3
    )


def test_hr_sets_the_guard_and_the_lead_receives_flipsides_note(live_server, page: Page, pair):
    from accounts.services import user_set_hr_admin

    base = live_server.url
    user_set_hr_admin(
        user=UserFactory(email="hr@example.com", full_name="Hannah Reyes"), is_hr_admin=True
    )

    sign_in(page, base, "hr@example.com")
    page.goto(f"{base}/programs/{pair.program.pk}/")
    section = page.get_by_role("region", name="Commitment and recurring slots")
    section.get_by_role("link", name=re.compile("Edit")).click()
    page.get_by_label("a cancelled session gets a new time within (days)").fill("5")
    page.get_by_label("tell the sponsor after this many cancellations by one side").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("region", name="Commitment and recurring slots")).to_contain_text("5 days")
    pair.program.refresh_from_db()
    assert (pair.program.commitment_rebook_days, pair.program.commitment_max_cancellations) == (5, 2)

    # Robert cancelled a session six days ago and no new time was agreed since.
    now = timezone.now()
    start = (now - timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    then = now - timedelta(days=8)
    proposal = services.meeting_propose(
        pair=pair,
        proposer=pair.mentor.user,
        mode="video",
        now=then,
        slots_utc=[(start, start + timedelta(minutes=45))],
    )
    meeting = services.meeting_confirm(
        meeting=proposal, user=pair.mentee.user, slot_id=proposal.slots.get().pk, now=then
    )
    services.meeting_cancel(
        meeting=meeting, user=pair.mentee.user, reason="PRIVATE: travel", now=now - timedelta(days=6)
    )
    mail.outbox.clear()

    commitment.commitment_tick()
    commitment.commitment_tick()

    notes = [m for m in mail.outbox if "lead@example.com" in m.to]
    assert len(notes) == 1
    (note,) = notes
    assert "Flipside noticed: Robert Whitfield and Aisha Rahman have no new session yet" in note.subject
    assert "5 days later no new time has been agreed" in note.body
    assert "PRIVATE" not in note.body and "complain" not in note.body
    assert [m.to for m in mail.outbox if "A new time with Aisha?" in m.subject] == [["robert@example.com"]]
