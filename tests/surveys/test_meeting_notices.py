from __future__ import annotations

import datetime as dt

import pytest

from meetings import services as meeting_services
from meetings.models import Meeting, MeetingNotice
from surveys import services
from tests.surveys.conftest import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def unsent_notices(clock, pair):
    """A booking whose calendar notices never reached a worker (the on-commit publish did not run)."""
    starts = START + dt.timedelta(days=2)
    meeting = meeting_services.meeting_propose(
        pair=pair,
        proposer=pair.mentor.user,
        slots_utc=[(starts, starts + dt.timedelta(minutes=45))],
        mode=Meeting.Mode.VIDEO,
        video_link="https://meet.example.com/abc-defg",
    )
    meeting_services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=meeting.slots.get().pk)
    return meeting


def test_notices_left_unsent_go_out_with_the_tick_after_a_minute(clock, unsent_notices, mailoutbox):
    assert MeetingNotice.objects.filter(sent_at__isnull=True).count() == 3
    clock.move_to(START + dt.timedelta(seconds=59))
    assert services.meeting_notices_tick() == 0

    clock.move_to(START + dt.timedelta(seconds=60))
    sent = services.meeting_notices_tick()

    assert sent >= 2 and len(mailoutbox) == sent
    assert not MeetingNotice.objects.filter(sent_at__isnull=True).exists()
    assert services.meeting_notices_tick() == 0
