# ruff: noqa: F811 - the surveys clock and pair fixtures are imported into this module
"""Calendar notices a web request could not hand to a worker go out with the delivery tick."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings import services as meeting_services
from meetings.models import Meeting
from notifications import tasks
from notifications.models import Delivery
from tests.surveys.conftest import START, clock, pair, running  # noqa: F401 - fixtures

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


def test_notices_left_unsent_go_out_with_the_delivery_tick_once(clock, unsent_notices, mailoutbox):
    pending = Delivery.objects.filter(message__kind="meeting-notice", state="pending")
    assert pending.count() == 3

    outcome = tasks.tick_deliveries.run()

    # The proposal to the mentee was superseded by the confirmation: only the current state goes.
    assert outcome["sent"] == 2 and outcome["skipped"] == {"superseded": 1}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([unsent_notices.pair.mentor.user.email,
                                                          unsent_notices.pair.mentee.user.email])
    assert not pending.exists()
    assert tasks.tick_deliveries.run()["sent"] == 0
