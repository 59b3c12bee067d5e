"""Fixtures for the surveys and jobs tests: a frozen clock, a running program with one pair."""

from __future__ import annotations

import pytest
import time_machine

from tests.surveys import builders

# A Monday morning; every schedule below is relative to it.
START = builders.at(2026, 3, 2, 9, 0)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Personas are created with a password; the real hasher costs a second per person.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock():
    """Frozen time that tests move with ``clock.move_to(...)`` (time_machine)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def running(clock, lead):
    return builders.running_program(leads=[lead])


@pytest.fixture
def pair(running, mentor, mentee):
    return builders.active_pair(running, mentor, mentee)


def sent(mailoutbox, prefix: str) -> list:
    """The messages in the outbox from one kind of outbox row (by their X-Flipside-Outbox header)."""
    return [m for m in mailoutbox if m.extra_headers.get("X-Flipside-Outbox", "").startswith(prefix)]


def link_token(message) -> str:
    """The single-use token in a survey e-mail's link."""
    import re

    match = re.search(r"/surveys/([A-Za-z0-9_-]{20,100})/", message.body)
    assert match, message.body
    return match.group(1)


def delivery(kind: str, ref_id: int):
    """(state, reason) of the e-mail delivery of the outbox message about this row, or None."""
    from notifications.models import Delivery

    row = Delivery.objects.filter(message__kind=kind, message__ref_id=ref_id, channel="email").first()
    return (row.state, row.error) if row else None


def skip_reasons(kind: str) -> set[str]:
    """The reasons the deliveries of this kind were skipped at sending time."""
    from notifications.models import Delivery

    return set(Delivery.objects.filter(message__kind=kind, state="skipped").values_list("error", flat=True))
