"""The out-of-hours guard's time arithmetic (meetings.hours.assess): zones, DST edges, night, availability.

Every instant here is fixed; nothing depends on the day the tests run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetings import slots
from meetings.hours import Hours, Level, assess, touches_night

SINGAPORE = ZoneInfo("Asia/Singapore")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
SYDNEY = ZoneInfo("Australia/Sydney")


def local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def session(start: datetime, minutes: int = 45) -> tuple[datetime, datetime]:
    return start, start + timedelta(minutes=minutes)


@pytest.mark.parametrize(("hour", "minute", "expected"), [
    (10, 0, Level.OK),
    (8, 0, Level.OK),       # the working day starts at 08:00 sharp
    (17, 15, Level.OK),     # 17:15–18:00 ends exactly when the day does
    (17, 30, Level.WARN),   # 17:30–18:15 runs past 18:00
    (7, 30, Level.WARN),    # early morning: not night, not working hours
    (19, 30, Level.WARN),
    (21, 15, Level.WARN),   # 21:15–22:00 ends as the night begins
    (21, 30, Level.REFUSE),  # 21:30–22:15 runs into the night
    (23, 0, Level.REFUSE),
    (3, 0, Level.REFUSE),
    (6, 30, Level.REFUSE),  # 06:30–07:15 starts before 07:00
])
def test_a_partner_without_availability_is_guarded_by_the_usual_working_day(hour, minute, expected):
    start = local(date(2027, 3, 3), hour, minute, SINGAPORE)
    assert assess(*session(start), Hours(zone=SINGAPORE)) is expected


def test_the_verdict_follows_the_partners_zone_not_utc():
    # 11:30 UTC is 19:30 in Singapore (UTC+8) but 12:30 in Berlin and 06:30 in New York.
    start = datetime(2027, 3, 3, 11, 30, tzinfo=UTC)
    assert assess(*session(start), Hours(zone=SINGAPORE)) is Level.WARN
    assert assess(*session(start), Hours(zone=BERLIN)) is Level.OK
    assert assess(*session(start), Hours(zone=NEW_YORK)) is Level.REFUSE


def test_a_half_hour_zone_is_read_on_its_own_clock():
    # Kolkata is UTC+5:30: 13:00 UTC is 18:30 there, 16:45 UTC is 22:15.
    assert assess(*session(datetime(2027, 3, 3, 13, 0, tzinfo=UTC)), Hours(zone=KOLKATA)) is Level.WARN
    assert assess(*session(datetime(2027, 3, 3, 16, 45, tzinfo=UTC)), Hours(zone=KOLKATA)) is Level.REFUSE
    assert assess(*session(datetime(2027, 3, 3, 4, 0, tzinfo=UTC)), Hours(zone=KOLKATA)) is Level.OK


def test_the_same_utc_time_changes_verdict_when_new_york_springs_forward():
    # 12:30 UTC is 07:30 EST on Saturday 13 March 2027 but 08:30 EDT on Sunday 14 March.
    before = datetime(2027, 3, 13, 12, 30, tzinfo=UTC)
    after = datetime(2027, 3, 14, 12, 30, tzinfo=UTC)
    assert assess(*session(before), Hours(zone=NEW_YORK)) is Level.WARN
    assert assess(*session(after), Hours(zone=NEW_YORK)) is Level.OK
    # 02:30 UTC on the 13th is 21:30 EST on the 12th: the session runs into the night.
    assert assess(*session(datetime(2027, 3, 13, 2, 30, tzinfo=UTC)), Hours(zone=NEW_YORK)) is Level.REFUSE


def test_the_same_utc_time_changes_verdict_when_berlin_falls_back():
    # 06:30 UTC is 08:30 CEST on Saturday 30 October 2027, 07:30 CET on Sunday 31 October.
    assert assess(*session(datetime(2027, 10, 30, 6, 30, tzinfo=UTC)), Hours(zone=BERLIN)) is Level.OK
    assert assess(*session(datetime(2027, 10, 31, 6, 30, tzinfo=UTC)), Hours(zone=BERLIN)) is Level.WARN
    # 05:30 UTC: 07:30 CEST the day before (early, allowed after a warning), 06:30 CET after (night).
    assert assess(*session(datetime(2027, 10, 30, 5, 30, tzinfo=UTC)), Hours(zone=BERLIN)) is Level.WARN
    assert assess(*session(datetime(2027, 10, 31, 5, 30, tzinfo=UTC)), Hours(zone=BERLIN)) is Level.REFUSE


def test_a_session_during_the_repeated_hour_of_the_fall_back_night_is_at_night():
    # 00:30 and 01:30 UTC on 31 October 2027 are both 02:30 in Berlin (the hour happens twice).
    for hour in (0, 1):
        assert touches_night(*session(datetime(2027, 10, 31, hour, 30, tzinfo=UTC)), BERLIN)


def test_the_southern_hemisphere_changes_the_other_way():
    # Sydney leaves summer time on Sunday 4 April 2027: 22:00 UTC is 09:00 AEDT on 3 April …
    assert assess(*session(datetime(2027, 4, 2, 22, 0, tzinfo=UTC)), Hours(zone=SYDNEY)) is Level.OK
    # … and 08:00 AEST on 5 April; an hour earlier is 07:00 (early: a warning), two hours 06:00 (night).
    assert assess(*session(datetime(2027, 4, 4, 22, 0, tzinfo=UTC)), Hours(zone=SYDNEY)) is Level.OK
    assert assess(*session(datetime(2027, 4, 4, 21, 0, tzinfo=UTC)), Hours(zone=SYDNEY)) is Level.WARN
    assert assess(*session(datetime(2027, 4, 2, 20, 0, tzinfo=UTC)), Hours(zone=SYDNEY)) is Level.WARN
    assert assess(*session(datetime(2027, 4, 4, 20, 0, tzinfo=UTC)), Hours(zone=SYDNEY)) is Level.REFUSE


def test_a_partner_who_accepts_night_sessions_gets_a_warning_instead_of_a_refusal():
    start = local(date(2027, 3, 3), 23, 0, SINGAPORE)
    assert assess(*session(start), Hours(zone=SINGAPORE, accepts_night=True)) is Level.WARN


def test_a_session_over_local_midnight_is_at_night():
    start = local(date(2027, 3, 3), 23, 30, BERLIN)
    assert touches_night(*session(start, 90), BERLIN)
    assert assess(*session(start, 90), Hours(zone=BERLIN)) is Level.REFUSE


def test_published_availability_replaces_the_usual_working_day():
    # Anna works evenings: Mondays 17:00–20:00 in Singapore.
    calendar = slots.WeeklyCalendar([slots.Window(0, time(17), time(20))], SINGAPORE)
    hours = Hours(zone=SINGAPORE, availability=calendar)
    monday = date(2027, 3, 1)
    assert assess(*session(local(monday, 19, 0, SINGAPORE)), hours) is Level.OK
    assert assess(*session(local(monday, 10, 0, SINGAPORE)), hours) is Level.WARN  # inside 08–18, not hers
    assert assess(*session(local(monday, 19, 30, SINGAPORE)), hours) is Level.WARN  # runs past 20:00
    assert assess(*session(local(date(2027, 3, 2), 18, 0, SINGAPORE)), hours) is Level.WARN  # a Tuesday


def test_availability_at_night_still_needs_the_night_opt_in():
    calendar = slots.WeeklyCalendar([slots.Window(0, time(21), time(23, 59))], BERLIN)
    start = local(date(2027, 3, 1), 22, 30, BERLIN)
    assert assess(*session(start), Hours(zone=BERLIN, availability=calendar)) is Level.REFUSE
    assert assess(*session(start), Hours(zone=BERLIN, availability=calendar, accepts_night=True)) is Level.OK


def test_the_programs_working_day_is_configurable():
    start = local(date(2027, 3, 3), 18, 30, BERLIN)
    assert assess(*session(start), Hours(zone=BERLIN)) is Level.WARN
    assert assess(*session(start), Hours(zone=BERLIN, day_starts=time(9), day_ends=time(20))) is Level.OK


def test_naive_times_are_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        assess(datetime(2027, 3, 3, 10), datetime(2027, 3, 3, 11), Hours(zone=BERLIN))
