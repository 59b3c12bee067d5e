"""A person's Account → Notifications page, and which channels a message goes to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.privacy import person_erase, person_export
from notifications.models import ChannelPreference, ChatFailure
from notifications.selectors import channel_preferences_of, preference_kind, preferred_channels
from notifications.services import channel_preferences_update

pytestmark = pytest.mark.django_db
URL = reverse("notifications:preferences")
ALL_EMAIL = {"reminders": "email", "surveys": "email", "nudges": "email", "other": "email"}


def test_a_person_chooses_chat_for_reminders_and_both_for_surveys(client, mentor):
    client.force_login(mentor)
    response = client.post(URL, {**ALL_EMAIL, "reminders": "chat", "surveys": "both"})
    assert response.status_code == 302
    assert channel_preferences_of(mentor) == {**ALL_EMAIL, "reminders": "chat", "surveys": "both"}
    page = client.get(URL).content.decode()
    assert page.count(" checked") == 4
    assert 'value="chat" required id="id_reminders_1" checked' in page


def test_the_page_shows_the_saved_choices(client, mentor):
    channel_preferences_update(user=mentor, choices={**ALL_EMAIL, "nudges": "both"})
    client.force_login(mentor)
    form = client.get(URL).context["form"]
    assert form["nudges"].initial == "both" and form["reminders"].initial == "email"


def test_saving_again_updates_rather_than_duplicates(mentor):
    channel_preferences_update(user=mentor, choices={**ALL_EMAIL, "reminders": "chat"})
    channel_preferences_update(user=mentor, choices={**ALL_EMAIL, "reminders": "both"})
    assert ChannelPreference.objects.filter(user=mentor).count() == 4
    assert ChannelPreference.objects.get(user=mentor, kind="reminders").channels == "both"


def test_an_unknown_choice_is_refused_and_nothing_is_saved(client, mentor):
    client.force_login(mentor)
    response = client.post(URL, {**ALL_EMAIL, "reminders": "carrier-pigeon"})
    assert response.status_code == 200 and "reminders" in response.context["form"].errors
    assert not ChannelPreference.objects.exists()


def test_a_person_changes_only_their_own_choices(client, mentor, mentee):
    channel_preferences_update(user=mentee, choices={**ALL_EMAIL, "surveys": "chat"})
    client.force_login(mentor)
    client.post(URL, {**ALL_EMAIL, "surveys": "both"})
    assert channel_preferences_of(mentee)["surveys"] == "chat"
    assert channel_preferences_of(mentor)["surveys"] == "both"


def test_signing_in_is_required_and_other_methods_are_refused(client, mentor):
    response = client.post(URL, {**ALL_EMAIL, "reminders": "chat"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not ChannelPreference.objects.exists()
    client.force_login(mentor)
    assert client.put(URL).status_code == 405


def test_the_page_says_when_no_chat_tool_is_connected(client, mentor):
    client.force_login(mentor)
    assert 'data-testid="chat-not-connected"' in client.get(URL).content.decode()


def test_the_page_names_the_connected_tool(client, mentor, slack_connected):
    client.force_login(mentor)
    page = client.get(URL).content.decode()
    assert "in Slack" in page and 'data-testid="chat-not-connected"' not in page


def test_every_choice_has_a_labelled_group(client, mentor):
    client.force_login(mentor)
    page = client.get(URL).content.decode()
    assert page.count("<legend") == 4
    assert "Session reminders" in page and 'for="id_reminders_0"' in page


def test_the_account_menu_links_to_the_page(client, mentor):
    client.force_login(mentor)
    assert f'href="{URL}"' in client.get(reverse("accounts:preferences")).content.decode()


@pytest.mark.parametrize(("kind", "group"), [
    ("meeting_reminder", "reminders"), ("survey_reminder", "surveys"), ("survey_invitation", "surveys"),
    ("nudge", "nudges"), ("lead_escalation", "nudges"), ("pair_offer", "other"), ("surveys", "surveys"),
])
def test_message_kinds_map_to_the_preference_that_governs_them(kind, group):
    assert preference_kind(kind) == group


def test_without_a_chat_connection_everyone_gets_email_whatever_they_chose(mentor):
    channel_preferences_update(user=mentor, choices={**ALL_EMAIL, "reminders": "chat"})
    assert preferred_channels(user=mentor, kind="meeting_reminder") == {"email"}


def test_with_a_chat_connection_the_persons_choice_decides(mentor, mentee, slack_connected):
    channel_preferences_update(user=mentor, choices={**ALL_EMAIL, "reminders": "chat", "surveys": "both"})
    assert preferred_channels(user=mentor, kind="meeting_reminder") == {"chat"}
    assert preferred_channels(user=mentor, kind="survey_reminder") == {"email", "chat"}
    assert preferred_channels(user=mentor, kind="pair_offer") == {"email"}
    assert preferred_channels(user=mentee, kind="meeting_reminder") == {"email"}  # never chose


def test_a_persons_choices_and_chat_failures_are_in_their_data_and_go_with_erasure(mentor, hr_admin):
    from notifications.services import chat_failure_record

    channel_preferences_update(user=mentor, choices={**ALL_EMAIL, "nudges": "chat"})
    chat_failure_record(provider="slack", recipient=mentor, kind="nudge", reason="users_not_found")
    data = person_export(user=mentor)["notifications"]
    assert {p["kind"]: p["channels"] for p in data["channel_preferences"]}["nudges"] == "chat"
    assert data["chat_failures"][0]["reason"] == "users_not_found"
    person_erase(user=mentor, actor=hr_admin)
    assert not ChannelPreference.objects.filter(user=mentor).exists()
    assert not ChatFailure.objects.exists()
