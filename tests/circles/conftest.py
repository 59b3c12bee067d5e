"""Shared set-up for the circles tests: a running program, a junior host and three seniors in
three time zones, a fixed clock (a Monday before the 2027 summer-time switches)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from circles import services
from tests.factories import MenteeEnrollmentFactory, MentorEnrollmentFactory, ProgramFactory, UserFactory

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
START = datetime(2027, 3, 3, 14, 0, tzinfo=UTC)  # Wednesday 15:00 Berlin, 09:00 New York


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def circle_program(db, lead):
    return ProgramFactory(leads=[lead], status="running", starts_on=NOW.date() - timedelta(days=30),
                          ends_on=NOW.date() + timedelta(days=120))


@pytest.fixture
def host(circle_program, mentor):
    return MentorEnrollmentFactory(program=circle_program, user=mentor)


@pytest.fixture
def seniors(circle_program, mentee):
    robert = MenteeEnrollmentFactory(program=circle_program, user=mentee)
    others = [MenteeEnrollmentFactory(program=circle_program, user=UserFactory(
        full_name=name, email=email, level=12, department=dept, time_zone=zone))
        for name, email, dept, zone in (("Margaret Chen", "margaret@example.com", "Finance",
                                         "Asia/Singapore"),
                                        ("Henrik Olsen", "henrik@example.com", "Operations", "Europe/Oslo"))]
    return [robert, *others]


@pytest.fixture
def circle(circle_program, host, seniors, hr_admin):
    return services.circle_create(program=circle_program, by=hr_admin, name="AI for the leadership team",
                                  kind="learning", hosts=[host], members=seniors, places=8,
                                  purpose="Generative AI in practice.")


def book(circle, host_user, *, places=2, start=START, **kwargs):
    return services.session_book(circle=circle, booker=host_user, starts_at=start,
                                 ends_at=start + timedelta(minutes=60), places=places, mode="video",
                                 video_link="https://meet.example.com/circle", **kwargs)


def deliver():
    """Deliver the pending circle messages, as the worker would once the change commits."""
    from circles import messages
    from notifications import outbox

    return outbox.deliver_due(only_kinds=[messages.NOTICE, messages.REMINDER, messages.SURVEY])
