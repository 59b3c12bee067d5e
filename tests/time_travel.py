"""Run the test processes (and the Celery workers the integration tests start) at another moment.

``FLIPSIDE_TEST_NOW=2026-12-07T00:30:00+01:00 make test`` moves the clock of the whole test run
to that moment, ticking from there (tests/conftest.py), so the suite can be proved to pass on a
Monday just after midnight or a Sunday just before it, whatever day it really is. Tests that freeze
time themselves (time_machine) still do: their travel nests inside this one.

Every process of a run reads ONE shifted clock: the real clock plus a fixed number of seconds.
pytest's main process works that offset out once, when it starts (the clock then reads
FLIPSIDE_TEST_NOW), and exports it as FLIPSIDE_TEST_CLOCK_OFFSET; the processes it starts inherit
it: pytest-xdist's workers, and the Celery workers of tests/integration/, which run through
``python -m tests.time_travel`` (their prefork pool processes are forked from a worker that
already travels). Each process travels to real time + offset and reads its clock at once
(time_machine starts ticking at the first reading), so all of them agree to the millisecond however
long a process took to start, and a worker restarted mid-test reads the same clock as the one it
replaces. (Handing each worker "the test's clock now" instead set it behind by
its start-up time, a second or more: leases and reminders the test had seen fall due were not due
yet for the worker.) Redis and PostgreSQL keep the real clock: Redis only measures durations
(key TTLs), and the code under test takes "now" from Python, never from the database.

The browser (Chromium) keeps the real clock; choose a moment within a few days of today so cookies
the app sets do not look expired to it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine

ENV = "FLIPSIDE_TEST_NOW"
# Seconds the shared clock runs ahead of the real one; set by the run itself, not by hand.
OFFSET_ENV = "FLIPSIDE_TEST_CLOCK_OFFSET"


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


def real_time() -> float:
    """The real clock's Unix time, even inside a travel."""
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def fix_offset() -> float | None:
    """Start the run's shifted clock at FLIPSIDE_TEST_NOW now; export its offset to child processes.

    Called once, by pytest's main process before it starts any other (tests/conftest.py).
    """
    moment = destination()
    if moment is None:
        os.environ.pop(OFFSET_ENV, None)
        return None
    offset = moment.timestamp() - real_time()
    os.environ[OFFSET_ENV] = repr(offset)
    return offset


def offset() -> float | None:
    """The run's offset from the real clock in seconds (inherited), or None when not travelling."""
    if destination() is None:
        return None
    inherited = os.environ.get(OFFSET_ENV, "").strip()
    if not inherited:
        return fix_offset()  # a process started by hand: its clock starts at FLIPSIDE_TEST_NOW
    try:
        return float(inherited)
    except ValueError:
        raise SystemExit(f"{OFFSET_ENV} must be a number of seconds, got {inherited!r}") from None


@contextmanager
def travel() -> Iterator[dt.datetime | None]:
    """Inside: this process reads the run's shifted clock (ticking); yields where it started."""
    shift = offset()
    if shift is None:
        yield None
        return
    start = real_time() + shift
    with time_machine.travel(start, tick=True):
        # time_machine starts the ticking at the first reading, not at travel(): read now, or the
        # clock would fall behind the others by however long this process waits until it looks.
        time.time()
        yield dt.datetime.fromtimestamp(start, dt.UTC)


def main() -> None:
    """``python -m tests.time_travel <celery arguments>``: a Celery worker on the run's shifted clock."""
    from celery.__main__ import main as celery

    sys.argv = ["celery", *sys.argv[1:]]
    with travel():
        celery()


if __name__ == "__main__":
    main()
