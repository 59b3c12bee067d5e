"""The booking services: propose, confirm, book directly, reschedule, cancel, mark held/no-show."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count

from meetings import services
from meetings.models import Meeting, MeetingAttendance, MeetingEvent, MeetingNotice, ProposedSlot
from tests.factories import ActivePairFactory, MeetingFactory, UserFactory
from tests.meetings.conftest import NEW_YORK, at, slot

TUESDAY = date(2027, 3, 2)
WEDNESDAY = date(2027, 3, 3)

pytestmark = pytest.mark.usefixtures("now")


def propose(pair, user=None, slots=None, **place):
    place = {"mode": "video", "video_link": "https://meet.example.com/x", **place}
    return services.meeting_propose(pair=pair, proposer=user or pair.mentor.user,
                                    slots_utc=slots or [slot(at(TUESDAY, 14))], **place)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- propose and confirm ------------------------------------------------------------------


def test_a_proposal_keeps_up_to_three_slots_and_records_who_proposed(pair):
    meeting = propose(pair, slots=[slot(at(TUESDAY, 14)), slot(at(TUESDAY, 15)), slot(at(WEDNESDAY, 14))])

    assert meeting.status == Meeting.Status.PROPOSED
    assert meeting.starts_at is None
    assert meeting.proposed_by == pair.mentor.user
    assert meeting.slots.count() == 3
    event = meeting.events.get()
    assert (event.kind, event.actor_role) == ("proposed", "mentor")
    # The partner is told; nobody's time is taken yet.
    assert list(meeting.notices.values_list("recipient", "kind")) == [(pair.mentee.user_id, "proposed")]
    assert not MeetingAttendance.objects.exists()


def test_it_refuses_more_than_three_slots(pair):
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, slots=[slot(at(TUESDAY, h)) for h in (13, 14, 15, 16)])
    assert "at most three" in str(excinfo.value)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(("start", "minutes", "message"), [
    (at(date(2027, 2, 28), 14), 45, "in the past"),
    (at(TUESDAY, 14), 30, "at least 45 minutes"),
    (at(TUESDAY, 14), 50, "Choose a length of 45, 60, 75"),
    (at(TUESDAY, 10), 240, "at most 3 hours"),
])
def test_it_refuses_a_bad_slot_with_a_clear_message_and_saves_nothing(pair, start, minutes, message):
    good = slot(at(WEDNESDAY, 14))
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, slots=[good, slot(start, minutes)])

    assert message in " ".join(errors_of(excinfo)["slot_1"])
    assert "slot_0" not in errors_of(excinfo)
    assert not Meeting.objects.exists()
    assert not ProposedSlot.objects.exists()
    assert not MeetingEvent.objects.exists()


def test_it_refuses_a_slot_outside_the_program_dates(pair):
    pair.program.starts_on, pair.program.ends_on = date(2027, 3, 8), date(2027, 6, 30)
    pair.program.save()
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, slots=[slot(at(TUESDAY, 14))])
    assert "The program runs from" in errors_of(excinfo)["slot_0"][0]
    with pytest.raises(ValidationError):
        propose(pair, slots=[slot(at(date(2027, 7, 1), 14))])


def test_it_refuses_a_slot_overlapping_a_session_of_either_person(pair, mentee):
    # Robert (the mentee) already meets another mentor at 14:30 UTC on Tuesday.
    other_pair = ActivePairFactory(program=pair.program, mentee__user=UserFactory(),
                                   mentor__user=UserFactory())
    other = MeetingFactory(pair=other_pair, starts_at=at(TUESDAY, 14, 30))
    MeetingAttendance.objects.filter(meeting=other, user=other_pair.mentee.user).update(user=mentee)

    with pytest.raises(ValidationError) as excinfo:
        propose(pair, slots=[slot(at(TUESDAY, 14))])

    # Aisha reads it in her own zone (Berlin, UTC+1).
    assert errors_of(excinfo)["slot_0"] == [
        "Robert already has a session from 15:30 to 16:15 (your time) that overlaps this one."]


def test_it_tells_you_when_the_overlap_is_your_own(pair):
    MeetingFactory(pair=pair, starts_at=at(TUESDAY, 14))
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, user=pair.mentee.user, slots=[slot(at(TUESDAY, 14, 15))])
    # Robert is in New York (UTC-5).
    assert errors_of(excinfo)["slot_0"][0].startswith("You two already have a session from 09:00 to 09:45")

    mentor_elsewhere = ActivePairFactory(program=pair.program, mentor=pair.mentor)
    MeetingFactory(pair=mentor_elsewhere, starts_at=at(WEDNESDAY, 14))
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, user=pair.mentor.user, slots=[slot(at(WEDNESDAY, 14, 30))])
    assert errors_of(excinfo)["slot_0"][0].startswith("You already have a session from 15:00 to 15:45")


def test_it_refuses_offered_times_that_overlap_each_other(pair):
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, slots=[slot(at(TUESDAY, 14)), slot(at(TUESDAY, 14, 30))])
    assert "overlaps another time you are offering" in errors_of(excinfo)["slot_1"][0]


@pytest.mark.parametrize("link", ["meet.example.com/x", "http://meet.example.com/x", "https://",
                                  "javascript:x"])
def test_it_refuses_a_malformed_video_link(pair, link):
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, video_link=link)
    assert "https://" in errors_of(excinfo)["video_link"][0]
    assert not Meeting.objects.exists()


def test_it_requires_a_place_to_meet_in_person_and_respects_the_programs_modes(pair):
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, mode="in_person", location=" ")
    assert "Say where you will meet" in errors_of(excinfo)["location"][0]

    pair.program.meeting_modes = "video"
    pair.program.save()
    with pytest.raises(ValidationError) as excinfo:
        propose(pair, mode="in_person", location="Room 4")
    assert errors_of(excinfo)["mode"] == ["This program meets by video call."]


def test_only_members_of_an_active_pair_propose(pair, outsider):
    with pytest.raises(PermissionDenied):
        propose(pair, user=outsider)
    pair.status = "completed"
    pair.save()
    with pytest.raises(ValidationError, match="no longer active"):
        propose(pair)


def test_the_partner_confirms_one_slot_and_both_peoples_time_is_taken(pair):
    meeting = propose(pair, slots=[slot(at(TUESDAY, 14)), slot(at(WEDNESDAY, 15))])
    chosen = meeting.slots.get(starts_at=at(WEDNESDAY, 15))

    services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=chosen.pk)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED
    assert (meeting.starts_at, meeting.ends_at) == (chosen.starts_at, chosen.ends_at)
    assert meeting.confirmed_by == pair.mentee.user
    assert set(meeting.attendances.values_list("user", "active")) == {
        (pair.mentor.user_id, True), (pair.mentee.user_id, True)}
    event = meeting.events.get(kind="confirmed")
    assert (event.actor, event.actor_role, event.new_starts_at) == (
        pair.mentee.user, "mentee", chosen.starts_at)
    requests = meeting.notices.filter(kind="request")
    assert sorted(requests.values_list("recipient", flat=True)) == sorted(
        [pair.mentor.user_id, pair.mentee.user_id])
    assert set(requests.values_list("sequence", flat=True)) == {0}


def test_the_proposer_cannot_confirm_their_own_proposal(pair):
    meeting = propose(pair)
    with pytest.raises(ValidationError, match="Robert picks one"):
        services.meeting_confirm(meeting=meeting, user=pair.mentor.user, slot_id=meeting.slots.get().pk)


def test_confirming_a_slot_taken_meanwhile_is_refused_and_the_proposal_stays_open(pair):
    meeting = propose(pair)
    MeetingFactory(pair=pair, starts_at=at(TUESDAY, 14))
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=meeting.slots.get().pk)
    assert "overlaps" in errors_of(excinfo)["slot"][0]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PROPOSED
    assert not meeting.attendances.exists()


def test_a_slot_of_another_meeting_cannot_be_confirmed(pair):
    meeting = propose(pair)
    other = propose(pair, slots=[slot(at(WEDNESDAY, 14))])
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=other.slots.get().pk)
    assert "slot" in errors_of(excinfo)


def test_an_answered_proposal_cannot_be_confirmed_again(pair):
    meeting = propose(pair)
    services.meeting_decline(meeting=meeting, user=pair.mentee.user, reason="Travelling that week")
    with pytest.raises(ValidationError, match="already been answered"):
        services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=meeting.slots.get().pk)
    event = meeting.events.get(kind="declined")
    assert (event.actor_role, event.reason) == ("mentee", "Travelling that week")
    assert meeting.notices.filter(kind="declined", recipient=pair.mentor.user).exists()


# --- booking directly --------------------------------------------------------------------------


def test_booking_inside_the_partners_availability_confirms_at_once(availability):
    pair = availability
    start = at(TUESDAY, 9, 0, NEW_YORK)  # Robert's window is 08:00–12:00 New York
    meeting = services.meeting_book(pair=pair, booker=pair.mentor.user, starts_at=start,
                                    ends_at=start + timedelta(minutes=60), mode="in_person",
                                    location="Café on floor 3")
    assert meeting.status == Meeting.Status.CONFIRMED
    assert meeting.minutes == 60
    assert meeting.events.get().kind == "booked"
    assert meeting.attendances.filter(active=True).count() == 2
    assert meeting.notices.filter(kind="request").count() == 2


def test_booking_outside_the_partners_availability_is_refused(availability):
    pair = availability
    start = at(TUESDAY, 13, 0, NEW_YORK)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_book(pair=pair, booker=pair.mentor.user, starts_at=start,
                              ends_at=start + timedelta(minutes=45), mode="video",
                              video_link="https://meet.example.com/x")
    assert "outside Robert's published availability" in errors_of(excinfo)["starts_at"][0]
    assert not Meeting.objects.exists()


def test_booking_someone_without_availability_says_to_propose_instead(pair):
    start = at(TUESDAY, 14)
    with pytest.raises(ValidationError, match="has not published any availability"):
        services.meeting_book(pair=pair, booker=pair.mentee.user, starts_at=start,
                              ends_at=start + timedelta(minutes=45), mode="video",
                              video_link="https://meet.example.com/x")


def test_booking_may_end_exactly_where_the_window_ends(availability):
    pair = availability
    start = at(TUESDAY, 11, 15, NEW_YORK)
    meeting = services.meeting_book(pair=pair, booker=pair.mentor.user, starts_at=start,
                                    ends_at=start + timedelta(minutes=45), mode="video",
                                    video_link="https://meet.example.com/x")
    assert meeting.ends_at == at(TUESDAY, 12, 0, NEW_YORK)


# --- reschedule, cancel, outcome --------------------------------------------------------------


def confirmed(pair, start=None):
    meeting = propose(pair, slots=[slot(start or at(WEDNESDAY, 14))])
    return services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=meeting.slots.get().pk)


def test_rescheduling_moves_the_same_event_and_raises_the_sequence(pair):
    meeting = confirmed(pair)
    uid = meeting.ics_uid
    new_start = at(date(2027, 3, 4), 15)

    services.meeting_reschedule(meeting=meeting, user=pair.mentee.user, starts_at=new_start,
                                ends_at=new_start + timedelta(minutes=45), reason="Board meeting moved")

    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ics_uid, meeting.ics_sequence) == (new_start, uid, 1)
    assert set(meeting.attendances.values_list("starts_at", flat=True)) == {new_start}
    event = meeting.events.get(kind="rescheduled")
    assert (event.actor_role, event.reason, event.old_starts_at, event.new_starts_at) == (
        "mentee", "Board meeting moved", at(WEDNESDAY, 14), new_start)
    assert meeting.notices.filter(kind="request", sequence=1).count() == 2


def test_rescheduling_needs_a_reason_and_a_new_time(pair):
    meeting = confirmed(pair)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_reschedule(meeting=meeting, user=pair.mentor.user, starts_at=meeting.starts_at,
                                    ends_at=meeting.ends_at, reason="  ")
    assert set(errors_of(excinfo)) == {"reason", "starts_at"}
    meeting.refresh_from_db()
    assert meeting.ics_sequence == 0


def test_rescheduling_within_the_cutoff_is_refused(pair, time_machine):
    meeting = confirmed(pair)
    time_machine.move_to(meeting.starts_at - timedelta(hours=11), tick=False)
    later = meeting.starts_at + timedelta(days=1)
    with pytest.raises(ValidationError, match="within 12 hours of the start"):
        services.meeting_reschedule(meeting=meeting, user=pair.mentor.user, starts_at=later,
                                    ends_at=later + timedelta(minutes=45), reason="Ill")


def test_rescheduling_onto_an_overlapping_session_is_refused(pair):
    meeting = confirmed(pair)
    other = confirmed(pair, at(date(2027, 3, 4), 14))
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_reschedule(meeting=meeting, user=pair.mentor.user, starts_at=other.starts_at,
                                    ends_at=other.ends_at, reason="Clash")
    assert "You two already have a session" in errors_of(excinfo)["starts_at"][0]


def test_a_session_may_be_moved_onto_part_of_its_own_time(pair):
    meeting = confirmed(pair)
    later = meeting.starts_at + timedelta(minutes=15)
    services.meeting_reschedule(meeting=meeting, user=pair.mentor.user, starts_at=later,
                                ends_at=later + timedelta(minutes=45), reason="Running late")
    meeting.refresh_from_db()
    assert meeting.starts_at == later


def test_cancelling_frees_the_time_records_the_role_and_sends_a_cancellation(pair):
    meeting = confirmed(pair)
    services.meeting_cancel(meeting=meeting, user=pair.mentee.user, reason="Customer visit")

    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_by, meeting.cancel_reason) == (
        "cancelled", pair.mentee.user, "Customer visit")
    assert meeting.ics_sequence == 1
    assert not meeting.attendances.filter(active=True).exists()
    assert MeetingEvent.objects.filter(kind="cancelled", actor_role="mentee").count() == 1
    assert meeting.notices.filter(kind="cancel", sequence=1).count() == 2
    # The time is free again for a new session.
    confirmed(pair, meeting.starts_at)


def test_cancelling_needs_a_reason(pair):
    meeting = confirmed(pair)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_cancel(meeting=meeting, user=pair.mentor.user, reason="")
    assert "Say why you are cancelling; Robert will see it." in errors_of(excinfo)["reason"]
    meeting.refresh_from_db()
    assert meeting.status == "confirmed"


def test_a_started_session_cannot_be_cancelled_but_can_be_marked(pair, time_machine):
    meeting = confirmed(pair)
    with pytest.raises(ValidationError, match="once it has started"):
        services.meeting_mark(meeting=meeting, user=pair.mentor.user, outcome="held")
    time_machine.move_to(meeting.starts_at + timedelta(minutes=5), tick=False)
    with pytest.raises(ValidationError, match="already started"):
        services.meeting_cancel(meeting=meeting, user=pair.mentor.user, reason="Forgot")

    services.meeting_mark(meeting=meeting, user=pair.mentor.user, outcome="no_show")

    meeting.refresh_from_db()
    assert meeting.status == "no_show"
    assert meeting.events.filter(kind="no_show", actor_role="mentor").exists()


def test_events_can_be_counted_by_role_for_the_dashboard(pair):
    for user in (pair.mentor.user, pair.mentee.user, pair.mentee.user):
        meeting = confirmed(pair, at(date(2027, 3, 10), 14))
        services.meeting_cancel(meeting=meeting, user=user, reason="Busy")
    counts = dict(MeetingEvent.objects.filter(kind="cancelled").values_list("actor_role")
                  .annotate(n=Count("id")))
    assert counts == {"mentor": 1, "mentee": 2}


def test_every_change_writes_its_notices_in_the_same_transaction(pair):
    meeting = propose(pair)
    with pytest.raises(ValidationError):
        services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=999_999)
    assert not MeetingNotice.objects.filter(kind="request").exists()


def test_times_for_people_in_the_same_zone_read_once(pair, mentor):
    from meetings.formatting import both_zones

    other = UserFactory(full_name="Mia Same", time_zone="Europe/Berlin")
    assert both_zones(at(TUESDAY, 14), at(TUESDAY, 14, 45), mentor, other) == (
        "Tue 2 Mar 2027, 15:00–15:45 for both of you")
    assert both_zones(at(TUESDAY, 14), at(TUESDAY, 14, 45), mentor, pair.mentee.user) == (
        "Tue 2 Mar 2027, 15:00–15:45 your time · 09:00–09:45 for Robert (New York)")
    late = at(TUESDAY, 20, 0, NEW_YORK)
    assert both_zones(late, late + timedelta(minutes=45), pair.mentee.user, mentor) == (
        "Tue 2 Mar 2027, 20:00–20:45 your time · Wed 3 Mar 2027, 02:00–02:45 for Aisha (Berlin)")


def test_a_video_session_may_be_proposed_before_the_link_exists(pair):
    meeting = propose(pair, video_link="")
    assert (meeting.mode, meeting.video_link) == ("video", "")
