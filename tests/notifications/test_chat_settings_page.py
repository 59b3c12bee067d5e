"""HR's Settings → Chat page: connection, masked secret, test message, recent failures."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEvent
from notifications.models import ChatFailure, ChatSettings
from notifications.sealing import seal, unseal
from notifications.selectors import chat_config
from notifications.services import chat_failure_record, chat_settings_update
from tests.chat_server import SLACK_LOOKUP, SLACK_POST, SLACK_TOKEN, TEAMS_PATH, Reply

pytestmark = pytest.mark.django_db
URL = reverse("notifications:chat_settings")
TEST_URL = reverse("notifications:chat_test")


def stored() -> ChatSettings:
    return ChatSettings.objects.get(pk=1)


def test_hr_connects_slack_and_the_token_is_stored_encrypted_and_shown_masked(client, hr_admin):
    client.force_login(hr_admin)
    response = client.post(URL, {"provider": "slack", "secret": SLACK_TOKEN})
    assert response.status_code == 302

    row = stored()
    assert row.provider == "slack" and row.updated_by == hr_admin
    assert SLACK_TOKEN not in row.secret_sealed
    assert unseal(row.secret_sealed) == SLACK_TOKEN
    page = client.get(URL).content.decode()
    assert SLACK_TOKEN not in page and "loopbacktoken" not in page
    assert "••••••••oken" in page
    assert "ending in oken" in page
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CONFIG_CHANGED)
    assert SLACK_TOKEN not in str(event.data) + event.summary
    assert event.data["changed"] == ["provider", "secret"]


def test_the_secret_field_is_never_filled_in_again(client, hr_admin, slack_connected):
    client.force_login(hr_admin)
    response = client.get(URL)
    field = response.content.decode().split('name="secret"')[1].split(">")[0]
    assert "value=" not in field
    assert 'type="password"' in response.content.decode()


def test_saving_without_a_new_secret_keeps_the_stored_one(client, hr_admin, slack_connected):
    client.force_login(hr_admin)
    before = stored().secret_sealed
    assert client.post(URL, {"provider": "slack", "secret": ""}).status_code == 302
    assert stored().secret_sealed == before


def test_switching_tool_needs_the_new_tools_secret_and_nothing_changes_without_it(client, hr_admin,
                                                                                  slack_connected):
    client.force_login(hr_admin)
    before = stored().secret_sealed
    response = client.post(URL, {"provider": "teams", "secret": ""})
    assert response.status_code == 200
    assert "secret" in response.context["form"].errors
    row = stored()
    assert (row.provider, row.secret_sealed) == ("slack", before)


@pytest.mark.parametrize(("provider", "secret"), [
    ("slack", "xoxp-a-user-token"),
    ("slack", "xoxb-with space"),
    ("teams", "not a url"),
    ("teams", "http://hooks.example.com/webhook"),
    ("teams", "ftp://example.com/hook"),
])
def test_a_secret_of_the_wrong_shape_is_refused_and_nothing_is_saved(client, hr_admin, provider, secret):
    client.force_login(hr_admin)
    response = client.post(URL, {"provider": provider, "secret": secret})
    assert response.status_code == 200
    assert "secret" in response.context["form"].errors
    assert not ChatSettings.objects.exists()


def test_a_teams_https_webhook_is_accepted(client, hr_admin):
    client.force_login(hr_admin)
    url = "https://example.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi"
    assert client.post(URL, {"provider": "teams", "secret": url}).status_code == 302
    assert chat_config().secret == url


def test_disconnecting_forgets_the_secret(client, hr_admin, slack_connected):
    client.force_login(hr_admin)
    assert client.post(URL, {"provider": "", "secret": ""}).status_code == 302
    row = stored()
    assert (row.provider, row.secret_sealed) == ("", "")
    assert chat_config().ready is False


def test_a_secret_from_the_environment_wins_is_masked_and_cannot_be_typed_over(client, hr_admin, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-from-the-environment-9876"
    client.force_login(hr_admin)
    response = client.post(URL, {"provider": "slack", "secret": "xoxb-typed-in-the-browser"})
    assert response.status_code == 200 and "secret" in response.context["form"].errors
    assert client.post(URL, {"provider": "slack", "secret": ""}).status_code == 302
    assert stored().secret_sealed == ""
    assert chat_config().secret == "xoxb-from-the-environment-9876"
    page = client.get(URL).content.decode()
    assert "xoxb-from-the-environment" not in page
    assert "••••••••9876" in page and "SLACK_BOT_TOKEN" in page


def test_a_secret_sealed_under_a_lost_key_is_reported_and_not_used(client, hr_admin, settings):
    ChatSettings.objects.create(pk=1, provider="slack", secret_sealed=seal(SLACK_TOKEN))
    settings.SECRET_KEY = "another-key-entirely-0123456789-abcdefghijklmnop"
    client.force_login(hr_admin)
    response = client.get(URL)
    assert response.context["secret"].source == "unreadable"
    assert "Cannot be read" in response.content.decode()
    assert chat_config().ready is False


def test_an_outsider_gets_404_and_changes_nothing(client, outsider, slack_connected):
    client.force_login(outsider)
    before = stored().secret_sealed
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"provider": "", "secret": ""}).status_code == 404
    assert client.post(TEST_URL).status_code == 404
    row = stored()
    assert (row.provider, row.secret_sealed, row.last_test_at) == ("slack", before, None)


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_test_message_only_answers_post(client, hr_admin, slack_connected):
    client.force_login(hr_admin)
    assert client.get(TEST_URL).status_code == 405
    assert stored().last_test_at is None


def test_a_test_message_reaches_the_hr_admin_in_slack_and_the_result_is_kept(client, hr_admin, chat_server,
                                                                            slack_connected):
    client.force_login(hr_admin)
    with time_machine.travel("2026-03-02 00:00:00+00:00", tick=False):  # a Monday, at midnight
        response = client.post(TEST_URL, follow=True)
    (lookup,) = chat_server.received(SLACK_LOOKUP)
    assert lookup.query["email"] == "hr.admin@example.com"
    (post,) = chat_server.received(SLACK_POST)
    assert post.body["blocks"][0]["text"]["text"] == "Flipside test message"
    assert post.body["blocks"][2]["elements"][0]["url"].endswith(URL)
    row = stored()
    assert row.last_test_ok is True and row.last_test_at.isoformat() == "2026-03-02T00:00:00+00:00"
    assert "Test message sent to you" in response.content.decode()


def test_a_test_message_to_teams_mentions_the_hr_admin(client, hr_admin, teams_connected, chat_server):
    client.force_login(hr_admin)
    client.post(TEST_URL)
    (post,) = chat_server.received(TEAMS_PATH)
    card = post.body["attachments"][0]["content"]
    assert card["msteams"]["entities"][0]["mentioned"]["id"] == "hr.admin@example.com"
    assert stored().last_test_ok is True


def test_a_failed_test_message_reports_the_reason_and_lists_the_failure(client, hr_admin, slack_connected,
                                                                        chat_server):
    chat_server.queue(SLACK_POST, Reply(200, {"ok": False, "error": "token_revoked"}))
    client.force_login(hr_admin)
    response = client.post(TEST_URL, follow=True)
    page = response.content.decode()
    assert "The test message did not arrive" in page and "token_revoked" in page
    row = stored()
    assert row.last_test_ok is False and "token_revoked" in row.last_test_detail
    failure = ChatFailure.objects.get()
    assert (failure.recipient, failure.is_test, failure.provider) == (hr_admin, True, "slack")
    assert response.context["failures"] == [failure]


def test_a_test_message_without_a_connection_says_so_and_sends_nothing(client, hr_admin, chat_server):
    client.force_login(hr_admin)
    response = client.post(TEST_URL, follow=True)
    assert "Choose a chat tool" in response.content.decode()
    assert chat_server.requests == []


def test_recent_failures_are_listed_newest_first_in_constant_queries(
        client, hr_admin, mentor, mentee, slack_connected, django_assert_max_num_queries):
    client.force_login(hr_admin)
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        chat_failure_record(provider="slack", recipient=mentor, kind="meeting_reminder",
                            reason="No Slack user has this person's e-mail address. (users_not_found)")
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False):
        chat_failure_record(provider="slack", recipient=mentee, kind="survey_invitation",
                            reason="Slack cannot open a conversation with this person. (channel_not_found)")
    client.get(URL)  # warm the session and permission caches
    with django_assert_max_num_queries(20) as few:
        response = client.get(URL)
    assert [f.recipient for f in response.context["failures"]] == [mentee, mentor]
    page = response.content.decode()
    assert "channel_not_found" in page and "survey_invitation" in page and mentor.email in page
    for n in range(15):
        chat_failure_record(provider="slack", recipient=mentor, kind="nudge", reason=f"reason {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_old_failures_are_dropped_beyond_the_kept_number(db, mentor, monkeypatch):
    from notifications import services

    monkeypatch.setattr(services, "FAILURES_KEPT", 3)
    for n in range(5):
        chat_failure_record(provider="teams", recipient=mentor, reason=f"r{n}")
    assert sorted(ChatFailure.objects.values_list("reason", flat=True)) == ["r2", "r3", "r4"]


def test_hr_admins_find_settings_in_the_navigation_and_others_do_not(client, hr_admin, mentor):
    client.force_login(hr_admin)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()
    client.force_login(mentor)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


def test_updating_settings_twice_keeps_a_single_row(hr_admin):
    chat_settings_update(actor=hr_admin, provider="slack", secret=SLACK_TOKEN)
    chat_settings_update(actor=hr_admin, provider="teams", secret="https://example.webhook.office.com/x")
    assert ChatSettings.objects.count() == 1
    assert chat_config().provider == "teams"
