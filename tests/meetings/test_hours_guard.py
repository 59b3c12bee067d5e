"""The out-of-hours guard in proposing, booking and rescheduling (services and pages).

Aisha (mentor) is in Berlin, Robert (mentee) in New York; the clock is Monday 1 March 2027 08:00 UTC,
before either side switches to summer time (New York is UTC-5).
"""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import hours, services
from meetings.models import Meeting
from tests.factories import AvailabilityWindowFactory, ProfileFactory
from tests.meetings.conftest import NEW_YORK, at, slot

pytestmark = pytest.mark.usefixtures("now")
THURSDAY = date(2027, 3, 4)


@pytest.fixture
def guarded(pair):
    pair.program.hours_guard = True
    pair.program.save(update_fields=["hours_guard"])
    return pair


def propose(pair, start, **kwargs):
    return services.meeting_propose(pair=pair, proposer=pair.mentor.user, slots_utc=[slot(start)],
                                    mode="video", **kwargs)


def test_proposing_outside_the_partners_working_day_asks_for_a_confirmation_naming_their_time(guarded):
    evening = at(THURSDAY, 19, 0, NEW_YORK)
    with pytest.raises(ValidationError) as raised:
        propose(guarded, evening)
    (message,) = raised.value.message_dict["confirm_hours"]
    # 19:00 on Thursday in New York is already Friday in Berlin: the day is named too.
    assert message.startswith(
        "That is Thu 4 Mar 2027 19:00–19:45 for Robert in New York, outside their usual working day")
    assert "08:00–18:00" in message
    assert not Meeting.objects.exists()

    meeting = propose(guarded, evening, hours_confirmed=True)
    assert meeting.slots.get().starts_at == evening


def test_a_confirmation_only_covers_the_times_it_was_given_for(guarded):
    evening, other = at(THURSDAY, 19, 0, NEW_YORK), at(THURSDAY, 20, 0, NEW_YORK)
    verdicts = hours.check(pair=guarded, actor=guarded.mentor.user, times=[slot(evening)])
    with pytest.raises(ValidationError, match="20:00"):
        propose(guarded, other, hours_confirmed=hours.signature(verdicts))
    assert propose(guarded, evening, hours_confirmed=hours.signature(verdicts)).pk


def test_at_the_partners_night_the_proposal_is_refused_even_when_confirmed(guarded):
    with pytest.raises(ValidationError) as raised:
        propose(guarded, at(THURSDAY, 23, 0, NEW_YORK), hours_confirmed=True)
    (message,) = raised.value.message_dict["slot_0"]
    assert "Thu 4 Mar 2027 23:00–23:45 for Robert in New York — at night" in message
    assert not Meeting.objects.exists()


def test_a_partner_who_accepts_night_sessions_can_be_proposed_a_night_time_after_a_warning(guarded):
    robert = guarded.mentee.user
    robert.accepts_night_sessions = True
    robert.save(update_fields=["accepts_night_sessions"])
    with pytest.raises(ValidationError) as raised:
        propose(guarded, at(THURSDAY, 23, 0, NEW_YORK))
    assert set(raised.value.message_dict) == {"confirm_hours"}
    assert propose(guarded, at(THURSDAY, 23, 0, NEW_YORK), hours_confirmed=True).pk


def test_the_guard_reads_the_partners_zone_not_the_proposers(guarded):
    # 15:00 in New York is 21:00 in Berlin: late for Aisha, but she is the one proposing.
    assert propose(guarded, at(THURSDAY, 15, 0, NEW_YORK)).pk
    # The other way round: Robert proposes 07:00 New York = 13:00 Berlin, fine for Aisha.
    meeting = services.meeting_propose(pair=guarded, proposer=guarded.mentee.user, mode="video",
                                       slots_utc=[slot(at(THURSDAY, 7, 0, NEW_YORK))])
    assert meeting.pk


def test_a_program_can_switch_the_guard_off_or_move_the_working_day(guarded):
    program = guarded.program
    program.working_hours_start, program.working_hours_end = time(9), time(20)
    program.save(update_fields=["working_hours_start", "working_hours_end"])
    assert propose(guarded, at(THURSDAY, 19, 0, NEW_YORK)).pk
    program.hours_guard = False
    program.save(update_fields=["hours_guard"])
    assert propose(guarded, at(THURSDAY, 23, 0, NEW_YORK)).pk


def test_rescheduling_into_the_partners_evening_warns_and_into_their_night_is_refused(guarded):
    meeting = propose(guarded, at(THURSDAY, 10, 0, NEW_YORK))
    meeting = services.meeting_confirm(meeting=meeting, user=guarded.mentee.user,
                                       slot_id=meeting.slots.get().pk)
    evening = at(date(2027, 3, 5), 19, 0, NEW_YORK)
    with pytest.raises(ValidationError) as raised:
        services.meeting_reschedule(meeting=meeting, user=guarded.mentor.user, reason="Clash",
                                    starts_at=evening, ends_at=slot(evening)[1])
    assert "19:00–19:45 for Robert in New York" in raised.value.message_dict["confirm_hours"][0]
    night = at(date(2027, 3, 5), 23, 0, NEW_YORK)
    with pytest.raises(ValidationError) as raised:
        services.meeting_reschedule(meeting=meeting, user=guarded.mentor.user, reason="Clash",
                                    starts_at=night, ends_at=slot(night)[1], hours_confirmed=True)
    assert "at night" in raised.value.message_dict["starts_at"][0]
    moved = services.meeting_reschedule(meeting=meeting, user=guarded.mentor.user, reason="Clash",
                                        starts_at=evening, ends_at=slot(evening)[1], hours_confirmed=True)
    assert moved.starts_at == evening


def test_booking_into_availability_published_at_night_is_refused_and_not_offered(guarded, client):
    # Robert publishes Thursdays 05:00–08:00 (11:00–14:00 in Berlin, inside Aisha's waking day).
    robert = ProfileFactory(user=guarded.mentee.user)
    AvailabilityWindowFactory(profile=robert, weekday=3, start=time(5), end=time(8))
    night = at(THURSDAY, 5, 30, NEW_YORK)
    with pytest.raises(ValidationError) as raised:
        services.meeting_book(pair=guarded, booker=guarded.mentor.user, starts_at=night,
                              ends_at=slot(night)[1], mode="video", hours_confirmed=True)
    assert "at night" in raised.value.message_dict["starts_at"][0]
    # Of each Thursday's open times (05:00, 06:00, 07:00 his time) only 07:00 is offered.
    client.force_login(guarded.mentor.user)
    openings = client.get(reverse("meetings:book", args=[guarded.pk])).context["openings"]
    assert len(openings) == 3
    assert {start.astimezone(NEW_YORK).time() for start, _end in openings} == {time(7)}


# --- the pages: a warning, a checkbox, a second submit ----------------------------------------


def propose_form(day: date, clock: str, **extra) -> dict[str, str]:
    return {"tz": "Europe/Berlin", "date_1": day.isoformat(), "time_1": clock, "minutes": "45",
            "mode": "video", "video_link": "", **extra}


def test_the_propose_page_warns_then_sends_once_the_box_is_ticked(guarded, client):
    client.force_login(guarded.mentor.user)
    url = reverse("meetings:propose", args=[guarded.pk])
    # 01:00 Berlin on Friday is 19:00 on Thursday in New York.
    first = client.post(url, propose_form(date(2027, 3, 5), "01:00"))
    assert first.status_code == 200 and not Meeting.objects.exists()
    page = first.content.decode()
    assert "That is Thu 4 Mar 2027 19:00–19:45 for Robert in New York" in page
    assert 'type="checkbox" name="confirm_hours"' in page
    signature = first.context["form"].hours_signature
    assert signature == at(THURSDAY, 19, 0, NEW_YORK).isoformat()

    second = client.post(url, propose_form(date(2027, 3, 5), "01:00", confirm_hours=signature))
    assert second.status_code == 302
    assert Meeting.objects.get().slots.get().starts_at == at(THURSDAY, 19, 0, NEW_YORK)


def test_the_propose_page_refuses_the_partners_night_next_to_the_time(guarded, client):
    client.force_login(guarded.mentor.user)
    response = client.post(reverse("meetings:propose", args=[guarded.pk]),
                           propose_form(date(2027, 3, 5), "05:00", confirm_hours="anything"))
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "at night" in " ".join(response.context["form"].errors["time_1"])
    assert 'name="confirm_hours"' not in response.content.decode()


def test_the_reschedule_page_warns_before_moving(guarded, client):
    meeting = propose(guarded, at(THURSDAY, 10, 0, NEW_YORK))
    services.meeting_confirm(meeting=meeting, user=guarded.mentee.user, slot_id=meeting.slots.get().pk)
    client.force_login(guarded.mentor.user)
    url = reverse("meetings:reschedule", args=[meeting.pk])
    data = {"tz": "Europe/Berlin", "date": "2027-03-06", "time": "01:00", "minutes": "45",
            "reason": "Offsite"}
    first = client.post(url, data)
    assert first.status_code == 200 and "for Robert in New York" in first.content.decode()
    meeting.refresh_from_db()
    assert meeting.starts_at == at(THURSDAY, 10, 0, NEW_YORK)
    second = client.post(url, {**data, "confirm_hours": first.context["form"].hours_signature})
    assert second.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == at(date(2027, 3, 5), 19, 0, NEW_YORK)


def test_the_night_preference_is_set_in_account_preferences(client, mentee):
    client.force_login(mentee)
    response = client.post(reverse("accounts:preferences"), {
        "full_name": mentee.full_name, "time_zone": mentee.time_zone, "accepts_night_sessions": "on"})
    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.accepts_night_sessions is True
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert "I accept sessions at night" in page
