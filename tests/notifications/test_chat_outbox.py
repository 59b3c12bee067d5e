"""The "chat" channel inside the outbox, against the loopback Slack/Teams server."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import channels, kinds, outbox
from notifications.models import ChannelPreference, ChatFailure, Delivery, Message
from notifications.render import Rendered
from notifications.services import channel_preferences_update, chat_settings_update
from tests.chat_server import SLACK_POST, TEAMS_PATH, Reply
from tests.factories import UserFactory

START = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)  # a Monday, at midnight
KIND = "test-chat-reminder"
CHAT_ONLY = {"reminders": "chat", "surveys": "email", "nudges": "email", "other": "email"}


def _build(message: Message):
    return Rendered(subject=f"Session soon ({message.key})", text="Your session starts at 10:00.\n",
                    html="<p>Your session starts at 10:00.</p>", to=message.recipient.email,
                    from_email="flipside@localhost",
                    links=[("Open the session", "https://flipside.example/sessions/1/")])


@pytest.fixture(autouse=True)
def _test_kind():
    kinds.register(KIND, build=_build, group="reminders")
    yield
    kinds.REGISTRY.pop(KIND, None)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def people(n: int, choice: dict[str, str] = CHAT_ONLY) -> list:
    users = [UserFactory() for _ in range(n)]
    for user in users:
        channel_preferences_update(user=user, choices=choice)
    return users


def queue(users) -> dict[str, int]:
    return outbox.messages_queue([outbox.Draft(kind=KIND, key=f"{KIND}:{u.pk}", recipient_id=u.pk)
                                  for u in users])


def deliveries() -> list[tuple[str, str]]:
    return list(Delivery.objects.order_by("message_id", "channel").values_list("channel", "state"))


@pytest.mark.django_db
def test_a_person_who_chose_chat_gets_the_reminder_in_slack_only(
        clock, slack_connected, chat_server, mailoutbox):
    (person,) = people(1)
    queue([person])

    assert outbox.deliver_due().sent == 1
    (post,) = chat_server.bodies(SLACK_POST)
    assert post["blocks"][0]["text"]["text"] == f"Session soon ({KIND}:{person.pk})"
    assert post["blocks"][2]["elements"][0] == {
        "type": "button", "action_id": "link-0", "url": "https://flipside.example/sessions/1/",
        "text": {"type": "plain_text", "text": "Open the session", "emoji": True}, "style": "primary"}
    assert post["metadata"]["event_payload"]["key"] == f"{KIND}:{person.pk}"
    assert deliveries() == [("chat", "sent")] and not mailoutbox
    assert Delivery.objects.get().provider_id.startswith("slack:")


@pytest.mark.django_db
def test_both_means_one_email_and_one_chat_message(clock, teams_connected, chat_server, mailoutbox):
    (person,) = people(1, {**CHAT_ONLY, "reminders": "both"})
    queue([person])
    outbox.deliver_due()
    outbox.deliver_due()
    assert deliveries() == [("chat", "sent"), ("email", "sent")]
    assert len(mailoutbox) == 1 and len(chat_server.received(TEAMS_PATH)) == 1


@pytest.mark.django_db
def test_without_a_chat_connection_a_chat_choice_queues_email(clock, chat_server, mailoutbox):
    (person,) = people(1)
    queue([person])
    outbox.deliver_due()
    assert deliveries() == [("email", "sent")] and chat_server.requests == []


@pytest.mark.django_db
def test_a_second_tick_sends_nothing_again(clock, slack_connected, chat_server):
    queue(people(3))
    assert outbox.deliver_due().sent == 3
    assert outbox.deliver_due().sent == 0
    assert sorted(chat_server.slack_keys().values()) == [1, 1, 1]


@pytest.mark.django_db
def test_a_429_is_retried_after_retry_after_and_then_sent_once(
        clock, slack_connected, chat_server, mailoutbox):
    (person,) = people(1)
    queue([person])
    chat_server.queue(SLACK_POST, Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "120"}))

    assert outbox.deliver_due().retried == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.next_attempt_at) == ("pending", START + dt.timedelta(seconds=120))
    clock.shift(dt.timedelta(seconds=119))
    assert outbox.deliver_due().sent == 0
    clock.shift(dt.timedelta(seconds=1))
    assert outbox.deliver_due().sent == 1
    assert chat_server.slack_keys() == {f"{KIND}:{person.pk}": 1}
    assert deliveries() == [("chat", "sent")] and not mailoutbox
    assert not ChatFailure.objects.exists()


@pytest.mark.django_db
def test_a_5xx_is_retried_with_backoff(clock, teams_connected, chat_server):
    queue(people(1))
    chat_server.queue(TEAMS_PATH, Reply(503, "busy"), Reply(500, "still busy"))
    assert outbox.deliver_due().retried == 1
    first_wait = Delivery.objects.get().next_attempt_at - START
    clock.shift(first_wait)
    assert outbox.deliver_due().retried == 1
    second_wait = Delivery.objects.get().next_attempt_at - (START + first_wait)
    assert second_wait > first_wait  # backing off
    clock.shift(second_wait)
    assert outbox.deliver_due().sent == 1
    assert len(chat_server.received(TEAMS_PATH)) == 3  # two refused, then one accepted
    assert Delivery.objects.get().state == "sent"


@pytest.mark.django_db
def test_a_transient_error_on_the_last_attempt_is_listed_for_hr_and_falls_back(
        clock, slack_connected, chat_server, mailoutbox):
    queue(people(1))
    Delivery.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)
    chat_server.queue(SLACK_POST, Reply(500, "down"))
    outbox.deliver_due()
    outbox.deliver_due()
    assert deliveries() == [("chat", "failed"), ("email", "sent")]
    assert "HTTP 500" in ChatFailure.objects.get().reason


@pytest.mark.django_db
def test_a_person_unknown_to_slack_gets_email_instead_and_hr_sees_why(
        clock, client, hr_admin, slack_connected, chat_server, mailoutbox):
    person, other = people(2)
    chat_server.unknown_emails.add(person.email)
    queue([person, other])

    outbox.deliver_due()
    outbox.deliver_due()

    chat = dict(Delivery.objects.filter(channel="chat").values_list("message__recipient", "state"))
    assert chat == {person.pk: "failed", other.pk: "sent"}
    failed = Delivery.objects.get(channel="chat", state="failed")
    assert "users_not_found" in failed.error
    assert Delivery.objects.get(channel="email").message.recipient == person
    assert [m.to for m in mailoutbox] == [[person.email]]
    failure = ChatFailure.objects.get()
    assert (failure.recipient, failure.kind, failure.is_test) == (person, KIND, False)
    client.force_login(hr_admin)
    page = client.get(reverse("notifications:chat_settings")).content.decode()
    assert person.email in page and "users_not_found" in page


@pytest.mark.django_db
def test_a_revoked_token_falls_back_for_everyone_in_the_batch(
        clock, slack_connected, chat_server, mailoutbox):
    chat_server.slack_token = "xoxb-rotated-elsewhere"
    queue(people(3))
    outbox.deliver_due()
    outbox.deliver_due()
    assert Delivery.objects.filter(channel="chat", state="failed").count() == 3
    assert len(mailoutbox) == 3
    assert ChatFailure.objects.filter(reason__contains="invalid_auth").count() == 3


@pytest.mark.django_db
def test_disconnecting_chat_after_queueing_sends_email_and_lists_no_failure(
        clock, hr_admin, slack_connected, chat_server, mailoutbox):
    queue(people(1))
    chat_settings_update(actor=hr_admin, provider="")
    outbox.deliver_due()
    outbox.deliver_due()
    assert deliveries() == [("chat", "failed"), ("email", "sent")]
    assert not ChatFailure.objects.exists() and chat_server.requests == []


@pytest.mark.django_db
def test_queueing_reads_the_channel_choices_in_constant_queries(clock, slack_connected):
    few, many = people(2), people(20)
    with CaptureQueriesContext(connection) as small:
        queue(few)
    with CaptureQueriesContext(connection) as large:
        queue(many)
    assert len(small) == len(large)
    assert Delivery.objects.filter(channel="chat").count() == 22


@pytest.mark.django_db
def test_channels_for_follows_the_persons_choice_while_chat_is_connected(slack_connected):
    person = UserFactory()
    assert channels.channels_for(user=person, kind="reminders") == {"email"}
    channel_preferences_update(user=person, choices={**CHAT_ONLY, "surveys": "both"})
    assert channels.channels_for(user=person, kind="reminders") == {"chat"}
    assert channels.channels_for(user=person, kind="surveys") == {"email", "chat"}
    with channels.choices_prefetched([]):  # someone the batch did not know is still read right
        assert channels.channels_for(user=person, kind="reminders") == {"chat"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_ticks_at_once_post_every_chat_message_exactly_once(slack_connected, chat_server, settings):
    settings.JOBS_BATCH_SIZE = 3
    chat_server.post_delay = 0.02  # the ticks overlap for real
    users = people(24)
    ChannelPreference.objects.filter(user__in=users[::2], kind="reminders").update(channels="both")
    queue(users)
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            outbox.deliver_due(budget_seconds=60)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    keys = chat_server.slack_keys()
    assert len(keys) == 24 and set(keys.values()) == {1}
    assert Delivery.objects.filter(channel="chat", state="sent").count() == 24
    assert Delivery.objects.filter(channel="email", state="sent").count() == 12
    assert not Delivery.objects.exclude(state="sent").exists()
