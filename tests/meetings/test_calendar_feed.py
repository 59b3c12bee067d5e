"""The private calendar feed: signed, revocable, booked sessions only, no notes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import signing
from django.urls import reverse
from icalendar import Calendar

from meetings import selectors, services
from meetings.models import SessionLog
from tests.factories import MeetingFactory, UserFactory
from tests.meetings.conftest import at

pytestmark = pytest.mark.usefixtures("now")


def feed(client, user):
    return client.get(selectors.feed_path(user))


def test_the_feed_lists_booked_sessions_in_utc_with_the_invitation_uids(client, pair):
    confirmed = MeetingFactory(pair=pair, starts_at=at(date(2027, 3, 4), 14))
    held = MeetingFactory(pair=pair, status="held", starts_at=at(date(2027, 2, 20), 14))
    MeetingFactory(pair=pair, status="cancelled", starts_at=at(date(2027, 3, 5), 14))
    MeetingFactory(pair=pair, status="proposed", starts_at=None, ends_at=None)
    SessionLog.objects.create(meeting=held, shared_summary="NOT-IN-FEED")

    response = feed(client, pair.mentee.user)  # no sign-in needed: the token is the key

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(
        [f"{confirmed.ics_uid}@flipside", f"{held.ics_uid}@flipside"])
    assert all(e.decoded("DTSTART").utcoffset() == timedelta(0) for e in events)
    assert b"NOT-IN-FEED" not in response.content


def test_a_forged_or_foreign_token_gets_404(client, pair):
    for token in ("nonsense", signing.dumps([pair.mentor.user.pk, 1], salt="other-salt"),
                  signing.dumps([pair.mentor.user.pk, 7], salt=selectors.FEED_SALT)):
        assert client.get(reverse("meetings:calendar_feed", args=[token])).status_code == 404


def test_revoking_invalidates_old_links_but_not_other_peoples(client, pair):
    aisha, robert = pair.mentor.user, pair.mentee.user
    old_aisha, robert_link = selectors.feed_path(aisha), selectors.feed_path(robert)
    services.calendar_feed_revoke(user=aisha)
    assert client.get(old_aisha).status_code == 404
    assert client.get(robert_link).status_code == 200
    assert feed(client, aisha).status_code == 200
    services.calendar_feed_revoke(user=aisha)
    assert selectors.feed_version(aisha) == 3


def test_a_deactivated_persons_feed_stops(client, db):
    user = UserFactory()
    link = selectors.feed_path(user)
    user.is_active = False
    user.save()
    assert client.get(link).status_code == 404


def test_the_token_holds_no_readable_secret(pair):
    token = selectors.feed_token(pair.mentor.user)
    assert pair.mentor.user.email not in token
