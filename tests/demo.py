"""The demo organisation as ``make run`` seeds it, for tests that read it on a chosen day."""

from __future__ import annotations

from accounts.demo import seed_people
from meetings.demo import seed_meetings
from pairing.demo import seed_pairing
from programs.demo import seed_programs
from surveys.demo import seed_surveys


def seed_demo() -> tuple[dict, dict]:
    """(people, programs) of the demo: people, programs, pairs, meetings and surveys, seeded at "now"."""
    people = seed_people()
    programs = seed_programs(people)
    seed_meetings(people, programs, seed_pairing(people, programs))
    seed_surveys(people, programs)
    return people, programs
