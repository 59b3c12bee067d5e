"""Shared set-up for the meetings tests: an active pair in two time zones, a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ActivePairFactory, AvailabilityWindowFactory, ProfileFactory

# A Monday before either side of the Atlantic switches to summer time (US: 14 March 2027,
# EU: 28 March 2027): Berlin is UTC+1, New York UTC-5.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = UTC) -> datetime:
    """An aware instant from a wall-clock time in a zone, as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def slot(start: datetime, minutes: int = 45) -> tuple[datetime, datetime]:
    return start, start + timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories hash a password per user; the production hasher takes ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def pair(db, program, mentor, mentee):
    program.video_link_template = "https://meet.example.com/flipside-{pair}"
    program.save(update_fields=["video_link_template"])
    return ActivePairFactory(program=program, mentor__user=mentor, mentee__user=mentee)


@pytest.fixture
def availability(pair):
    """Aisha (Berlin) is free weekdays 13:00–18:00, Robert (New York) weekdays 08:00–12:00:
    they overlap 14:00–18:00 Berlin = 08:00–12:00 New York = 13:00–17:00 UTC in early March."""
    mentor_profile = ProfileFactory(user=pair.mentor.user)
    mentee_profile = ProfileFactory(user=pair.mentee.user)
    for weekday in range(5):
        AvailabilityWindowFactory(profile=mentor_profile, weekday=weekday, start=time(13), end=time(18))
        AvailabilityWindowFactory(profile=mentee_profile, weekday=weekday, start=time(8), end=time(12))
    return pair
