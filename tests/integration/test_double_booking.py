"""No double booking under concurrency: PostgreSQL's exclusion constraint lets exactly one win."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, MeetingAttendance
from tests.factories import (
    ActivePairFactory,
    AvailabilityWindowFactory,
    ProfileFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres]
THREADS = 10


def always_available(user) -> None:
    profile = ProfileFactory(user=user)
    for weekday in range(7):
        AvailabilityWindowFactory(profile=profile, weekday=weekday, start=time(0), end=time(23, 59))


def race(calls) -> tuple[list[Meeting], list[ValidationError], list[BaseException]]:
    """Run each call in its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(calls))
    won: list[Meeting] = []
    refused: list[ValidationError] = []
    crashed: list[BaseException] = []

    def run(call):
        try:
            barrier.wait(timeout=20)
            won.append(call())
        except ValidationError as error:
            refused.append(error)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            crashed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, refused, crashed


@pytest.mark.parametrize("service_check", [True, False], ids=["with-service-check", "constraint-only"])
def test_ten_concurrent_bookings_of_the_same_slot_exactly_one_wins(transactional_db, monkeypatch,
                                                                   service_check):
    if not service_check:
        # Prove the database is the guarantee: without the friendly pre-check only the
        # exclusion constraint stands between the threads.
        monkeypatch.setattr(services, "_overlap_message", lambda **kwargs: None)
    pair = ActivePairFactory()
    always_available(pair.mentee.user)
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)

    def book():
        return services.meeting_book(pair=pair, booker=pair.mentor.user, starts_at=start,
                                     ends_at=start + timedelta(minutes=45), mode="video",
                                     video_link="https://meet.example.com/race")

    won, refused, crashed = race([book] * THREADS)

    assert crashed == []
    assert len(won) == 1 and len(refused) == THREADS - 1
    for error in refused:
        assert "overlap" in " ".join(error.messages)
    if not service_check:
        assert refused[0].message_dict["starts_at"] == [
            "Someone booked an overlapping session a moment ago. Pick another time."]
    assert Meeting.objects.filter(status="confirmed").count() == 1
    assert MeetingAttendance.objects.filter(active=True).count() == 2


def test_overlapping_bookings_of_one_person_in_two_pairs_exactly_one_wins(transactional_db):
    aisha = UserFactory(full_name="Aisha Rahman")
    first = ActivePairFactory(program=ProgramFactory(), mentor__user=aisha)
    second = ActivePairFactory(program=ProgramFactory(), mentor__user=aisha)
    for pair in (first, second):
        always_available(pair.mentee.user)
    base = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    def booking(pair, offset):
        start = base + timedelta(minutes=offset)  # all ten overlap each other (45-minute sessions)
        return lambda: services.meeting_book(pair=pair, booker=aisha, starts_at=start,
                                             ends_at=start + timedelta(minutes=45), mode="in_person",
                                             location="Room 1")

    won, refused, crashed = race([booking(first if i % 2 else second, 3 * i) for i in range(THREADS)])

    assert crashed == []
    assert len(won) == 1 and len(refused) == THREADS - 1
    assert MeetingAttendance.objects.filter(user=aisha, active=True).count() == 1
    assert Meeting.objects.count() == 1  # the losers saved nothing half-way
