"""Places hold under concurrent RSVPs: on PostgreSQL, ten seniors answering "yes" at once to a
session with three places confirm exactly three, with or without the service's friendly check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from circles import services
from circles.models import CircleRsvp, CircleSession
from tests.factories import MenteeEnrollmentFactory, MentorEnrollmentFactory, ProgramFactory
from tests.integration.test_double_booking import race

pytestmark = [pytest.mark.postgres]
SENIORS, PLACES = 10, 3


def _session():
    program = ProgramFactory(status="running")
    host = MentorEnrollmentFactory(program=program)
    seniors = [MenteeEnrollmentFactory(program=program) for _ in range(SENIORS)]
    circle = services.circle_create(program=program, by=None, name="Race", kind="open", hosts=[host],
                                    members=seniors, places=SENIORS)
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    session = services.session_book(circle=circle, booker=host.user, starts_at=start,
                                    ends_at=start + timedelta(hours=1), places=PLACES)
    return session, [s.user for s in seniors]


@pytest.mark.parametrize("row_lock", [True, False], ids=["with-row-lock", "constraint-only"])
def test_ten_concurrent_yes_answers_fill_exactly_the_places(transactional_db, monkeypatch, row_lock):
    session, seniors = _session()
    if not row_lock:
        # Prove the database is the guarantee: no row lock and no friendly check, only the CHECK
        # constraint on going <= places stands between the threads.
        def unlocked(s):
            fresh = CircleSession.objects.select_related("circle__program").get(pk=s.pk)
            fresh.going = 0  # the check in Python always sees room
            return fresh

        monkeypatch.setattr(services, "_locked", unlocked)
    calls = [lambda user=user: services.rsvp_set(session=session, user=user, answer="yes")
             for user in seniors]

    won, refused, crashed = race(calls)

    assert crashed == []
    assert len(won) == PLACES and len(refused) == SENIORS - PLACES
    assert all("full" in " ".join(error.messages) for error in refused)
    session.refresh_from_db()
    assert session.going == PLACES
    assert CircleRsvp.objects.filter(session=session, answer="yes").count() == PLACES
    assert CircleRsvp.objects.filter(session=session).count() == PLACES  # the refused saved nothing


def test_the_counter_alone_never_passes_the_places(transactional_db):
    session, _seniors = _session()

    def take():
        return CircleSession.objects.filter(pk=session.pk).update(going=F("going") + 1)

    won, _refused, crashed = race([take] * SENIORS)
    assert len(won) == PLACES and len(crashed) == SENIORS - PLACES  # IntegrityError: the CHECK held
    session.refresh_from_db()
    assert session.going == PLACES
