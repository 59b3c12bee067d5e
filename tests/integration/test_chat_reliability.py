"""Chat delivery against real `celery worker` processes, Redis, and the loopback Slack server.

The server counts a post as delivered only when the worker is still connected after its pause
(tests/chat_server.py), so "exactly once" is checked on what Slack would really have accepted.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from meetings import tasks
from notifications.models import ChannelPreference, Delivery
from notifications.services import chat_settings_update
from tests.chat_server import SLACK_TOKEN
from tests.factories import UserFactory
from tests.integration.conftest import wait_for
from tests.surveys import builders

pytestmark = pytest.mark.integration

QUEUES = ("celery", "first", "second")
TIME_LIMIT, LEASE = 15, 30
# Starting a worker takes a minute or more on a busy 2-core machine.
STARTUP = 240


@pytest.fixture
def queue():
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(*QUEUES)
    yield client
    client.delete(*QUEUES)
    client.close()


@pytest.fixture
def slack(transactional_db, chat_server, hr_admin):
    """Slack connected (the token sealed in the database, as HR's page stores it)."""
    chat_settings_update(actor=hr_admin, provider="slack", secret=SLACK_TOKEN)
    return chat_server


def _env(server, *, batch: int = 500) -> dict[str, str]:
    return {
        "SLACK_API_URL": server.slack_api_url,
        "JOBS_TIME_LIMIT": str(TIME_LIMIT),
        "JOBS_CLAIM_LEASE_SECONDS": str(LEASE),
        "JOBS_BATCH_SIZE": str(batch),
    }


def _ready(proc) -> bool:
    return "ready." in Path(proc.log_path).read_text()


def _ticks_done(proc) -> int:
    lines = Path(proc.log_path).read_text().splitlines()
    return sum(1 for line in lines if "tick_meeting_reminders" in line and "succeeded" in line)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _sessions_for_chat_people(count: int) -> None:
    """``count`` sessions in 3 hours (two reminders each), everyone choosing chat for reminders."""
    program = builders.running_program(leads=[UserFactory()])
    starts = timezone.now() + dt.timedelta(hours=3)
    for _ in range(count):
        builders.session(builders.active_pair(program), starts)
    people = set(program.enrollments.values_list("user_id", flat=True))
    ChannelPreference.objects.bulk_create(
        [ChannelPreference(user_id=user_id, kind="reminders", channels="chat") for user_id in people])


def test_a_worker_killed_mid_batch_loses_no_chat_message_and_posts_none_twice(start_worker, queue, slack):
    _sessions_for_chat_people(15)  # 30 reminders, 0.15 s each at "Slack"
    slack.post_delay = 0.15
    env = _env(slack)
    # Both workers are up before anything happens (each on its own queue), so the second one's tick
    # comes well inside the first one's lease however slowly workers start on this machine.
    worker = start_worker("-Q", "first", **env)
    spare = start_worker("-Q", "second", **env)
    wait_for(lambda: _ready(worker) and _ready(spare), timeout=STARTUP)
    pool = _children(worker.pid)
    tasks.tick_meeting_reminders.apply_async(queue="first")

    # The 12th post has begun: kill the whole worker while Slack is "thinking".
    wait_for(lambda: slack.begun >= 12, timeout=60, interval=0.005)
    for pid in [*pool, worker.pid]:
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)
    for pid in _children(worker.pid):
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: slack.abandoned, timeout=5)  # the post in flight was never accepted
    before = slack.slack_keys()
    assert 11 <= len(before) < 30 and set(before.values()) == {1}
    assert Delivery.objects.filter(channel="chat", state="sent").count() == len(before)

    # The other worker leaves the dead worker's claims alone while their lease lasts ...
    last = max(d for d in Delivery.objects.values_list("claimed_until", flat=True) if d)
    tasks.tick_meeting_reminders.apply_async(queue="second")
    wait_for(lambda: _ticks_done(spare) == 1, timeout=60)
    assert timezone.now() < last, "the machine was too slow: the next check would prove nothing"
    assert slack.slack_keys() == before
    # ... and posts the rest once it has run out.
    time.sleep(max(0.0, (last - timezone.now()).total_seconds()) + 0.5)
    tasks.tick_meeting_reminders.apply_async(queue="second")
    wait_for(lambda: len(slack.slack_keys()) >= 30, timeout=120)
    time.sleep(1)  # anything extra would arrive now

    keys = slack.slack_keys()
    assert len(keys) == 30 and set(keys.values()) == {1}
    assert Delivery.objects.filter(channel="chat", state="sent").count() == 30
    assert not Delivery.objects.filter(channel="email").exists()


def test_two_workers_ticking_at_once_post_every_chat_message_exactly_once(start_worker, queue, slack):
    _sessions_for_chat_people(20)  # 40 reminders, claimed 4 at a time
    slack.post_delay = 0.03
    env = _env(slack, batch=4)
    workers = [start_worker(**env), start_worker(**env)]
    wait_for(lambda: all(_ready(w) for w in workers), timeout=STARTUP)

    for _ in range(4):  # two beats, each firing twice
        tasks.tick_meeting_reminders.delay()
    wait_for(lambda: len(slack.slack_keys()) >= 40, timeout=180)
    wait_for(lambda: queue.llen("celery") == 0, timeout=60)
    time.sleep(2)

    keys = slack.slack_keys()
    assert len(keys) == 40 and set(keys.values()) == {1}
    assert Delivery.objects.filter(channel="chat", state="sent").count() == 40
    assert not slack.abandoned
