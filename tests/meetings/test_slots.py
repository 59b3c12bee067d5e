"""Slot arithmetic without a database: zones, DST gaps and folds, program dates, busy times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.slots import (
    AmbiguousLocalTime,
    NonexistentLocalTime,
    WeeklyCalendar,
    Window,
    expand,
    fits_calendar,
    intersect,
    local_to_utc,
    merge,
    suggest_slots,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
BRISBANE = ZoneInfo("Australia/Brisbane")


def weekdays(start: time, end: time, zone: ZoneInfo, days=range(5)) -> WeeklyCalendar:
    return WeeklyCalendar([Window(d, start, end) for d in days], zone)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_local_time_becomes_utc():
    assert local_to_utc(date(2027, 3, 2), time(15, 0), BERLIN) == utc(2027, 3, 2, 14, 0)
    assert local_to_utc(date(2027, 7, 2), time(15, 0), BERLIN) == utc(2027, 7, 2, 13, 0)


def test_a_time_skipped_by_the_clocks_going_forward_is_refused():
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(date(2027, 3, 28), time(2, 30), BERLIN)
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(date(2027, 3, 14), time(2, 15), NEW_YORK)


def test_a_time_that_happens_twice_when_the_clocks_go_back_is_refused():
    with pytest.raises(AmbiguousLocalTime):
        local_to_utc(date(2027, 10, 31), time(2, 30), BERLIN)
    with pytest.raises(AmbiguousLocalTime):
        local_to_utc(date(2027, 11, 7), time(1, 30), NEW_YORK)


def test_expanding_keeps_wall_clock_hours_across_a_dst_change():
    calendar = weekdays(time(9), time(10), BERLIN, days=[4, 0])  # Friday and Monday
    intervals = expand(calendar, date(2027, 3, 26), date(2027, 3, 29))
    assert intervals == [(utc(2027, 3, 26, 8), utc(2027, 3, 26, 9)),   # CET, UTC+1
                         (utc(2027, 3, 29, 7), utc(2027, 3, 29, 8))]   # CEST, UTC+2


def test_2359_means_the_end_of_the_day_and_touching_windows_merge():
    calendar = WeeklyCalendar([Window(0, time(20), time(23, 59)), Window(1, time(0), time(2))], LONDON)
    assert expand(calendar, date(2027, 1, 4), date(2027, 1, 5)) == [
        (utc(2027, 1, 4, 20), utc(2027, 1, 5, 2))]


def test_interval_helpers():
    a = [(utc(2027, 1, 1, 9), utc(2027, 1, 1, 12)), (utc(2027, 1, 1, 14), utc(2027, 1, 1, 16))]
    b = [(utc(2027, 1, 1, 11), utc(2027, 1, 1, 15))]
    assert intersect(a, b) == [(utc(2027, 1, 1, 11), utc(2027, 1, 1, 12)),
                               (utc(2027, 1, 1, 14), utc(2027, 1, 1, 15))]
    assert merge([b[0], a[0]]) == [(utc(2027, 1, 1, 9), utc(2027, 1, 1, 15))]


def test_suggestions_lie_in_both_availabilities_on_the_viewers_half_hour_grid():
    aisha = weekdays(time(13), time(18), BERLIN)
    robert = weekdays(time(8), time(12), NEW_YORK)
    slots = suggest_slots(calendars=[aisha, robert], busy=[], not_before=utc(2027, 3, 1, 8),
                          minutes=45, local_zone=BERLIN, per_day=3, limit=6)
    # Overlap: 14:00–18:00 Berlin. Three per day, not overlapping each other.
    assert [s.astimezone(BERLIN).strftime("%a %H:%M") for s, _ in slots] == [
        "Mon 14:00", "Mon 15:00", "Mon 16:00", "Tue 14:00", "Tue 15:00", "Tue 16:00"]
    assert all(end - start == timedelta(minutes=45) for start, end in slots)


def test_suggestions_across_midnight_never_overlap_the_next_days_first_one():
    """Asked at 22:15 Berlin on a Thursday, with both free all evening and night: the 23:30 slot
    runs to 00:15, so the next day's 00:00 slot would overlap it (the booking form refuses that)."""
    evenings = WeeklyCalendar([Window(d, time(0), time(23, 59)) for d in range(7)], BERLIN)
    slots = suggest_slots(calendars=[evenings], busy=[], not_before=utc(2026, 12, 3, 21, 15),
                          minutes=45, local_zone=BERLIN, per_day=3, limit=4)
    assert [s.astimezone(BERLIN).strftime("%a %H:%M") for s, _ in slots] == [
        "Thu 22:30", "Thu 23:30", "Fri 00:30", "Fri 01:30"]
    assert all(a_end <= b_start for (_a, a_end), (b_start, _b) in pairwise(slots))


def test_suggestions_follow_the_weeks_when_only_one_side_has_changed_its_clocks():
    # 15–26 March 2027: New York is already on summer time, Berlin is not: 5 hours apart, not 6.
    aisha = weekdays(time(13), time(18), BERLIN)
    robert = weekdays(time(8), time(12), NEW_YORK)
    slots = suggest_slots(calendars=[aisha, robert], busy=[], not_before=utc(2027, 3, 15, 0),
                          minutes=60, local_zone=BERLIN, per_day=5, limit=5)
    # Robert's 08:00–12:00 is now 13:00–17:00 Berlin.
    assert [s.astimezone(BERLIN).strftime("%a %d %H:%M") for s, _ in slots] == [
        "Mon 15 13:00", "Mon 15 14:00", "Mon 15 15:00", "Mon 15 16:00", "Tue 16 13:00"]


def test_a_nine_hour_apart_pair_meets_at_the_edges_of_their_days():
    # Tokyo evening 17:00–20:00 = London 08:00–11:00 (winter, UTC+9 vs UTC+0).
    kenji = weekdays(time(17), time(20), TOKYO)
    sarah = weekdays(time(8), time(9, 30), LONDON)
    slots = suggest_slots(calendars=[kenji, sarah], busy=[], not_before=utc(2027, 1, 4, 0),
                          minutes=45, local_zone=TOKYO, per_day=3, limit=3)
    assert [s.astimezone(TOKYO).strftime("%a %H:%M") for s, _ in slots] == [
        "Mon 17:00", "Tue 17:00", "Wed 17:00"]
    # Only the 08:00 London start fits twice in 90 minutes? No: 08:00 and 08:30 overlap each other,
    # so one per day is offered and the next day follows.
    assert slots[0][0] == utc(2027, 1, 4, 8)


def test_a_ten_hour_apart_pair_across_the_date_line():
    # Brisbane (UTC+10, no DST) Tuesday 07:00–09:00 is London Monday 21:00–23:00 in winter.
    mia = WeeklyCalendar([Window(1, time(7), time(9))], BRISBANE)
    tom = WeeklyCalendar([Window(0, time(19), time(23))], LONDON)
    slots = suggest_slots(calendars=[mia, tom], busy=[], not_before=utc(2027, 1, 4, 0),
                          minutes=60, local_zone=LONDON, per_day=3, limit=2)
    assert [(s.astimezone(LONDON).strftime("%a %H:%M"), s.astimezone(BRISBANE).strftime("%a %H:%M"))
            for s, _ in slots] == [("Mon 21:00", "Tue 07:00"), ("Mon 22:00", "Tue 08:00")]


def test_busy_times_program_dates_and_the_earliest_start_are_respected():
    aisha = weekdays(time(13), time(18), BERLIN)
    robert = weekdays(time(8), time(12), NEW_YORK)
    busy = [(utc(2027, 3, 2, 13), utc(2027, 3, 2, 14, 30))]
    slots = suggest_slots(calendars=[aisha, robert], busy=busy, not_before=utc(2027, 3, 2, 13, 10),
                          minutes=45, local_zone=BERLIN, first_day=date(2027, 3, 2),
                          last_day=date(2027, 3, 2), per_day=5)
    assert [s.astimezone(BERLIN).strftime("%H:%M") for s, _ in slots] == ["15:30", "16:30"]


def test_nothing_is_suggested_without_calendars_or_after_the_program():
    robert = weekdays(time(8), time(12), NEW_YORK)
    assert suggest_slots(calendars=[], busy=[], not_before=utc(2027, 3, 1), minutes=45,
                         local_zone=BERLIN) == []
    assert suggest_slots(calendars=[robert], busy=[], not_before=utc(2027, 3, 1), minutes=45,
                         local_zone=BERLIN, last_day=date(2027, 2, 28)) == []


def test_fits_calendar_checks_a_booking_against_one_window():
    robert = weekdays(time(8), time(12), NEW_YORK)
    start = utc(2027, 3, 2, 16)  # 11:00 New York
    assert fits_calendar(start, start + timedelta(minutes=60), robert)
    assert not fits_calendar(start, start + timedelta(minutes=61), robert)
    assert not fits_calendar(utc(2027, 3, 6, 14), utc(2027, 3, 6, 15), robert)  # Saturday


windows = st.builds(
    lambda day, start, length: Window(day, time(start // 4, (start % 4) * 15),
                                      time(min(23, (start + length) // 4), ((start + length) % 4) * 15)
                                      if (start + length) < 96 else time(23, 59)),
    st.integers(0, 6), st.integers(0, 90), st.integers(2, 40))
zones = st.sampled_from([BERLIN, NEW_YORK, TOKYO, LONDON, SYDNEY, ZoneInfo("Asia/Kolkata")])


@settings(max_examples=150, deadline=None)
@given(a=st.lists(windows, min_size=1, max_size=6), zone_a=zones,
       b=st.lists(windows, min_size=1, max_size=6), zone_b=zones,
       start_day=st.integers(0, 360), minutes=st.sampled_from([30, 45, 60, 90]))
def test_every_suggestion_is_free_for_both_in_the_future_and_of_the_right_length(
        a, zone_a, b, zone_b, start_day, minutes):
    a = [w for w in a if w.start < w.end]
    b = [w for w in b if w.start < w.end]
    if not a or not b:
        return
    cal_a, cal_b = WeeklyCalendar(a, zone_a), WeeklyCalendar(b, zone_b)
    not_before = utc(2027, 1, 1) + timedelta(days=start_day, minutes=7)
    busy = [(not_before + timedelta(hours=30), not_before + timedelta(hours=33))]
    slots = suggest_slots(calendars=[cal_a, cal_b], busy=busy, not_before=not_before, minutes=minutes,
                          local_zone=zone_a, per_day=3, limit=20)
    for start, end in slots:
        assert end - start == timedelta(minutes=minutes)
        assert start >= not_before
        assert fits_calendar(start, end, cal_a) and fits_calendar(start, end, cal_b)
        assert not (start < busy[0][1] and busy[0][0] < end)
        local = start.astimezone(zone_a)
        assert local.minute % 30 == 0
    assert slots == sorted(slots)
