"""Demo programs for `seed_demo` (filled by the programs work)."""

from __future__ import annotations


def seed_programs(people: dict) -> dict:
    return {}
