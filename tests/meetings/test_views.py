"""Every meetings page: happy paths checked in the database, outsiders get 404, wrong methods 405."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import ActionItem, CalendarFeed, Meeting, MeetingEvent, SessionLog
from tests.factories import ActivePairFactory, MeetingFactory, UserFactory
from tests.meetings.conftest import BERLIN, NEW_YORK, at, slot

pytestmark = pytest.mark.usefixtures("now")
THURSDAY = date(2027, 3, 4)


@pytest.fixture
def proposal(pair):
    return services.meeting_propose(
        pair=pair, proposer=pair.mentor.user, mode="video", video_link="https://meet.example.com/p",
        slots_utc=[slot(at(THURSDAY, 14)), slot(at(THURSDAY, 15)), slot(at(date(2027, 3, 5), 14))])


@pytest.fixture
def meeting(pair, proposal):
    return services.meeting_confirm(meeting=proposal, user=pair.mentee.user,
                                    slot_id=proposal.slots.order_by("starts_at").first().pk)


def page(client, user, name, *args, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(reverse(f"meetings:{name}", args=args), data or {})


def url(name, *args) -> str:
    return reverse(f"meetings:{name}", args=args)


# --- who may see what ---------------------------------------------------------------------


PAIR_PAGES = ["pair", "propose", "book"]
MEETING_PAGES = ["meeting", "confirm", "decline", "reschedule", "place", "cancel", "log"]
POST_ONLY = ["outcome"]


@pytest.mark.parametrize("name", PAIR_PAGES + MEETING_PAGES + POST_ONLY)
def test_outsiders_hr_and_leads_get_404_on_every_pair_and_meeting_page(
        client, pair, meeting, name, outsider, hr_admin, lead):
    other_participant = ActivePairFactory(program=pair.program).mentor.user
    target = pair.pk if name in PAIR_PAGES else meeting.pk
    for user in (outsider, hr_admin, lead, other_participant):
        client.force_login(user)
        assert client.get(url(name, target)).status_code in (404, 405)
        expected = 405 if name in ("pair", "meeting") else 404
        assert client.post(url(name, target), {"reason": "x", "outcome": "held"}).status_code == expected
    assert Meeting.objects.get(pk=meeting.pk).status == "confirmed"


def test_a_pair_not_yet_accepted_has_no_session_pages(client, pair):
    pair.status = "proposed"
    pair.save()
    assert page(client, pair.mentor.user, "pair", pair.pk).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, pair):
    response = client.get(url("pair", pair.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["outcome", "action_done", "calendar_revoke"])
def test_actions_refuse_get(client, pair, meeting, name):
    args = {"outcome": [meeting.pk], "action_done": [1], "calendar_revoke": []}[name]
    assert page(client, pair.mentor.user, name, *args).status_code == 405


@pytest.mark.parametrize("name", ["pair", "meeting", "sessions"])
def test_read_only_pages_refuse_post(client, pair, meeting, name):
    args = {"pair": [pair.pk], "meeting": [meeting.pk], "sessions": []}[name]
    assert page(client, pair.mentor.user, name, *args, method="post").status_code == 405


# --- the pair page -----------------------------------------------------------------------------


def test_the_pair_page_shows_agreement_goals_progress_and_sessions_in_both_zones(client, pair, meeting):
    pair.mentee.learn_goals = "Understand TikTok for B2B"
    pair.mentee.save()
    response = page(client, pair.mentor.user, "pair", pair.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Understand TikTok for B2B" in html
    assert pair.mentor.agreement_version.text in html
    assert "0 of 6 sessions; next session on 4 Mar 2027" in html
    assert "Thu 4 Mar 2027, 15:00–15:45 your time · 09:00–09:45 for Robert (New York)" in html
    assert url("reschedule", meeting.pk) in html and url("cancel", meeting.pk) in html


def test_the_partner_sees_a_proposal_waiting_with_each_time_in_their_zone(client, pair, proposal):
    html = page(client, pair.mentee.user, "pair", pair.pk).content.decode()
    assert "Waiting for you" in html
    assert "Thu 4 Mar 2027, 09:00–09:45 your time · 15:00–15:45 for Aisha (Berlin)" in html
    assert url("confirm", proposal.pk) in html
    mine = page(client, pair.mentor.user, "pair", pair.pk).content.decode()
    assert "Waiting for Robert to pick one of" in mine


# --- proposing ---------------------------------------------------------------------------------


def propose_data(**extra):
    return {"tz": "Europe/Berlin", "minutes": "45", "mode": "video",
            "video_link": "https://meet.example.com/flipside-1", **extra}


def test_proposing_suggested_and_typed_times_saves_one_proposal(client, availability):
    pair = availability
    form_page = page(client, pair.mentor.user, "propose", pair.pk)
    suggestions = form_page.context["form"].fields["suggested"].choices
    assert suggestions, "both people publish availability, so times are suggested"
    assert "your time · " in suggestions[0][1] and "for Robert (New York)" in suggestions[0][1]
    assert form_page.context["form"]["video_link"].value() == f"https://meet.example.com/flipside-{pair.pk}"

    response = page(client, pair.mentor.user, "propose", pair.pk, method="post", data=propose_data(
        suggested=[suggestions[0][0], suggestions[1][0]], date_1="2027-03-09", time_1="15:00"))

    assert response.status_code == 302 and response["Location"] == url("pair", pair.pk)
    meeting = Meeting.objects.get()
    assert meeting.proposed_by == pair.mentor.user
    assert at(date(2027, 3, 9), 15, 0, BERLIN) in set(meeting.slots.values_list("starts_at", flat=True))
    assert meeting.slots.count() == 3


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"date_1": "2027-02-26", "time_1": "15:00"}, "time_1", "That time is in the past"),
    ({"date_1": "2027-03-28", "time_1": "02:30"}, "time_1", "does not exist in Europe/Berlin"),
    ({"date_1": "2027-10-31", "time_1": "02:30"}, "time_1", "happens twice in Europe/Berlin"),
    ({"date_1": "2027-03-09", "time_1": "15:10"}, "time_1", "on the quarter hour"),
    ({"date_1": "2027-03-09"}, "time_1", "Give both a day and a time"),
    ({"date_1": "2027-03-09", "time_1": "15:00", "video_link": "meet.example.com"}, "video_link",
     "That is not a valid link"),
    ({"date_1": "2027-03-09", "time_1": "15:00", "minutes": "30"}, "minutes", "Select a valid choice"),
    ({}, None, "Offer at least one time"),
])
def test_bad_proposals_are_shown_again_with_a_clear_message_and_nothing_is_saved(
        client, pair, data, field, message):
    response = page(client, pair.mentor.user, "propose", pair.pk, method="post", data=propose_data(**data))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field or "__all__", [])), errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Meeting.objects.exists()


def test_a_time_zone_changed_in_another_tab_is_refused_and_the_form_switches_zone(client, pair, mentor):
    client.force_login(mentor)
    mentor.time_zone = "Asia/Tokyo"
    mentor.save()
    response = client.post(url("propose", pair.pk), propose_data(date_1="2027-03-09", time_1="15:00"))
    assert "Your time zone is now Asia/Tokyo" in response.content.decode()
    assert 'value="Asia/Tokyo"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_an_overlap_with_the_partners_other_session_is_a_field_error(client, pair, meeting):
    response = page(client, pair.mentor.user, "propose", pair.pk, method="post",
                    data=propose_data(date_1="2027-03-04", time_1="15:15"))
    assert "You two already have a session from 15:00 to 15:45 (your time)" in " ".join(
        response.context["form"].errors["time_1"])
    assert Meeting.objects.count() == 1


def test_an_ended_pair_cannot_propose(client, pair):
    pair.status = "completed"
    pair.save()
    response = page(client, pair.mentor.user, "propose", pair.pk)
    assert response.status_code == 302 and response["Location"] == url("pair", pair.pk)


# --- booking directly ------------------------------------------------------------------------


def test_booking_an_open_time_of_the_partner_confirms_it(client, availability):
    pair = availability
    form_page = page(client, pair.mentee.user, "book", pair.pk)
    opening = form_page.context["form"].fields["opening"].choices[0][0]
    response = page(client, pair.mentee.user, "book", pair.pk, method="post", data={
        "tz": "America/New_York", "minutes": "45", "mode": "in_person", "location": "Lobby",
        "opening": opening})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.location, meeting.proposed_by) == ("confirmed", "Lobby", pair.mentee.user)
    assert meeting.events.get().kind == "booked"


def test_booking_a_typed_time_outside_the_partners_hours_is_refused(client, availability):
    pair = availability
    response = page(client, pair.mentee.user, "book", pair.pk, method="post", data={
        "tz": "America/New_York", "minutes": "45", "mode": "video",
        "video_link": "https://meet.example.com/x", "date": "2027-03-09", "time": "16:00"})
    assert "outside Aisha's published availability" in " ".join(response.context["form"].errors["time"])
    assert not Meeting.objects.exists()


# --- confirming, declining ---------------------------------------------------------------------


def test_confirming_a_proposed_time(client, pair, proposal):
    chosen = proposal.slots.order_by("starts_at").last()
    form_page = page(client, pair.mentee.user, "confirm", proposal.pk)
    assert ("Fri 5 Mar 2027, 09:00–09:45 your time · 15:00–15:45 for Aisha (Berlin)"
            in form_page.content.decode())
    response = page(client, pair.mentee.user, "confirm", proposal.pk, method="post", data={"slot": chosen.pk})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.starts_at) == ("confirmed", chosen.starts_at)


def test_confirming_without_a_choice_or_with_a_foreign_slot_is_refused(client, pair, proposal):
    response = page(client, pair.mentee.user, "confirm", proposal.pk, method="post", data={})
    assert response.context["form"].errors["slot"] == ["Pick one of the times."]
    response = page(client, pair.mentee.user, "confirm", proposal.pk, method="post", data={"slot": 99999})
    assert response.context["form"].errors["slot"] == ["Pick one of the proposed times."]
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_the_proposer_is_sent_to_the_meeting_page_instead_of_confirming(client, pair, proposal):
    response = page(client, pair.mentor.user, "confirm", proposal.pk)
    assert response.status_code == 302 and response["Location"] == url("meeting", proposal.pk)


def test_declining_a_proposal(client, pair, proposal):
    response = page(client, pair.mentee.user, "decline", proposal.pk, method="post",
                    data={"reason": "On leave that week"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.cancelled_by, proposal.cancel_reason) == (
        "cancelled", pair.mentee.user, "On leave that week")


# --- rescheduling, cancelling, outcome -----------------------------------------------------------


def test_rescheduling_from_the_form(client, pair, meeting):
    response = page(client, pair.mentee.user, "reschedule", meeting.pk, method="post", data={
        "tz": "America/New_York", "date": "2027-03-10", "time": "10:00", "minutes": "60",
        "reason": "Quarterly review"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == at(date(2027, 3, 10), 10, 0, NEW_YORK)
    assert meeting.minutes == 60
    assert meeting.ics_sequence == 1


def test_rescheduling_without_a_reason_is_shown_again(client, pair, meeting):
    response = page(client, pair.mentee.user, "reschedule", meeting.pk, method="post", data={
        "tz": "America/New_York", "date": "2027-03-10", "time": "10:00", "minutes": "45", "reason": ""})
    assert response.context["form"].errors["reason"] == ["Say why you are moving the session."]
    meeting.refresh_from_db()
    assert meeting.ics_sequence == 0


def test_cancelling_needs_a_reason_then_works(client, pair, meeting):
    response = page(client, pair.mentor.user, "cancel", meeting.pk, method="post", data={"reason": ""})
    assert response.context["form"].errors["reason"] == ["Say why you are cancelling."]
    response = page(client, pair.mentor.user, "cancel", meeting.pk, method="post", data={"reason": "Ill"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_by) == ("cancelled", pair.mentor.user)


def test_cancelling_a_proposal_through_the_cancel_page_explains_what_to_do(client, pair, proposal):
    response = page(client, pair.mentor.user, "cancel", proposal.pk, method="post", data={"reason": "x"})
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Only a confirmed session that has not started can be moved or cancelled."]
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_marking_held_before_the_start_is_refused(client, pair, meeting):
    response = page(client, pair.mentor.user, "outcome", meeting.pk, method="post", data={"outcome": "held"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "confirmed"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["You can mark the session once it has started."]


def test_marking_held_after_the_start_leads_to_the_log(client, pair, meeting, time_machine):
    time_machine.move_to(meeting.ends_at, tick=False)
    response = page(client, pair.mentee.user, "outcome", meeting.pk, method="post", data={"outcome": "held"})
    assert response["Location"] == url("log", meeting.pk)
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert MeetingEvent.objects.filter(meeting=meeting, kind="held", actor_role="mentee").exists()


def test_an_unknown_outcome_changes_nothing(client, pair, meeting, time_machine):
    time_machine.move_to(meeting.ends_at, tick=False)
    page(client, pair.mentee.user, "outcome", meeting.pk, method="post", data={"outcome": "cancelled"})
    meeting.refresh_from_db()
    assert meeting.status == "confirmed"


# --- logging -------------------------------------------------------------------------------------


def test_a_future_session_cannot_be_logged_yet(client, pair, meeting):
    response = page(client, pair.mentor.user, "log", meeting.pk)
    assert response.status_code == 302
    response = page(client, pair.mentor.user, "log", meeting.pk, method="post", data={"summary_revision": 0})
    assert response.status_code == 302
    assert not SessionLog.objects.exists()


def test_logging_from_the_form_saves_each_part(client, pair, meeting, time_machine):
    from tests.factories import ProgramTopicFactory, TopicFactory

    cloud = ProgramTopicFactory(program=pair.program, topic=TopicFactory(name="Cloud"),
                                direction="junior_teaches").topic
    ProgramTopicFactory(program=pair.program, topic=TopicFactory(name="Negotiation"),
                        direction="senior_teaches")
    time_machine.move_to(meeting.ends_at, tick=False)
    form_page = page(client, pair.mentor.user, "log", meeting.pk)
    assert [t.name for t in form_page.context["form"].fields["topics"].queryset] == ["Cloud"]

    response = page(client, pair.mentor.user, "log", meeting.pk, method="post", data={
        "topics": [cloud.pk], "shared_summary": "Set up a sandbox account.", "summary_revision": "0",
        "reflection": "I explained too fast.", "goal_note": "Better at explaining", "goal_rating": "3",
        "action_0_text": "Try the console", "action_0_owner": str(pair.mentee.user.pk),
        "action_0_due_on": "2027-03-11", "action_1_text": "", "action_1_owner": str(pair.mentee.user.pk)})

    assert response.status_code == 302
    log = SessionLog.objects.get(meeting=meeting)
    assert list(log.topics_by_mentor.values_list("name", flat=True)) == ["Cloud"]
    assert log.shared_summary == "Set up a sandbox account."
    assert log.reflections.get().text == "I explained too fast."
    assert log.goal_progress.get().rating == 3
    item = ActionItem.objects.get()
    assert (item.owner, item.due_on, item.pair) == (pair.mentee.user, date(2027, 3, 11), pair)
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_an_action_item_due_in_the_past_is_refused_on_its_row(client, pair, meeting, time_machine):
    time_machine.move_to(meeting.ends_at, tick=False)
    response = page(client, pair.mentor.user, "log", meeting.pk, method="post", data={
        "summary_revision": "0", "action_0_text": "", "action_1_text": "Read the book",
        "action_1_owner": str(pair.mentor.user.pk), "action_1_due_on": "2027-03-01"})
    assert response.context["form"].errors["action_1_due_on"] == ["Pick a due date from today on."]
    assert not SessionLog.objects.exists()
    assert Meeting.objects.get(pk=meeting.pk).status == "confirmed"


def test_a_summary_edited_meanwhile_is_not_overwritten(client, pair, meeting, time_machine):
    time_machine.move_to(meeting.ends_at, tick=False)
    services.session_log_save(meeting=meeting, author=pair.mentee.user, shared_summary="Robert's notes",
                              summary_revision=0)
    response = page(client, pair.mentor.user, "log", meeting.pk, method="post", data={
        "summary_revision": "0", "shared_summary": "Aisha's notes"})
    html = response.content.decode()
    assert "Robert changed the shared summary while you were writing" in html.replace("&#x27;", "'")
    assert response.context["form"]["shared_summary"].value() == "Robert's notes"
    assert response.context["your_summary"] == "Aisha's notes"
    assert SessionLog.objects.get().shared_summary == "Robert's notes"


# --- action items, calendar --------------------------------------------------------------------------


def test_ticking_off_an_action_item(client, pair, meeting):
    item = ActionItem.objects.create(pair=pair, text="Read", owner=pair.mentor.user)
    response = page(client, pair.mentee.user, "action_done", item.pk, method="post", data={"done": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None
    page(client, pair.mentee.user, "action_done", item.pk, method="post", data={"done": "0"})
    item.refresh_from_db()
    assert item.done_at is None
    client.force_login(UserFactory())
    assert client.post(url("action_done", item.pk), {"done": "1"}).status_code == 404


def test_the_sessions_page_lists_sessions_across_pairs_and_the_calendar_link(client, pair, meeting):
    second = ActivePairFactory(program=pair.program, mentor=pair.mentor)
    MeetingFactory(pair=second, starts_at=at(date(2027, 3, 8), 14))
    response = page(client, pair.mentor.user, "sessions")
    html = response.content.decode()
    assert len(response.context["upcoming"]) == 2
    assert "http://testserver/sessions/calendar/" in html
    assert "Revoke and make a new link" in html


def test_revoking_the_calendar_link(client, pair):
    client.force_login(pair.mentor.user)
    old = client.get(url("sessions")).context["feed_url_path"]
    assert client.get(old).status_code == 200
    response = client.post(url("calendar_revoke"))
    assert response.status_code == 302
    assert CalendarFeed.objects.get(user=pair.mentor.user).version == 2
    assert client.get(old).status_code == 404
    new = client.get(url("sessions")).context["feed_url_path"]
    assert new != old and client.get(new).status_code == 200


def test_the_meeting_page_shows_its_history(client, pair, meeting):
    html = page(client, pair.mentor.user, "meeting", meeting.pk).content.decode()
    assert "You: proposed times" in html
    assert "Robert: confirmed a proposed time" in html



@pytest.mark.parametrize("value", ["2027-03-09T15:00:00", "yesterday", "9999-12-31T23:59:00+00:00"])
def test_tampered_offered_times_get_a_message_not_an_error_page(client, pair, value):
    response = page(client, pair.mentor.user, "propose", pair.pk, method="post",
                    data=propose_data(suggested=[value]))
    assert response.status_code == 200
    assert response.context["form"].errors["suggested"] == ["That time is not one of the offered times."]
    assert not Meeting.objects.exists()


def test_a_date_far_in_the_future_is_refused_politely(client, pair):
    response = page(client, pair.mentor.user, "propose", pair.pk, method="post",
                    data=propose_data(date_1="9999-12-31", time_1="23:45"))
    assert response.context["form"].errors["date_1"] == ["Pick a day in the program, not in 9999."]


def test_reschedule_and_cancel_pages_send_you_back_for_sessions_that_cannot_change(client, pair, proposal):
    for name in ("reschedule", "cancel"):
        response = page(client, pair.mentor.user, name, proposal.pk)
        assert response.status_code == 302 and response["Location"] == url("meeting", proposal.pk)


def test_a_log_posted_without_its_hidden_fields_still_saves(client, pair, meeting, time_machine):
    time_machine.move_to(meeting.ends_at, tick=False)
    response = page(client, pair.mentee.user, "log", meeting.pk, method="post",
                    data={"shared_summary": "Short one"})
    assert response.status_code == 302
    assert SessionLog.objects.get().shared_summary == "Short one"


def test_every_problem_of_a_proposal_is_shown_at_once(client, pair, meeting):
    pair.program.starts_on, pair.program.ends_on = date(2027, 2, 1), date(2027, 6, 30)
    pair.program.save()
    response = page(client, pair.mentor.user, "propose", pair.pk, method="post", data=propose_data(
        date_1="2027-02-26", time_1="15:00",      # in the past
        date_2="2027-03-04", time_2="15:15",      # overlaps the confirmed session
        date_3="2027-07-05", time_3="15:00",      # after the program
        video_link="meet.example.com/abc"))
    errors = response.context["form"].errors
    assert errors["time_1"] == ["That time is in the past. Pick a time from now on."]
    assert errors["time_2"] == [
        "You two already have a session from 15:00 to 15:45 (your time) that overlaps this one."]
    assert errors["time_3"] == [
        "The program runs from 1 Feb 2027 to 30 Jun 2027; pick a day inside it."]
    assert "That is not a valid link" in errors["video_link"][0]
    assert Meeting.objects.count() == 1


def test_changing_the_place_of_a_booked_session_sends_an_update(client, pair, meeting):
    form_page = page(client, pair.mentee.user, "place", meeting.pk)
    assert form_page.context["form"]["video_link"].value() == "https://meet.example.com/p"
    response = page(client, pair.mentee.user, "place", meeting.pk, method="post", data={
        "mode": "in_person", "location": "Lobby, building B", "video_link": ""})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.mode, meeting.location, meeting.video_link, meeting.ics_sequence) == (
        "in_person", "Lobby, building B", "", 1)
    assert meeting.notices.filter(change="updated", sequence=1).count() == 2
    assert meeting.events.filter(kind="updated", actor_role="mentee").exists()


def test_changing_the_place_needs_a_place_or_a_valid_link(client, pair, meeting):
    response = page(client, pair.mentee.user, "place", meeting.pk, method="post", data={
        "mode": "in_person", "location": ""})
    assert "Say where you will meet" in response.context["form"].errors["location"][0]
    response = page(client, pair.mentee.user, "place", meeting.pk, method="post", data={
        "mode": "video", "video_link": "ftp://x"})
    assert "That is not a valid link" in response.context["form"].errors["video_link"][0]
    meeting.refresh_from_db()
    assert (meeting.mode, meeting.ics_sequence) == ("video", 0)
