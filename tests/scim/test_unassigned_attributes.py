"""PATCH remove leaves displayName and active unassigned (RFC 7644 §3.5.2.2), and what that means.

Flipside's rule (README, "SCIM"): an unassigned ``active`` — never sent, removed by PATCH, or left
out of a PUT — means nothing stops the person signing in, and no ``active`` is returned while they
can. ``active: false`` (or DELETE) is the only way a directory makes someone a leaver.
"""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, User
from scim.models import ScimAccount
from tests.factories import UserFactory
from tests.scim.conftest import person

pytestmark = pytest.mark.django_db


def _create(scim, user_name="ana@example.com", **extra) -> str:
    response = scim.post("/Users", person(user_name, **extra))
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _listed(scim, flt: str) -> list[dict]:
    response = scim.get("/Users", data={"filter": flt})
    assert response.status_code == 200, response.content
    return response.json()["Resources"]


def _signs_in(client, email: str, password: str) -> bool:
    client.post(reverse("account_login"), {"login": email, "password": password})
    signed_in = "_auth_user_id" in client.session
    client.logout()
    return signed_in


def test_removing_display_name_leaves_it_out_of_get_list_and_filter_responses(scim):
    pk = _create(scim, displayName="Ana the Analyst")
    response = scim.patch(f"/Users/{pk}", [{"op": "remove", "path": "displayName"}])
    assert response.status_code == 200, response.content
    assert "displayName" not in response.json()
    assert "displayName" not in scim.get(f"/Users/{pk}").json()
    assert all("displayName" not in r for r in scim.get("/Users").json()["Resources"])
    [found] = _listed(scim, 'userName eq "ana@example.com"')
    assert "displayName" not in found
    assert _listed(scim, "displayName pr") == []
    # The person keeps a name in Flipside, now taken from the name the directory sent.
    assert User.objects.get(pk=pk).full_name == "Ana Tester"


def test_display_name_sent_again_after_removal_is_shown_and_used(scim):
    pk = _create(scim, displayName="Ana the Analyst")
    scim.patch(f"/Users/{pk}", [{"op": "remove", "path": "displayName"}])
    response = scim.patch(f"/Users/{pk}", [{"op": "add", "path": "displayName", "value": "Ana Lima"}])
    assert response.json()["displayName"] == "Ana Lima"
    assert User.objects.get(pk=pk).full_name == "Ana Lima"
    assert [r["id"] for r in _listed(scim, 'displayName eq "Ana Lima"')] == [pk]


def test_removing_active_leaves_it_out_and_the_person_can_still_sign_in(scim, client, password):
    user = UserFactory(email="ana@example.com")
    pk = _create(scim)
    assert str(user.pk) == pk  # the directory adopted the invited person
    response = scim.patch(f"/Users/{pk}", [{"op": "remove", "path": "active"}])
    assert response.status_code == 200, response.content
    assert "active" not in response.json()
    assert "active" not in scim.get(f"/Users/{pk}").json()
    [found] = _listed(scim, 'userName eq "ana@example.com"')
    assert "active" not in found
    assert _listed(scim, "active pr") == []
    assert _listed(scim, "active eq true") == []  # unassigned is not "true" in a filter either
    assert User.objects.get(pk=pk).is_active is True
    assert _signs_in(client, "ana@example.com", password)


def test_removing_active_from_a_leaver_lets_them_back_in_and_is_audited(scim, client, password):
    UserFactory(email="ana@example.com")
    pk = _create(scim, active=False)
    assert not _signs_in(client, "ana@example.com", password)
    assert scim.get(f"/Users/{pk}").json()["active"] is False
    scim.patch(f"/Users/{pk}", [{"op": "remove", "path": "active"}])
    assert User.objects.get(pk=pk).is_active is True
    assert "active" not in scim.get(f"/Users/{pk}").json()
    assert _signs_in(client, "ana@example.com", password)
    assert AuditEvent.objects.filter(summary__contains="reactivated ana@example.com").count() == 1


def test_a_put_without_active_or_display_name_leaves_both_unassigned(scim, client, password):
    UserFactory(email="ana@example.com")
    pk = _create(scim, displayName="Ana the Analyst")
    body = person("ana@example.com", title="Lead")
    del body["active"]
    response = scim.put(f"/Users/{pk}", body)
    assert response.status_code == 200, response.content
    shown = scim.get(f"/Users/{pk}").json()
    assert "active" not in shown and "displayName" not in shown
    assert shown["title"] == "Lead"
    assert _signs_in(client, "ana@example.com", password)


def test_a_post_without_active_creates_someone_who_can_sign_in_and_shows_no_active(scim):
    body = person("ana@example.com")
    del body["active"]
    response = scim.post("/Users", body)
    assert response.status_code == 201, response.content
    assert "active" not in response.json()
    assert User.objects.get(email="ana@example.com").is_active is True


def test_active_false_is_always_returned_even_when_the_directory_never_sent_it(scim, hr_admin):
    # HR (or erasure) can stop a provisioned person outside SCIM: the directory must see it.
    body = person("ana@example.com")
    del body["active"]
    pk = scim.post("/Users", body).json()["id"]
    User.objects.filter(pk=pk).update(is_active=False)
    assert scim.get(f"/Users/{pk}").json()["active"] is False
    # A PATCH of something else keeps them stopped: the PATCH starts from what the directory sees.
    scim.patch(f"/Users/{pk}", [{"op": "replace", "path": "title", "value": "Lead"}])
    assert User.objects.get(pk=pk).is_active is False


def test_the_migration_backfills_earlier_people_so_nothing_they_showed_disappears(scim):
    from django.apps import apps

    backfill = importlib.import_module("scim.migrations.0002_display_name_and_active_as_sent").backfill
    pk = _create(scim, displayName="Ana the Analyst")
    ScimAccount.objects.filter(user_id=pk).update(display_name=None, active=None)  # as before 0002
    User.objects.filter(pk=pk).update(full_name="Ana Lima")
    backfill(apps, None)
    shown = scim.get(f"/Users/{pk}").json()
    assert (shown["displayName"], shown["active"]) == ("Ana Lima", True)
