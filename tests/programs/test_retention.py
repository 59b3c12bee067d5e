from __future__ import annotations

import datetime as dt

import pytest

from programs.models import Program
from programs.services import programs_purge_expired
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_participant_data_goes_once_the_retention_period_after_the_end_has_passed():
    from meetings.models import Meeting, PrivateReflection, SessionLog
    from pairing.models import Enrollment, Pair

    meeting = MeetingFactory(status="held")
    program = meeting.pair.program
    # 2024 is a leap year: 366 days after 31 January 2024 is 31 January 2025.
    Program.objects.filter(pk=program.pk).update(ends_on=dt.date(2024, 1, 31), retention_days=366)
    log = SessionLog.objects.create(meeting=meeting, shared_summary="We covered pricing.")
    PrivateReflection.objects.create(log=log, author=meeting.pair.mentee.user, text="mine")
    kept = MeetingFactory(status="held")  # a program without an end date is never purged

    assert programs_purge_expired(today=dt.date(2025, 1, 31)) == []  # exactly at the limit: kept
    assert Meeting.objects.filter(pair__program=program).exists()

    assert programs_purge_expired(today=dt.date(2025, 2, 1)) == [program.pk]
    assert not Enrollment.objects.filter(program=program).exists()
    assert not Pair.objects.filter(program=program).exists()
    assert not SessionLog.objects.filter(pk=log.pk).exists()
    assert not PrivateReflection.objects.exists()
    program.refresh_from_db()
    assert program.purged_at is not None
    assert program.changes.filter(area="retention").exists()
    assert Meeting.objects.filter(pk=kept.pk).exists()

    assert programs_purge_expired(today=dt.date(2026, 1, 1)) == []  # idempotent
