"""Slack and Teams delivery against a real HTTP server on 127.0.0.1 (tests/chat_server.py)."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from notifications import chat
from notifications.chat import (
    ChatConfig,
    DeliveryError,
    chat_send,
    retry_after_seconds,
    slack_send,
    teams_send,
)
from notifications.chat_payloads import ChatContent, Link
from tests.chat_server import SLACK_LOOKUP, SLACK_POST, SLACK_TOKEN, TEAMS_PATH, Reply

CONTENT = ChatContent(title="Your session is tomorrow", text="Bring your questions.",
                      links=(Link("Open the session", "https://flipside.example/sessions/7/"),))


def send_slack(server, email="robert.w@example.com", token=SLACK_TOKEN):
    return slack_send(token=token, email=email, content=CONTENT)


def test_slack_finds_the_person_by_email_and_posts_blocks_to_their_direct_messages(chat_server):
    provider_id = send_slack(chat_server)

    (lookup,) = chat_server.received(SLACK_LOOKUP)
    assert lookup.method == "GET" and lookup.query == {"email": "robert.w@example.com"}
    assert lookup.header("Authorization") == f"Bearer {SLACK_TOKEN}"
    (post,) = chat_server.received(SLACK_POST)
    assert post.header("Authorization") == f"Bearer {SLACK_TOKEN}"
    assert post.header("Content-Type") == "application/json; charset=utf-8"
    assert post.body["channel"] == "UROBERTW"
    assert [b["type"] for b in post.body["blocks"]] == ["header", "section", "actions"]
    assert post.body["blocks"][2]["elements"][0]["url"] == "https://flipside.example/sessions/7/"
    assert provider_id == "slack:DUROBERTW:1700000000.000001"


def test_the_slack_user_id_is_remembered_so_the_next_message_is_one_call(chat_server):
    send_slack(chat_server)
    send_slack(chat_server)
    assert len(chat_server.received(SLACK_LOOKUP)) == 1
    assert len(chat_server.received(SLACK_POST)) == 2


def test_a_slack_429_is_transient_and_carries_retry_after(chat_server):
    chat_server.queue(SLACK_POST, Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}))
    with pytest.raises(DeliveryError) as caught:
        send_slack(chat_server)
    assert (caught.value.permanent, caught.value.retry_after) == (False, 7.0)
    assert "429" in caught.value.reason


def test_a_slack_500_is_transient(chat_server):
    chat_server.queue(SLACK_LOOKUP, Reply(500, "oops"))
    with pytest.raises(DeliveryError) as caught:
        send_slack(chat_server)
    assert caught.value.permanent is False and caught.value.retry_after is None
    assert chat_server.received(SLACK_POST) == []


def test_a_slack_http_401_is_permanent(chat_server):
    chat_server.queue(SLACK_LOOKUP, Reply(401, {"ok": False, "error": "not_authed"}))
    with pytest.raises(DeliveryError) as caught:
        send_slack(chat_server)
    assert caught.value.permanent is True
    assert "401" in caught.value.reason


@pytest.mark.parametrize("error", ["token_revoked", "account_inactive", "channel_not_found"])
def test_slack_errors_that_will_not_heal_are_permanent_with_the_code_as_reason(chat_server, error):
    chat_server.queue(SLACK_POST, Reply(200, {"ok": False, "error": error}))
    with pytest.raises(DeliveryError) as caught:
        send_slack(chat_server)
    assert caught.value.permanent is True
    assert error in caught.value.reason


def test_a_wrong_token_is_permanent_and_nothing_is_posted(chat_server):
    with pytest.raises(DeliveryError) as caught:
        send_slack(chat_server, token="xoxb-wrong")
    assert caught.value.permanent is True
    assert "invalid_auth" in caught.value.reason and "token" in caught.value.reason
    assert chat_server.received(SLACK_POST) == []


def test_a_person_unknown_to_slack_is_permanent(chat_server):
    chat_server.unknown_emails.add("nobody@example.com")
    with pytest.raises(DeliveryError) as caught:
        send_slack(chat_server, email="nobody@example.com")
    assert caught.value.permanent is True and "users_not_found" in caught.value.reason


def test_a_slack_ok_false_ratelimited_is_transient(chat_server):
    chat_server.queue(SLACK_POST, Reply(200, {"ok": False, "error": "ratelimited"}, {"Retry-After": "3"}))
    with pytest.raises(DeliveryError) as caught:
        send_slack(chat_server)
    assert (caught.value.permanent, caught.value.retry_after) == (False, 3.0)


def send_teams(server, url=None):
    return teams_send(webhook_url=url or server.teams_url, email="robert@example.com",
                      name="Robert Whitfield", content=CONTENT)


def test_teams_receives_one_adaptive_card_mentioning_the_person(chat_server):
    assert send_teams(chat_server) == "teams"
    (post,) = chat_server.received(TEAMS_PATH)
    assert post.method == "POST" and post.header("Authorization") is None
    card = post.body["attachments"][0]["content"]
    assert card["version"] == "1.4"
    mentioned = card["msteams"]["entities"][0]["mentioned"]
    assert mentioned == {"id": "robert@example.com", "name": "Robert Whitfield"}
    assert card["actions"][0] == {"type": "Action.OpenUrl", "title": "Open the session",
                                  "url": "https://flipside.example/sessions/7/"}


def test_a_teams_429_with_an_http_date_is_transient_with_the_seconds_until_then(chat_server):
    later = datetime.now(UTC) + timedelta(seconds=120)
    retry_after = {"Retry-After": format_datetime(later, usegmt=True)}
    chat_server.queue(TEAMS_PATH, Reply(429, "Too many requests", retry_after))
    with pytest.raises(DeliveryError) as caught:
        send_teams(chat_server)
    assert caught.value.permanent is False
    assert 100 <= caught.value.retry_after <= 121


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (502, False), (503, False), (408, False),
                                                   (400, True), (403, True), (404, True), (410, True)])
def test_teams_status_codes_are_classified(chat_server, status, permanent):
    chat_server.queue(TEAMS_PATH, Reply(status, "webhook says no"))
    with pytest.raises(DeliveryError) as caught:
        send_teams(chat_server)
    assert caught.value.permanent is permanent
    assert str(status) in caught.value.reason


def test_a_legacy_teams_webhook_reporting_a_429_in_a_200_body_is_transient(chat_server):
    chat_server.queue(TEAMS_PATH, Reply(200, "Webhook message delivery failed with error: Microsoft Teams "
                                             "endpoint returned HTTP error 429 with ContextId abc"))
    with pytest.raises(DeliveryError) as caught:
        send_teams(chat_server)
    assert caught.value.permanent is False


def test_a_redirect_is_not_followed_and_is_permanent(chat_server):
    chat_server.queue(TEAMS_PATH, Reply(302, "", {"Location": f"{chat_server.url}/elsewhere"}))
    with pytest.raises(DeliveryError) as caught:
        send_teams(chat_server)
    assert caught.value.permanent is True
    assert [r.path for r in chat_server.requests] == [TEAMS_PATH]


def test_a_refused_connection_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        teams_send(webhook_url=f"http://127.0.0.1:{port}/hook", email="a@example.com", name="A",
                   content=CONTENT)
    assert caught.value.permanent is False
    assert "127.0.0.1" in caught.value.reason


def test_a_server_that_never_answers_is_a_transient_timeout(monkeypatch):
    monkeypatch.setattr(chat, "TIMEOUT_SECONDS", 0.5)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)  # accepts the connection in the kernel, never answers
        started = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            teams_send(webhook_url=f"http://127.0.0.1:{sock.getsockname()[1]}/hook", email="a@example.com",
                       name="A", content=CONTENT)
    assert caught.value.permanent is False
    assert time.monotonic() - started < 3


def test_a_non_web_address_is_refused_without_any_request():
    with pytest.raises(DeliveryError) as caught:
        teams_send(webhook_url="file:///etc/passwd", email="a@example.com", name="A", content=CONTENT)
    assert caught.value.permanent is True


def test_chat_send_uses_the_configured_provider_and_refuses_an_empty_configuration(chat_server):
    chat_send(config=ChatConfig(provider="teams", secret=chat_server.teams_url), email="a@example.com",
              name="A", content=CONTENT)
    chat_send(config=ChatConfig(provider="slack", secret=SLACK_TOKEN), email="a@example.com", name="A",
              content=CONTENT)
    assert (len(chat_server.received(TEAMS_PATH)), len(chat_server.received(SLACK_POST))) == (1, 1)
    with pytest.raises(DeliveryError) as caught:
        chat_send(config=ChatConfig(), email="a@example.com", name="A", content=CONTENT)
    assert caught.value.permanent is True


def test_the_configuration_never_shows_its_secret_in_logs():
    assert SLACK_TOKEN not in repr(ChatConfig(provider="slack", secret=SLACK_TOKEN))


def test_retry_after_reads_seconds_and_dates_and_ignores_nonsense():
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds(format_datetime(now + timedelta(minutes=2), usegmt=True),
                               now=now.timestamp()) == 120.0
    assert retry_after_seconds(format_datetime(now - timedelta(minutes=2), usegmt=True),
                               now=now.timestamp()) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("99999999") == chat.MAX_RETRY_AFTER

