"""A real Celery worker process against the test database and the test Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests import time_travel

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    """The URL of the database the tests use right now (pytest-django's test_ database)."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start `celery worker` subprocesses; they are killed at the end of the test.

    Returns a function ``start(**env) -> Popen``. The worker sees the same database, Redis
    and settings as the test (plus any extra environment given), e.g. a file e-mail backend.
    """
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.fail("Worker tests need PostgreSQL: run them through `make test`.")
    procs: list[subprocess.Popen] = []

    def start(*extra_args: str, **extra_env: str) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL,
               "PYTHONUNBUFFERED": "1", "BROKER_SOCKET_TIMEOUT": "10",
               "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""), **extra_env}
        command = ["-m", "celery"]
        offset = time_travel.offset()
        if offset is not None:
            # FLIPSIDE_TEST_NOW: the worker (and its pool) reads the test's clock, the real one plus
            # the run's fixed offset; handing it "now" would set it behind by its start-up time.
            env[time_travel.OFFSET_ENV] = repr(offset)
            command = ["-m", "tests.time_travel"]
        log = open(tmp_path / f"worker-{len(procs)}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [sys.executable, *command, "-A", "mentoring", "worker", "--loglevel", "INFO",
             "--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat",
             *extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        proc.log_path = log.name  # type: ignore[attr-defined]
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.2):
    """Poll until predicate() is truthy; return its value or fail with a clear message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Condition not met within {timeout} s")
