"""The one outbox: idempotent queueing, the claim with its lease, delivery by channel, retries."""

from __future__ import annotations

import datetime as dt
import threading
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import channels, kinds, outbox
from notifications.models import Delivery, Message
from notifications.render import Rendered
from tests.factories import UserFactory

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
KIND = "test-note"


def _build(message: Message):
    if message.context.get("skip"):
        return kinds.Skip("not_wanted")
    return Rendered(
        subject=f"Note {message.key}",
        text="Hello & welcome",
        html="<p>Hello &amp; welcome</p>",
        to=message.recipient.email,
        from_email="flipside@localhost",
        links=[("Open", "https://flipside.example/x")],
    )


@pytest.fixture(autouse=True)
def _test_kind():
    kinds.register(KIND, build=_build, group="other")
    yield
    kinds.REGISTRY.pop(KIND, None)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _queue(n: int, **context) -> list[int]:
    users = [UserFactory() for _ in range(n)]
    ids = outbox.messages_queue(
        [outbox.Draft(kind=KIND, key=f"{KIND}:{u.pk}", recipient_id=u.pk, context=context) for u in users]
    )
    return list(ids.values())


def _states() -> list[str]:
    return list(Delivery.objects.order_by("id").values_list("state", flat=True))


@pytest.mark.django_db
def test_queueing_a_key_twice_adds_nothing_and_sends_once(clock, mailoutbox):
    user = UserFactory()
    first = outbox.message_queue(kind=KIND, key="test-note:1", recipient=user)
    again = outbox.message_queue(kind=KIND, key="test-note:1", recipient=user)

    assert first.pk == again.pk and Message.objects.count() == 1 and Delivery.objects.count() == 1
    assert outbox.deliver_due().sent == 1
    assert outbox.deliver_due().sent == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].extra_headers["X-Flipside-Outbox"] == "test-note:1"
    assert _states() == ["sent"]


@pytest.mark.django_db
def test_re_queueing_an_old_key_after_a_new_channel_appeared_sends_nothing_again(
    clock, monkeypatch, mailoutbox
):
    user = UserFactory()
    outbox.message_queue(kind=KIND, key="test-note:1", recipient=user)
    outbox.deliver_due()
    monkeypatch.setattr(channels, "channels_for", lambda *, user, kind: frozenset({"email", "chat"}))

    outbox.message_queue(kind=KIND, key="test-note:1", recipient=user)

    assert list(Delivery.objects.values_list("channel", "state")) == [("email", "sent")]


@pytest.mark.django_db
def test_deliveries_claimed_by_a_worker_that_died_wait_for_the_lease_then_go_once(clock, mailoutbox):
    _queue(4)
    _claim_id, ids = outbox.claim()  # ... and then it died
    assert len(ids) == 4

    assert outbox.deliver_due().sent == 0
    clock.move_to(START + outbox.lease() - dt.timedelta(seconds=1))
    assert outbox.deliver_due().sent == 0
    clock.move_to(START + outbox.lease() + dt.timedelta(seconds=1))
    assert outbox.deliver_due().sent == 4
    assert outbox.deliver_due().sent == 0
    assert len(mailoutbox) == 4


@pytest.mark.django_db
def test_a_claim_takes_at_most_one_batch_in_one_statement(clock):
    _queue(6)

    with CaptureQueriesContext(connection) as queries:
        _claim, first = outbox.claim(limit=4)
    _claim, second = outbox.claim(limit=4)

    assert len(queries) == 1 and "UPDATE" in queries[0]["sql"] and "RETURNING" in queries[0]["sql"]
    assert len(first) == 4 and len(second) == 2 and not set(first) & set(second)


@pytest.mark.django_db
def test_a_skipped_message_is_recorded_with_its_reason_and_never_sent(clock, mailoutbox):
    _queue(2, skip=True)

    outcome = outbox.deliver_due()

    assert outcome.skipped == {"not_wanted": 2} and not mailoutbox
    assert set(Delivery.objects.values_list("state", "error")) == {("skipped", "not_wanted")}


class FlakySMTP(locmem.EmailBackend):
    """Accepts two messages, then the connection drops."""

    accepted = 0

    def send_messages(self, messages):
        if FlakySMTP.accepted >= 2:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        FlakySMTP.accepted += len(messages)
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_mail_server_failure_keeps_what_went_and_gives_the_rest_back(clock, settings, mailoutbox):
    _queue(6)
    settings.EMAIL_BACKEND = f"{__name__}.FlakySMTP"
    FlakySMTP.accepted = 0

    with pytest.raises(SMTPServerDisconnected):
        outbox.deliver_due()

    assert Delivery.objects.filter(state="sent").count() == 2
    assert Delivery.objects.filter(state="pending", claimed_until__isnull=True).count() == 4
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver_due().sent == 4
    keys = [m.extra_headers["X-Flipside-Outbox"] for m in mailoutbox]
    assert len(keys) == 6 and len(set(keys)) == 6


class SlowSMTP(locmem.EmailBackend):
    """The time limit strikes while the third message is being handed over."""

    calls = 0

    def send_messages(self, messages):
        SlowSMTP.calls += 1
        if SlowSMTP.calls == 3:
            raise SoftTimeLimitExceeded()
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_time_limit_mid_batch_keeps_the_message_in_flight_claimed_and_frees_the_rest(clock, settings):
    _queue(6)
    settings.EMAIL_BACKEND = f"{__name__}.SlowSMTP"
    SlowSMTP.calls = 0

    with pytest.raises(SoftTimeLimitExceeded):
        outbox.deliver_due()

    rows = list(Delivery.objects.order_by("id"))
    assert [r.state for r in rows] == ["sent", "sent", "pending", "pending", "pending", "pending"]
    assert rows[2].claimed_until is not None  # may have gone: only after the lease
    assert [r.claimed_until for r in rows[3:]] == [None, None, None]


def _chat(failures: list[channels.DeliveryError], posted: list[str]):
    def send(message, rendered) -> str:
        if failures:
            raise failures.pop(0)
        posted.append(message.key)
        return "ts-1"

    return send


@pytest.mark.django_db
def test_a_rate_limited_chat_delivery_is_retried_after_the_time_the_provider_asked_for(clock, monkeypatch):
    posted: list[str] = []
    monkeypatch.setitem(
        channels.CHANNELS, "chat", _chat([channels.DeliveryError("rate_limited", retry_after=120)], posted)
    )
    monkeypatch.setattr(channels, "channels_for", lambda *, user, kind: frozenset({"chat"}))
    _queue(1)

    assert outbox.deliver_due().retried == 1
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.next_attempt_at == START + dt.timedelta(seconds=120)
    clock.move_to(START + dt.timedelta(seconds=119))
    assert outbox.deliver_due().sent == 0
    clock.move_to(START + dt.timedelta(seconds=121))
    assert outbox.deliver_due().sent == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.provider_id, delivery.attempts, len(posted)) == ("sent", "ts-1", 2, 1)


@pytest.mark.django_db
def test_a_chat_delivery_that_can_never_succeed_fails_with_the_reason_and_falls_back_to_email(
    clock, monkeypatch, mailoutbox
):
    posted: list[str] = []
    monkeypatch.setitem(
        channels.CHANNELS, "chat", _chat([channels.DeliveryError("users_not_found", permanent=True)], posted)
    )
    monkeypatch.setattr(channels, "channels_for", lambda *, user, kind: frozenset({"chat"}))
    _queue(1)

    outbox.deliver_due()
    outbox.deliver_due()

    assert list(Delivery.objects.order_by("id").values_list("channel", "state", "error")) == [
        ("chat", "failed", "users_not_found"),
        ("email", "sent", ""),
    ]
    assert len(mailoutbox) == 1 and not posted


@pytest.mark.django_db
def test_a_message_for_email_and_chat_goes_once_by_each(clock, monkeypatch, mailoutbox):
    posted: list[str] = []
    monkeypatch.setitem(channels.CHANNELS, "chat", _chat([], posted))
    monkeypatch.setattr(channels, "channels_for", lambda *, user, kind: frozenset({"email", "chat"}))
    [message_id] = _queue(1)

    assert outbox.deliver_due().sent == 2
    assert outbox.deliver_due().sent == 0
    assert len(mailoutbox) == 1 and posted == [Message.objects.get(pk=message_id).key]


@pytest.mark.django_db
def test_delivering_given_messages_leaves_the_others_alone(clock, mailoutbox):
    first, *_others = _queue(3)

    assert outbox.deliver_due(message_ids=[first]).sent == 1
    assert _states() == ["sent", "pending", "pending"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_send_every_message_exactly_once():
    with time_machine.travel(START, tick=False):
        _queue(40)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    outcomes: list[dict] = []

    def tick() -> None:
        try:
            with time_machine.travel(START, tick=False):
                barrier.wait()
                outcomes.append(outbox.deliver_due(batch_size=5).as_dict())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)

    assert errors == []
    assert sum(o["sent"] for o in outcomes) == 40, outcomes
    keys = [m.extra_headers["X-Flipside-Outbox"] for m in mail.outbox]
    assert len(keys) == 40 and len(set(keys)) == 40
    assert Delivery.objects.filter(state="sent").count() == 40
