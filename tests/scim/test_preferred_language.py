"""SCIM preferredLanguage: a German or English tag sets the person's language; others are kept as sent."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.scim.conftest import person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("sent", "language"),
                         [("de-DE", "de"), ("de_AT", "de"), ("en", "en"), ("fr-FR", "")])
def test_a_directory_s_preferred_language_sets_a_supported_one(scim, sent, language):
    response = scim.post("/Users", person("ana@example.com", preferredLanguage=sent))
    assert response.status_code == 201, response.content
    assert User.objects.get(email="ana@example.com").language == language
    assert response.json()["preferredLanguage"] == sent  # reads back exactly as sent


def test_a_person_s_own_choice_survives_a_resync_of_the_same_value(scim):
    created = scim.post("/Users", person("ana@example.com", preferredLanguage="de-DE")).json()
    User.objects.filter(email="ana@example.com").update(language="en")  # Ana chose English herself
    body = person("ana@example.com", preferredLanguage="de-DE")
    assert scim.put(f"/Users/{created['id']}", body).status_code == 200
    assert User.objects.get(email="ana@example.com").language == "en"
    # A new value from the directory does apply.
    patch = scim.patch(f"/Users/{created['id']}",
                       [{"op": "replace", "path": "preferredLanguage", "value": "de-CH"}])
    assert patch.status_code == 200, patch.content
    assert User.objects.get(email="ana@example.com").language == "de"
    assert patch.json()["preferredLanguage"] == "de-CH"


def test_the_schema_describes_preferred_language(scim):
    schema = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()
    assert "preferredLanguage" in {attribute["name"] for attribute in schema["attributes"]}
