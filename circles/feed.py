"""Circle sessions in each person's private calendar feed (the feed itself belongs to meetings)."""

from __future__ import annotations

from django.utils import timezone
from icalendar import Event

from circles import ics, selectors
from meetings import feed_providers


def feed_events(user) -> list[Event]:
    """Booked sessions of the person's circles, without attendee lists (the feed is a link anyone
    holding it can read; the invitations carry the attendees)."""
    stamp = timezone.now()
    return [ics.session_event(s, people=[], sequence=s.ics_sequence, cancelled=False, stamp=stamp)
            for s in selectors.feed_sessions(user)]


def register() -> None:
    feed_providers.register("circles", feed_events)
