"""A person's language: their saved choice, else the browser's; visitors switch in the footer."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db
URL = reverse("accounts:preferences")


def german(msgid: str) -> str:
    """The catalogue's German for ``msgid``; it must really be German, so a missing catalogue fails."""
    with translation.override("de"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no German for {msgid!r}: is locale/de/LC_MESSAGES/django.po compiled?"
    return text


def form_data(user, **changes) -> dict:
    return {"full_name": user.full_name, "time_zone": user.time_zone, "language": user.language, **changes}


def test_a_person_chooses_german_and_the_pages_follow(client, mentor):
    client.force_login(mentor)
    response = client.post(URL, form_data(mentor, language="de"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.language == "de"

    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "de"
    assert '<html lang="de">' in page.content.decode()
    assert f"<h1>{german('Preferences')}</h1>" in page.content.decode()


def test_a_german_speakers_request_hands_the_thread_back_in_its_language(client, mentor):
    """The test client runs the app in this thread: after the page, work here is not in German."""
    mentor.language = "de"
    mentor.save(update_fields=["language"])
    client.force_login(mentor)
    before = translation.get_language()

    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert page["Content-Language"] == "de"
    assert translation.get_language() == before != "de"


def test_without_a_choice_the_browser_decides(client, mentor):
    client.force_login(mentor)
    assert mentor.language == ""
    german_page = client.get(URL, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    english_page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert german_page["Content-Language"] == "de"
    assert f"<h1>{german('Preferences')}</h1>" in german_page.content.decode()
    assert english_page["Content-Language"] == "en"
    assert "<h1>Preferences</h1>" in english_page.content.decode()


def test_a_saved_english_choice_wins_over_a_german_browser(client, mentor):
    mentor.language = "en"
    mentor.save(update_fields=["language"])
    client.force_login(mentor)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="de")
    assert page["Content-Language"] == "en"
    assert "<h1>Preferences</h1>" in page.content.decode()


def test_following_the_browser_again_clears_the_choice(client, mentor):
    mentor.language = "de"
    mentor.save(update_fields=["language"])
    client.force_login(mentor)
    client.post(URL, form_data(mentor, language=""))
    mentor.refresh_from_db()
    assert mentor.language == ""


def test_an_unknown_language_is_refused_and_nothing_changes(client, mentor):
    client.force_login(mentor)
    response = client.post(URL, form_data(mentor, language="fr", full_name="Changed"))
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    mentor.refresh_from_db()
    assert (mentor.language, mentor.full_name) == ("", "Aisha Rahman")


def test_the_choices_name_each_language_in_itself(client, mentor):
    client.force_login(mentor)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="de">Deutsch</option>' in html
    assert '<option value="en">English</option>' in html


def test_a_visitor_switches_to_german_in_the_footer(client):
    login = reverse("account_login")
    page = client.get(login, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert f'action="{reverse("set_language")}"' in html and 'name="language"' in html
    response = client.post(reverse("set_language"), {"language": "de", "next": login})
    assert response.status_code == 302 and response["Location"] == login
    again = client.get(login, HTTP_ACCEPT_LANGUAGE="en")  # the cookie now wins over the browser
    assert again["Content-Language"] == "de"
    assert '<html lang="de">' in again.content.decode()


def test_signed_in_people_choose_on_preferences_not_in_the_footer(client, mentor):
    client.force_login(mentor)
    assert "language-switcher" not in client.get(reverse("home")).content.decode()
