"""The e-mail jobs against the real Redis and real `celery worker` processes.

Every e-mail goes through ``tests.integration.jobs_mail.SlowFileBackend``: one file per delivered
message, named after the sending process, so "exactly once" is checked on what actually left.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meetings import services as meeting_services
from meetings import tasks
from meetings.models import Meeting, MeetingReminder
from mentoring.celery import app
from notifications import tasks as delivery_tasks
from notifications.models import Delivery
from notifications.tasks import enqueue_on_commit
from programs.models import Program
from tests.factories import UserFactory
from tests.integration.conftest import wait_for
from tests.integration.jobs_mail import delivered, started
from tests.surveys import builders

pytestmark = pytest.mark.integration

QUEUE = "celery"
# The lease is well past the time a restarted worker takes to start on a loaded machine, so the
# restarted tick below really runs while the dead worker's claims still hold.
TIME_LIMIT, LEASE = 15, 45


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Dozens of people per test; the real password hasher would cost a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def queue():
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(QUEUE)  # nothing left over from an earlier test
    yield client
    client.delete(QUEUE)
    client.close()


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def _worker_env(mail_dir: Path, *, delay: float, batch: int = 500) -> dict[str, str]:
    return {
        "EMAIL_URL": f"file://{mail_dir}",
        "EMAIL_BACKEND": "tests.integration.jobs_mail.SlowFileBackend",
        "JOBS_MAIL_DELAY": str(delay),
        "JOBS_TIME_LIMIT": str(TIME_LIMIT),
        "JOBS_CLAIM_LEASE_SECONDS": str(LEASE),
        "JOBS_BATCH_SIZE": str(batch),
    }


def _ready(proc) -> bool:
    return "ready." in Path(proc.log_path).read_text()


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


def _kill_whole_worker(proc) -> None:
    """SIGKILL what is left of a worker: the parent and any pool process it has."""
    for pid in _children(proc.pid):
        os.kill(pid, signal.SIGKILL)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)


def _due_sessions(count: int, *, hours: float = 3, **program_fields) -> Program:
    program = builders.running_program(leads=[UserFactory()], **program_fields)
    starts = timezone.now() + dt.timedelta(hours=hours)
    for _ in range(count):
        builders.session(builders.active_pair(program), starts)
    return program


def _keys(mail_dir: Path) -> Counter:
    return Counter(key for key, _pid in delivered(mail_dir))


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(start_worker, queue, mail_dir):
    _due_sessions(15)  # 30 reminders, 0.15 s each at the "mail server"
    env = _worker_env(mail_dir, delay=0.15)
    worker = start_worker(**env)
    wait_for(lambda: _ready(worker), timeout=60)
    pool = _children(worker.pid)  # known now, so the kill below is a few system calls
    tasks.tick_meeting_reminders.delay()

    # The 12th message has begun (markers are written before the pause): kill the whole worker.
    wait_for(lambda: started(mail_dir) >= 12, timeout=60, interval=0.005)
    for pid in [*pool, worker.pid]:
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)
    _kill_whole_worker(worker)  # and any pool process forked meanwhile
    before = _keys(mail_dir)
    assert 11 <= len(before) < 30  # killed mid-batch ...
    assert started(mail_dir) == len(before) + 1  # ... while one message was in flight, undelivered
    assert Delivery.objects.filter(state="sent").count() == len(before)
    assert Delivery.objects.filter(state="pending", claimed_until__isnull=False).count() == 30 - len(before)

    # A new worker: its tick leaves the dead worker's rows alone while their lease lasts ...
    restarted = start_worker(**env)
    wait_for(lambda: _ready(restarted), timeout=60)
    tasks.tick_meeting_reminders.delay()
    time.sleep(3)
    claimed = Delivery.objects.filter(claimed_until__isnull=False)
    lease_ends = max(claimed.values_list("claimed_until", flat=True))
    assert timezone.now() < lease_ends, "the restarted worker took longer than the lease to start"
    assert _keys(mail_dir) == before
    # ... and sends them once it has run out.
    time.sleep(max(0.0, (lease_ends - timezone.now()).total_seconds()) + 0.5)
    tasks.tick_meeting_reminders.delay()
    wait_for(lambda: len(_keys(mail_dir)) >= 30, timeout=60)
    time.sleep(1)  # anything extra would arrive now

    keys = _keys(mail_dir)
    assert len(keys) == 30 and set(keys.values()) == {1}
    assert set(keys) == {
        f"meeting-reminder:{pk}" for pk in MeetingReminder.objects.values_list("pk", flat=True)
    }
    assert Delivery.objects.filter(state="sent").count() == 30


def test_two_workers_ticking_at_once_send_every_email_exactly_once(start_worker, queue, mail_dir):
    _due_sessions(30)  # 60 reminders, claimed 4 at a time
    env = _worker_env(mail_dir, delay=0.03, batch=4)
    workers = [start_worker(**env), start_worker(**env)]
    wait_for(lambda: all(_ready(w) for w in workers), timeout=60)

    for _ in range(4):  # two beats, each firing twice
        tasks.tick_meeting_reminders.delay()
    wait_for(lambda: len(_keys(mail_dir)) >= 60, timeout=60)
    wait_for(lambda: queue.llen(QUEUE) == 0, timeout=30)
    time.sleep(2)

    found = delivered(mail_dir)
    keys = Counter(key for key, _pid in found)
    assert len(keys) == 60 and set(keys.values()) == {1}
    assert len({pid for _key, pid in found}) == 2  # both workers really sent a share
    assert Delivery.objects.filter(state="sent").count() == 60


@contextmanager
def _broker(url: str):
    """Point this process's Celery app at another broker (the publishing pools are rebuilt)."""
    original = app.conf.broker_url

    def rebuild() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = url
    rebuild()
    try:
        yield
    finally:
        app.conf.broker_url = original
        rebuild()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_redis_unreachable_booking_is_quick_and_the_reminders_go_out_once_it_is_back(
    start_worker, queue, mail_dir
):
    program = builders.running_program(leads=[UserFactory()], reminder_first_hours=2, reminder_second_hours=0)
    pair = builders.active_pair(program)
    mentor, mentee = pair.mentor.user, pair.mentee.user
    # Booked just outside the 2 h reminder window: the reminder falls due seconds later.
    starts = timezone.now() + dt.timedelta(hours=2, seconds=8)
    ends = starts + dt.timedelta(minutes=45)

    with _broker(f"redis://127.0.0.1:{_closed_port()}/0"):
        began = time.monotonic()
        meeting = meeting_services.meeting_propose(
            pair=pair,
            proposer=mentor,
            slots_utc=[(starts, ends)],
            mode=Meeting.Mode.VIDEO,
            video_link="https://meet.example.com/abc-defg",
        )
        meeting = meeting_services.meeting_confirm(
            meeting=meeting, user=mentee, slot_id=meeting.slots.get().pk
        )
        took = time.monotonic() - began

    assert took < 2, f"booking took {took:.2f} s with the broker down"
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CONFIRMED
    notices = Delivery.objects.filter(message__kind="meeting-notice",
                                      message__ref_id__in=meeting.notices.values("pk"))
    assert notices.filter(state="pending").count() == 3  # nothing reached a worker
    assert queue.llen(QUEUE) == 0

    # Redis is back: a worker, the deliveries tick (the notices) and the reminders' tick.
    start_worker(**_worker_env(mail_dir, delay=0))
    delivery_tasks.tick_deliveries.delay()
    delivery_tasks.tick_deliveries.delay()  # two beats: still once each
    wait_for(lambda: len(_keys(mail_dir)) >= 2, timeout=60)
    time.sleep(max(0.0, (starts - dt.timedelta(hours=2) - timezone.now()).total_seconds()) + 0.2)
    tasks.tick_meeting_reminders.delay()
    wait_for(lambda: len(_keys(mail_dir)) >= 4, timeout=60)
    time.sleep(1)  # anything extra would arrive now

    reminders = MeetingReminder.objects.filter(meeting=meeting)
    assert sorted(r.recipient_id for r in reminders) == sorted([mentor.pk, mentee.pk])
    # The proposal to the mentee was superseded by the confirmation: the two confirmations went.
    assert sorted(notices.values_list("state", flat=True)) == ["sent", "sent", "skipped"]
    sent_notices = {f"meeting-notice:{pk}" for pk in notices.filter(state="sent").values_list(
        "message__ref_id", flat=True)}
    keys = _keys(mail_dir)
    assert set(keys.values()) == {1}
    assert set(keys) == {f"meeting-reminder:{r.pk}" for r in reminders} | sent_notices


def test_a_rolled_back_transaction_enqueues_nothing(transactional_db, queue):
    before = queue.llen(QUEUE)

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(tasks.tick_meeting_reminders)
        raise RuntimeError("the request failed")

    assert queue.llen(QUEUE) == before
    # The control: the same call in a transaction that commits does reach Redis.
    with transaction.atomic():
        enqueue_on_commit(tasks.tick_meeting_reminders)
    assert queue.llen(QUEUE) == before + 1


@contextmanager
def _silent_server():
    """A 'Redis' that accepts connections and never answers: the worst kind of outage."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


def test_with_redis_hanging_booking_still_returns_within_two_seconds(transactional_db):
    program = builders.running_program(leads=[UserFactory()])
    pair = builders.active_pair(program)
    starts = timezone.now() + dt.timedelta(days=2)
    with _silent_server() as port, _broker(f"redis://127.0.0.1:{port}/0"):
        began = time.monotonic()
        meeting = meeting_services.meeting_propose(
            pair=pair, proposer=pair.mentor.user, slots_utc=[(starts, starts + dt.timedelta(minutes=45))],
            mode=Meeting.Mode.VIDEO, video_link="https://meet.example.com/abc-defg")
        proposing = time.monotonic() - began
        began = time.monotonic()
        meeting_services.meeting_confirm(meeting=meeting, user=pair.mentee.user,
                                         slot_id=meeting.slots.get().pk)
        confirming = time.monotonic() - began
    # Each is one web request: neither may hang on the broker.
    assert proposing < 2, f"proposing took {proposing:.2f} s with a Redis that never answers"
    assert confirming < 2, f"confirming took {confirming:.2f} s with a Redis that never answers"
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CONFIRMED
    # Nothing was published; the notices wait in the outbox for the next tick.
    assert Delivery.objects.filter(message__kind="meeting-notice", state="pending",
                                   message__ref_id__in=meeting.notices.values("pk")).exists()
