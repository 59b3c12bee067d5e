"""PATCH bodies exactly as Microsoft Entra ID and Okta send them (capitalised ops, booleans as strings,
fully qualified extension keys in a value object, no path at all)."""

from __future__ import annotations

import pytest

from accounts.models import User
from pairing.models import Pair
from tests.factories import ActivePairFactory
from tests.scim.conftest import ENTERPRISE, FLIPSIDE, PATCH_OP, person

pytestmark = pytest.mark.django_db


def _create(scim, user_name: str, **extra) -> str:
    response = scim.post("/Users", person(user_name, **extra))
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_entra_id_update_with_capitalised_ops_and_qualified_paths(scim):
    boss = _create(scim, "boss@example.com", externalId="e-boss")
    pk = _create(scim, "ana@example.com", externalId="e-ana")
    response = scim.patch(f"/Users/{pk}", [
        {"op": "Replace", "path": "displayName", "value": "Ana Lima"},
        {"op": "Add", "path": "name.givenName", "value": "Ana"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "ana.lima@example.com"},
        {"op": "Replace", "path": 'emails[type eq "work"].primary', "value": "True"},
        {"op": "Add", "path": "Title", "value": "Cloud Engineer"},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Cloud"},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "e-boss"},
        {"op": "Replace", "path": f"{FLIPSIDE}:level", "value": 4},
    ])
    assert response.status_code == 200, response.content
    ana = User.objects.get(pk=pk)
    assert (ana.full_name, ana.email, ana.job_title, ana.department, ana.level, ana.manager_id) == (
        "Ana Lima", "ana.lima@example.com", "Cloud Engineer", "Cloud", 4, int(boss))
    shown = scim.get(f"/Users/{pk}").json()
    assert shown["emails"] == [{"value": "ana.lima@example.com", "type": "work", "primary": True}]
    assert shown[ENTERPRISE]["manager"]["value"] == boss

    response = scim.patch(f"/Users/{pk}", [{"op": "Remove", "path": f"{ENTERPRISE}:manager"}])
    assert response.status_code == 200, response.content
    assert User.objects.get(pk=pk).manager_id is None
    assert "manager" not in scim.get(f"/Users/{pk}").json()[ENTERPRISE]


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "replace", "path": "active", "value": False},
        {"op": "Replace", "value": {"active": "False"}},
        {"op": "replace", "value": {"active": False}},
    ],
    ids=["entra-path-string", "okta-path-bool", "entra-no-path-string", "okta-no-path-bool"],
)
def test_every_dialect_of_deactivation_makes_a_leaver_and_ends_their_pair(scim, operation):
    pair = ActivePairFactory()
    pk = _create(scim, pair.mentor.user.email)
    response = scim.patch(f"/Users/{pk}", [operation])
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    assert User.objects.get(pk=pk).is_active is False
    assert Pair.objects.get(pk=pair.pk).status == Pair.Status.ENDED_EARLY


def test_reactivation_with_the_string_true_lets_the_person_back(scim):
    pk = _create(scim, "ana@example.com", active=False)
    response = scim.patch(f"/Users/{pk}", [{"op": "Replace", "path": "active", "value": "True"}])
    assert response.json()["active"] is True
    assert User.objects.get(pk=pk).is_active is True


def test_okta_replace_without_path_with_a_whole_value_object(scim):
    pk = _create(scim, "ana@example.com")
    response = scim.patch(f"/Users/{pk}", [{"op": "replace", "value": {
        "id": pk, "userName": "ana@example.com", "displayName": "Ana Okta",
        "name": {"givenName": "Ana", "familyName": "Okta"}, "active": True,
        f"{ENTERPRISE}:department": "Sales",
        FLIPSIDE: {"level": 6},
    }}])
    assert response.status_code == 200, response.content
    ana = User.objects.get(pk=pk)
    assert (ana.full_name, ana.department, ana.level, ana.is_active) == ("Ana Okta", "Sales", 6, True)
    assert scim.get(f"/Users/{pk}").json()["name"] == {"givenName": "Ana", "familyName": "Okta"}


def test_a_string_other_than_true_or_false_for_active_is_refused(scim):
    pk = _create(scim, "ana@example.com")
    response = scim.patch(f"/Users/{pk}", [{"op": "Replace", "path": "active", "value": "No"}])
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert User.objects.get(pk=pk).is_active is True


def test_a_group_members_path_is_refused_on_users_and_groups_are_not_offered(scim):
    # HR roles stay granted inside Flipside (README), so a directory's group pushes get clean errors.
    pk = _create(scim, "ana@example.com")
    members = [{"op": "Remove", "path": f'members[value eq "{pk}"]'}]
    response = scim.patch(f"/Users/{pk}", members)
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidPath"
    response = scim.call("patch", "/Groups/7", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Add", "path": "members", "value": [{"value": pk}]}, *members]})
    assert response.status_code == 404
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert [t["id"] for t in scim.get("/ResourceTypes").json()["Resources"]] == ["User"]
