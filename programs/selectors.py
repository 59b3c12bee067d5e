"""Reads of programs used by several views (and the home page)."""

from __future__ import annotations


def hr_home(user) -> dict[str, object]:
    """What an HR admin's home panel shows."""
    return {}
