"""Run the test process (and the Celery workers the integration tests start) at another moment.

``FLIPSIDE_TEST_NOW=2026-12-07T00:30:00+01:00 make test`` moves the clock of the whole test session
to that moment, ticking from there (tests/conftest.py), so the suite can be proved to pass on a
Monday just after midnight or a Sunday just before it, whatever day it really is. Tests that freeze
time themselves (time_machine) still do: their travel nests inside this one.

The browser (Chromium) keeps the real clock; choose a moment within a few days of today so cookies
the app sets do not look expired to it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

ENV = "FLIPSIDE_TEST_NOW"


def destination() -> dt.datetime | None:
    """The moment FLIPSIDE_TEST_NOW names (ISO 8601 with an offset), or None when it is unset."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise SystemExit(f"{ENV} must be an ISO 8601 moment such as 2026-12-07T00:30:00+01:00: "
                         f"{error}") from None
    if moment.tzinfo is None:
        raise SystemExit(f"{ENV} needs a UTC offset (e.g. 2026-12-07T00:30:00+01:00), got {value!r}")
    return moment


def main() -> None:
    """``python -m tests.time_travel <celery arguments>``: a Celery worker at FLIPSIDE_TEST_NOW."""
    import time_machine
    from celery.__main__ import main as celery

    sys.argv = ["celery", *sys.argv[1:]]
    moment = destination()
    if moment is None:
        celery()
        return
    with time_machine.travel(moment, tick=True):
        celery()


if __name__ == "__main__":
    main()
