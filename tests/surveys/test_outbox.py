"""The claim/lease/send mechanics shared by every job, and the task settings."""

from __future__ import annotations

import datetime as dt
import threading
from smtplib import SMTPServerDisconnected

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentoring.celery import app
from surveys import outbox, services, tasks
from surveys.models import MeetingReminder
from tests.surveys import builders
from tests.surveys.conftest import START, sent

H = dt.timedelta(hours=1)


def _due_sessions(pair_count: int, program, *, start=None):
    start = start or START + 2 * H
    return [builders.session(builders.active_pair(program), start) for _ in range(pair_count)]


@pytest.mark.django_db
def test_rows_claimed_by_a_worker_that_died_wait_for_the_lease_then_go_once(clock, running, mailoutbox):
    _due_sessions(2, running)
    services.meeting_reminders_plan()
    claim_id, ids = outbox.claim(MeetingReminder, where=services.PENDING_SQL)  # ... and then it died
    assert len(ids) == 4

    assert services.meeting_reminders_send().sent == 0
    clock.move_to(START + outbox.lease() - dt.timedelta(seconds=1))
    assert services.meeting_reminders_send().sent == 0
    clock.move_to(START + outbox.lease() + dt.timedelta(seconds=1))
    assert services.meeting_reminders_send().sent == 4
    assert services.meeting_reminders_send().sent == 0
    assert len(mailoutbox) == 4


@pytest.mark.django_db
def test_a_claim_takes_at_most_one_batch_in_one_statement(clock, running):
    _due_sessions(3, running)
    services.meeting_reminders_plan()

    with CaptureQueriesContext(connection) as queries:
        _claim, first = outbox.claim(MeetingReminder, where=services.PENDING_SQL, limit=4)
    _claim, second = outbox.claim(MeetingReminder, where=services.PENDING_SQL, limit=4)

    assert len(queries) == 1 and "UPDATE" in queries[0]["sql"] and "RETURNING" in queries[0]["sql"]
    assert len(first) == 4 and len(second) == 2 and not set(first) & set(second)


class FlakySMTP(locmem.EmailBackend):
    """Accepts two messages, then the connection drops."""

    accepted = 0

    def send_messages(self, messages):
        if FlakySMTP.accepted >= 2:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        FlakySMTP.accepted += len(messages)
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_mail_server_failure_keeps_what_went_and_gives_the_rest_back(clock, running, settings, mailoutbox):
    _due_sessions(3, running)
    settings.EMAIL_BACKEND = f"{__name__}.FlakySMTP"
    FlakySMTP.accepted = 0

    with pytest.raises(SMTPServerDisconnected):
        services.meeting_reminders_tick()

    assert MeetingReminder.objects.filter(sent_at__isnull=False).count() == 2
    assert MeetingReminder.objects.filter(sent_at__isnull=True, claimed_at__isnull=True).count() == 4
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.meeting_reminders_tick().sent == 4
    keys = [m.extra_headers["X-Flipside-Outbox"] for m in mailoutbox]
    assert len(keys) == 6 and len(set(keys)) == 6


@pytest.mark.django_db
def test_a_tick_costs_the_same_queries_however_many_sessions_there_are(clock, running):
    _due_sessions(3, running)
    pair = builders.active_pair(running)
    for day in range(5):
        builders.session(pair, START + dt.timedelta(days=3 + day))
    with CaptureQueriesContext(connection) as small:
        assert services.meeting_reminders_tick().sent == 6

    _due_sessions(3, running, start=START + 3 * H)
    for day in range(60):
        builders.session(pair, START - dt.timedelta(days=day + 1), status="held")
        builders.session(pair, START + dt.timedelta(days=10, hours=day))
    with CaptureQueriesContext(connection) as large:
        assert services.meeting_reminders_tick().sent == 6

    assert len(large) == len(small)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_send_every_reminder_exactly_once(running, mailoutbox):
    # The clock is frozen at START for both threads: what races here is the database, not time.
    _due_sessions(40, running)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    outcomes: list[dict] = []

    def tick() -> None:
        try:
            barrier.wait()
            outcomes.append(services.meeting_reminders_tick().as_dict())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Generous: on a loaded machine one thread renders all 80 messages before the first goes.
        thread.join(600)

    assert not any(thread.is_alive() for thread in threads), "a tick is still running"
    assert errors == []
    # Between them the two ticks sent every row once (one of them may find nothing to claim).
    assert MeetingReminder.objects.count() == 80
    assert sum(o["sent"] for o in outcomes) == 80, outcomes
    keys = [m.extra_headers["X-Flipside-Outbox"] for m in sent(mail.outbox, "meeting-reminder")]
    assert len(keys) == 80 and len(set(keys)) == 80
    assert MeetingReminder.objects.filter(sent_at__isnull=False).count() == 80


def test_every_job_acknowledges_late_has_time_limits_and_backs_off_below_the_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    names = [name for name in dir(tasks) if name.startswith("tick_")]
    assert len(names) == 7
    for name in names:
        task = getattr(tasks, name)
        assert task.acks_late is True
        assert 0 < task.soft_time_limit < task.time_limit == settings.JOBS_TIME_LIMIT
        assert task.retry_backoff_max * 2 < visibility
        assert task.max_retries and task.autoretry_for
    assert settings.JOBS_CLAIM_LEASE_SECONDS > settings.JOBS_TIME_LIMIT


def test_beat_schedules_every_job_by_its_registered_name():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    jobs = {f"surveys.tasks.{name}" for name in dir(tasks) if name.startswith("tick_")}

    assert jobs <= scheduled
    assert jobs <= set(app.tasks.keys())
    # Short ticks: every minute (the weekly digest checks hourly for each lead's Monday morning).
    ours = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] in jobs]
    assert all(e["schedule"] <= (3600 if e["task"].endswith("lead_digest") else 60) for e in ours)


class SlowSMTP(locmem.EmailBackend):
    """The time limit strikes while the third message is being handed over."""

    calls = 0

    def send_messages(self, messages):
        SlowSMTP.calls += 1
        if SlowSMTP.calls == 3:
            raise SoftTimeLimitExceeded()
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_time_limit_mid_batch_keeps_the_message_in_flight_claimed_and_frees_the_rest(
    clock, running, settings, mailoutbox
):
    _due_sessions(3, running)
    settings.EMAIL_BACKEND = f"{__name__}.SlowSMTP"
    SlowSMTP.calls = 0

    with pytest.raises(SoftTimeLimitExceeded):
        services.meeting_reminders_tick()

    rows = list(MeetingReminder.objects.order_by("id"))
    assert [r.sent_at is not None for r in rows] == [True, True, False, False, False, False]
    assert rows[2].claimed_at is not None  # may have gone: only after the lease
    assert [r.claimed_at for r in rows[3:]] == [None, None, None]


def test_settings_refuse_a_lease_shorter_than_the_time_limit():
    import os
    import subprocess
    import sys

    env = {**os.environ, "JOBS_TIME_LIMIT": "60", "JOBS_CLAIM_LEASE_SECONDS": "30"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "mentoring.settings"},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )

    assert result.returncode != 0
    assert "JOBS_CLAIM_LEASE_SECONDS must be longer than JOBS_TIME_LIMIT" in result.stderr
