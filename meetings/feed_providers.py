"""Calendar events other apps add to a person's private feed.

The feed belongs to meetings, but apps higher in the layer order (circles) have sessions of their
own that belong in it; meetings may not import them, so they register a provider here from their
``AppConfig.ready()``. A provider takes the feed's owner and returns iCalendar events built with
:mod:`meetings.ics`'s building blocks (same PRODID, UTC times, no notes ever).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from icalendar import Event

Provider = Callable[[object], Iterable[Event]]
PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace, on a second ``ready()``) the provider called ``name``."""
    PROVIDERS[name] = provider


def events_for(user) -> list[Event]:
    events: list[Event] = []
    for provider in PROVIDERS.values():
        events.extend(provider(user))
    return events
