"""Personas and shared fixtures for the whole suite.

`make test` runs everything against real PostgreSQL and Redis (DATABASE_URL, REDIS_URL);
tests marked `postgres` or `integration` fail, not skip, when those are missing.
"""

from __future__ import annotations

import os
import uuid

import pytest
from django.utils import translation

from tests import time_travel
from tests.factories import PASSWORD, ProgramFactory, UserFactory

# The loopback Slack/Teams server fixture (``chat_server``), shared by notifications, integration and e2e;
# tests.catalogues compiles the translation catalogues before any test runs.
pytest_plugins = ["tests.chat_server", "tests.catalogues"]

# Playwright drives the browser from a thread with a running event loop; Django's ORM must
# still be usable from the test body (live_server).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # pytest's main process fixes the run's shifted clock before it starts xdist workers or Celery
    # workers, which inherit it (tests/time_travel.py); the xdist workers only read it.
    if not hasattr(config, "workerinput"):
        time_travel.fix_offset()


@pytest.fixture(scope="session", autouse=True)
def _travel_to_flipside_test_now():
    """FLIPSIDE_TEST_NOW moves the whole session's clock there (see tests/time_travel.py).

    live_server runs in threads of this process, so the app under test travels too.
    """
    with time_travel.travel() as start:
        yield start


def pytest_report_header(config):
    moment = time_travel.destination()
    return [f"{time_travel.ENV}: the clock starts at {moment.isoformat()}"] if moment else []


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if item.get_closest_marker("postgres") and "postgresql" not in engine:
            item.add_marker(pytest.mark.usefixtures("_require_postgres"))
        if item.get_closest_marker("integration") and not settings.REDIS_URL:
            item.add_marker(pytest.mark.usefixtures("_require_redis"))


@pytest.fixture
def _require_postgres():
    pytest.fail("This test needs PostgreSQL: run it through `make test` (sets DATABASE_URL).")


@pytest.fixture
def _require_redis():
    pytest.fail("This test needs Redis: run it through `make test` (sets REDIS_URL).")


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """A fresh cache key prefix per test: rate limits and cached values never leak between
    tests or between parallel test processes sharing one Redis."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"},
    }


@pytest.fixture(autouse=True)
def _dashboards_read_live(settings):
    """Tests change data and render a dashboard again within a minute: they read it live.
    (Production keeps a small program's reads for DASHBOARD_CACHE_SECONDS; the tests of that
    cache, in tests/evaluation/test_snapshots.py, turn it back on.)"""
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """The test client runs the app in this thread, and LocaleMiddleware leaves a request's browser
    language active after it (a chosen language is handed back by UserLanguageMiddleware): each test
    ends in the default language, so no later test in the process runs in another one."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher costs ~100 ms per password by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_inline(request, monkeypatch):
    """Messages handed to a worker on commit (and HR's invite-everyone job) run in the test's own
    process, as a worker would run them; the integration tests use a real worker and Redis."""
    if request.node.get_closest_marker("integration"):
        return
    from notifications.tasks import deliver_messages
    from programs.tasks import invite_everyone

    for task in (deliver_messages, invite_everyone):
        monkeypatch.setattr(task, "apply_async",
                            lambda args=(), kwargs=None, _task=task, **_options: _task.apply(args, kwargs))


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def hr_admin(db):
    from accounts.services import user_set_hr_admin

    user = UserFactory(email="hr.admin@example.com", full_name="Hannah Reyes", level=8,
                       department="People")
    return user_set_hr_admin(user=user, is_hr_admin=True)


@pytest.fixture
def lead(db):
    return UserFactory(email="lead@example.com", full_name="Leonard Brooks", level=13,
                       department="People")


@pytest.fixture
def mentor(db):
    return UserFactory(email="mentor@example.com", full_name="Aisha Rahman", level=3,
                       department="Engineering", time_zone="Europe/Berlin")


@pytest.fixture
def mentee(db):
    return UserFactory(email="mentee@example.com", full_name="Robert Whitfield", level=11,
                       department="Sales", time_zone="America/New_York")


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.com", full_name="Olga Outside", level=5,
                       department="Finance")


@pytest.fixture
def program(db, lead):
    return ProgramFactory(leads=[lead])


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, with the machine's closed network in mind."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }
