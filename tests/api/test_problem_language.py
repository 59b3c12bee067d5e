"""Problem details speak the caller's Accept-Language (English without one), never the token owner's
saved preference: an integration's error handling must not change because a person changed theirs."""

from __future__ import annotations

from django.test import Client

from tests.api.test_problems import problem


def test_a_german_accept_language_gets_german_titles_and_details(world, api_call):
    response = api_call("hr", "GET", "/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    body = problem(response, 404)
    assert body["title"] == "Nicht gefunden"
    assert body["type"].endswith("/not-found")  # machines branch on the type, which never changes
    assert response["Content-Language"] == "de"

    body = problem(api_call("anonymous", "GET", "/api/v1/programs/", HTTP_ACCEPT_LANGUAGE="de"), 401)
    assert body["title"] == "Nicht authentifiziert"


def test_without_accept_language_the_api_answers_in_english_whatever_the_owner_chose(world, api_call):
    hr = world["users"]["hr"]
    hr.language = "de"
    hr.save(update_fields=["language"])
    response = api_call("hr", "DELETE", "/api/v1/programs/")
    body = problem(response, 405)
    assert body["title"] == "Method not allowed" and body["detail"] == "This method is not allowed here."
    assert response["Content-Language"] == "en"


def test_a_415_answered_before_the_locale_middleware_is_in_the_caller_s_language(world):
    token = world["tokens"]["hr"]
    url = f"/api/v1/enrolments/{world['applied'].pk}/decision/"
    client = Client()

    def post(**headers):
        return client.post(url, "decision=approved", content_type="application/x-www-form-urlencoded",
                           HTTP_AUTHORIZATION=f"Bearer {token}", **headers)

    german = problem(post(HTTP_ACCEPT_LANGUAGE="de"), 415)
    assert german["title"] == "Nicht unterstützter Medientyp"
    assert german["detail"] == "Senden Sie den Request-Body als application/json."
    # The next caller without a language is not answered in the German the thread spoke last.
    english = problem(post(), 415)
    assert english["title"] == "Unsupported media type"
    assert english["detail"] == "Send the request body as application/json."
