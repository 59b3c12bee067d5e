"""Recurring slots: proposing, accepting, skipping, moving and ending a series, and its calendar files
(parsed back with icalendar; the RRULE expanded with dateutil and compared with the sessions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from django.core import mail
from django.core.exceptions import ValidationError
from icalendar import Calendar

from meetings import commitment, ics, series, series_notices, services
from meetings.models import (
    Meeting,
    MeetingAttendance,
    MeetingEvent,
    MeetingSeries,
    SeriesNotice,
    SeriesOccurrence,
)
from notifications import outbox
from tests.meetings.conftest import BERLIN, NEW_YORK, at, slot

pytestmark = pytest.mark.usefixtures("now")
TUESDAY = date(2027, 3, 2)  # NOW is Monday 1 March 2027, before either side of the Atlantic changes clocks


def propose(pair, proposer=None, **overrides):
    values = {
        "first_day": TUESDAY,
        "start_time": time(15),
        "minutes": 45,
        "interval_weeks": 2,
        "until": TUESDAY + timedelta(weeks=6),
        "mode": "video",
        "video_link": "https://meet.example.com/s",
    }
    return series.series_propose(pair=pair, proposer=proposer or pair.mentor.user, **{**values, **overrides})


def agreed(pair, **overrides):
    proposal = propose(pair, **overrides)
    return series.series_accept(series=proposal, user=pair.partner_of(proposal.proposed_by))


def deliver() -> None:
    outbox.deliver_due()


def calendars(kind_name: str) -> list[tuple[object, Calendar]]:
    """(message, parsed calendar) for every e-mail sent with an attachment named ``kind_name``."""
    found = []
    for message in mail.outbox:
        for name, content, _mimetype in message.attachments:
            if name == kind_name:
                found.append((message, Calendar.from_ical(content)))
    return found


def expand(event) -> list[datetime]:
    """The instances an RRULE event describes, minus its EXDATEs, as UTC datetimes."""
    start = event.decoded("dtstart")
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    excluded = set()
    exdates = event.get("exdate")
    for block in exdates if isinstance(exdates, list) else [exdates] if exdates else []:
        excluded |= {d.dt.astimezone(UTC) for d in block.dts}
    return [d.astimezone(UTC) for d in rule if d.astimezone(UTC) not in excluded]


# --- the dates (pure) --------------------------------------------------------------------------


def test_every_second_week_runs_up_to_and_including_the_last_day():
    days = series.occurrence_days(TUESDAY, 2, TUESDAY + timedelta(weeks=6))
    assert days == [TUESDAY + timedelta(weeks=n) for n in (0, 2, 4, 6)]


@pytest.mark.parametrize(
    ("zone", "first", "before", "after"),
    [
        # Europe/Berlin leaves summer time on Sunday 31 October 2027: 09:00 is 07:00 UTC, then 08:00 UTC.
        (BERLIN, date(2027, 10, 19), 7, 8),
        # America/New_York leaves it on Sunday 7 November 2027: 09:00 is 13:00 UTC, then 14:00 UTC.
        (NEW_YORK, date(2027, 10, 26), 13, 14),
    ],
)
def test_the_wall_clock_time_holds_across_the_end_of_daylight_saving(zone, first, before, after):
    starts = [
        series.wall_clock(day, time(9), zone)
        for day in series.occurrence_days(first, 1, first + timedelta(weeks=3))
    ]
    assert [s.astimezone(zone).time() for s in starts] == [time(9)] * 4
    assert [s.hour for s in starts] == [before, before, after, after]


# --- proposing and accepting -------------------------------------------------------------------


def test_accepting_makes_every_instance_a_confirmed_session_with_both_peoples_time_held(pair):
    agreed_series = agreed(pair)

    meetings = list(Meeting.objects.filter(pair=pair).order_by("starts_at"))
    # 15:00 in Berlin, whatever the offset that day (Berlin moves to summer time on 28 March).
    assert [m.starts_at for m in meetings] == [
        at(TUESDAY + timedelta(weeks=n), 15, zone=BERLIN) for n in (0, 2, 4, 6)
    ]
    assert {m.status for m in meetings} == {"confirmed"}
    assert MeetingAttendance.objects.filter(meeting__in=meetings, active=True).count() == 8
    assert list(
        SeriesOccurrence.objects.filter(series=agreed_series).values_list("recurrence_id", flat=True)
    ) == [m.starts_at for m in meetings]
    assert set(MeetingEvent.objects.filter(meeting__in=meetings).values_list("kind", "actor_role")) == {
        ("scheduled", "mentee")
    }
    assert agreed_series.status == "active" and agreed_series.answered_by == pair.mentee.user
    # Scheduling a series is not a cancellation or a move.
    assert commitment.pair_counts(pair)["mentee"] == {"cancelled": 0, "rescheduled": 0}


def test_the_last_day_of_the_program_is_the_default_end_and_later_is_refused(pair):
    pair.program.ends_on = TUESDAY + timedelta(weeks=4)
    pair.program.save(update_fields=["ends_on"])
    with pytest.raises(ValidationError) as error:
        propose(pair, until=TUESDAY + timedelta(weeks=6))
    assert "The program ends on" in str(error.value)

    proposal = propose(pair, until=None)

    assert proposal.until == pair.program.ends_on
    assert len(series.planned_starts(proposal)) == 3


def test_a_proposal_is_refused_when_one_instance_clashes_and_names_that_day(pair):
    clash = at(TUESDAY + timedelta(weeks=4), 15, zone=BERLIN)
    services.meeting_confirm(
        meeting=(
            p := services.meeting_propose(
                pair=pair, proposer=pair.mentor.user, slots_utc=[slot(clash)], mode="video"
            )
        ),
        user=pair.mentee.user,
        slot_id=p.slots.get().pk,
    )

    with pytest.raises(ValidationError) as error:
        propose(pair)

    assert "The session on 30 Mar 2027 can't be held" in error.value.message_dict["first_day"][0]
    assert not MeetingSeries.objects.exists()


def test_programs_can_switch_series_off_and_a_pair_has_one_open_series_at_a_time(pair):
    propose(pair)
    with pytest.raises(ValidationError, match="already have a recurring slot"):
        propose(pair, proposer=pair.mentee.user, start_time=time(10))
    pair.program.series_allowed = False
    pair.program.save(update_fields=["series_allowed"])
    MeetingSeries.objects.all().delete()
    with pytest.raises(ValidationError, match="does not use recurring slots"):
        propose(pair)


def test_the_proposer_cannot_accept_their_own_series_and_a_decline_tells_the_proposer(pair):
    proposal = propose(pair)
    with pytest.raises(ValidationError, match="Robert accepts or declines"):
        series.series_accept(series=proposal, user=pair.mentor.user)

    series.series_decline(series=proposal, user=pair.mentee.user, reason="Tuesdays are board days")

    proposal.refresh_from_db()
    assert proposal.status == "declined" and not Meeting.objects.exists()
    assert list(SeriesNotice.objects.values_list("recipient", "kind")) == [
        (pair.mentee.user.pk, "proposed"),
        (pair.mentor.user.pk, "declined"),
    ]


# --- the calendar files ------------------------------------------------------------------------


def test_both_people_get_one_invitation_whose_rrule_expands_to_exactly_the_sessions(pair):
    agreed_series = agreed(pair)
    mail.outbox.clear()
    deliver()

    invitations = calendars("series.ics")
    assert sorted(m.to[0] for m, _c in invitations) == sorted(
        [pair.mentor.user.email, pair.mentee.user.email]
    )
    starts = list(Meeting.objects.filter(pair=pair).order_by("starts_at").values_list("starts_at", flat=True))
    for _message, calendar in invitations:
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == agreed_series.ics_uid_value
        assert int(event["SEQUENCE"]) == 0
        assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["INTERVAL"] == [2]
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Berlin"
        assert expand(event) == starts


def test_skipping_one_instance_cancels_only_it_and_the_series_then_carries_an_exdate(pair):
    agreed_series = agreed(pair)
    second = Meeting.objects.filter(pair=pair).order_by("starts_at")[1]
    mail.outbox.clear()

    services.meeting_cancel(meeting=second, user=pair.mentee.user, reason="Board meeting")
    deliver()

    cancellations = calendars("invite.ics")
    assert len(cancellations) == 2
    for _message, calendar in cancellations:
        assert str(calendar["METHOD"]) == "CANCEL"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == agreed_series.ics_uid_value
        assert event.decoded("recurrence-id").astimezone(UTC) == second.starts_at
        assert event["RECURRENCE-ID"].params["TZID"] == "Europe/Berlin"
    # It counts as the mentee's cancellation for the commitment guard.
    assert commitment.pair_counts(pair)["mentee"]["cancelled"] == 1
    (event,) = Calendar.from_ical(ics.series_ics(agreed_series, method="REQUEST")).walk("VEVENT")
    kept = list(
        Meeting.objects.filter(pair=pair, status="confirmed")
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    assert expand(event) == kept and len(kept) == 3


def test_moving_one_instance_sends_it_with_its_original_recurrence_id(pair):
    agreed_series = agreed(pair)
    first = Meeting.objects.filter(pair=pair).order_by("starts_at").first()
    original = first.starts_at
    mail.outbox.clear()

    services.meeting_reschedule(
        meeting=first,
        user=pair.mentor.user,
        starts_at=original + timedelta(days=1),
        ends_at=first.ends_at + timedelta(days=1),
        reason="Release day",
    )
    deliver()

    (_message, calendar), *_ = calendars("invite.ics")
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == agreed_series.ics_uid_value
    assert event.decoded("recurrence-id").astimezone(UTC) == original
    assert event.decoded("dtstart").astimezone(UTC) == original + timedelta(days=1)
    assert int(event["SEQUENCE"]) == 1
    assert commitment.pair_counts(pair)["mentor"]["rescheduled"] == 1


def test_the_feed_holds_the_series_once_plus_the_moved_instance(pair):
    agreed_series = agreed(pair)
    first = Meeting.objects.filter(pair=pair).order_by("starts_at").first()
    services.meeting_reschedule(
        meeting=first,
        user=pair.mentor.user,
        starts_at=first.starts_at + timedelta(hours=1),
        ends_at=first.ends_at + timedelta(hours=1),
        reason="Clash",
    )
    from meetings.selectors import feed_meetings

    calendar = Calendar.from_ical(ics.feed_ics(feed_meetings(pair.mentor.user), name="Flipside"))

    events = calendar.walk("VEVENT")
    assert len(events) == 2
    assert {str(e["UID"]) for e in events} == {agreed_series.ics_uid_value}
    master = next(e for e in events if "RRULE" in e)
    override = next(e for e in events if "RECURRENCE-ID" in e)
    assert len(expand(master)) == 4
    assert override.decoded("dtstart").astimezone(UTC) == first.starts_at + timedelta(hours=1)


# --- ending a series ---------------------------------------------------------------------------


def test_ending_a_series_drops_the_sessions_ahead_and_sends_an_update_with_the_next_sequence(
    pair, time_machine
):
    agreed_series = agreed(pair)
    first, second = Meeting.objects.filter(pair=pair).order_by("starts_at")[:2]
    time_machine.move_to(first.ends_at + timedelta(hours=1), tick=False)
    mail.outbox.clear()

    series.series_end(series=agreed_series, user=pair.mentee.user, reason="New role, new calendar")
    deliver()

    agreed_series.refresh_from_db()
    assert agreed_series.status == "ended" and agreed_series.ics_sequence == 1
    assert agreed_series.until == TUESDAY
    assert list(Meeting.objects.filter(pair=pair).order_by("starts_at").values_list("status", flat=True)) == [
        "confirmed",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    assert not MeetingAttendance.objects.filter(meeting=second, active=True).exists()
    # Ending the series is not three cancellations.
    assert commitment.pair_counts(pair)["mentee"]["cancelled"] == 0
    updates = calendars("series.ics")
    assert len(updates) == 2
    for message, calendar in updates:
        (event,) = calendar.walk("VEVENT")
        assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == agreed_series.ics_uid_value
        assert expand(event) == [first.starts_at]
        assert "New role, new calendar" in message.body


def test_ending_before_the_first_session_cancels_the_whole_series(pair):
    agreed_series = agreed(pair)
    mail.outbox.clear()

    series.series_end(series=agreed_series, user=pair.mentor.user, reason="Changed teams")
    deliver()

    assert {str(c["METHOD"]) for _m, c in calendars("series.ics")} == {"CANCEL"}
    assert not Meeting.objects.filter(pair=pair, status="confirmed").exists()


def test_a_series_notice_is_queued_once_per_person_and_change(pair):
    agreed_series = agreed(pair)
    keys = [f"{series_notices.KIND}:{n.pk}" for n in agreed_series.notices.all()]
    deliver()
    deliver()
    assert len([m for m in mail.outbox if m.extra_headers["X-Flipside-Outbox"] in keys]) == 3


# --- across the end of daylight saving (autumn 2027) --------------------------------------------


@pytest.mark.parametrize(
    ("proposer_side", "zone", "first", "hour"),
    [
        ("mentor", "Europe/Berlin", date(2027, 10, 19), 15),
        ("mentee", "America/New_York", date(2027, 10, 26), 10),
    ],
)
def test_an_agreed_series_keeps_its_local_time_after_the_clocks_go_back(
    pair, time_machine, proposer_side, zone, first, hour
):
    time_machine.move_to(datetime(2027, 10, 11, 8, tzinfo=UTC), tick=False)
    proposer = pair.mentor.user if proposer_side == "mentor" else pair.mentee.user

    agreed_series = agreed(
        pair,
        proposer=proposer,
        first_day=first,
        start_time=time(hour),
        interval_weeks=1,
        until=first + timedelta(weeks=3),
    )
    deliver()

    local = ZoneInfo(zone)
    starts = list(Meeting.objects.filter(pair=pair).order_by("starts_at").values_list("starts_at", flat=True))
    assert [s.astimezone(local).time() for s in starts] == [time(hour)] * 4
    offsets = [s.astimezone(local).utcoffset() for s in starts]
    assert offsets[0] != offsets[-1]  # the series really crosses the change
    _message, calendar = calendars("series.ics")[0]
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == zone
    assert expand(event) == starts
    assert agreed_series.zone == zone
