"""Reads of profiles, enrolments and pairs used by several views (and the home page)."""

from __future__ import annotations


def participant_home(user) -> dict[str, object]:
    """What a participant's home panel shows."""
    return {}
