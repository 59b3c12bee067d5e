from __future__ import annotations

import pytest

from accounts.models import AuditEvent, User
from scim.models import ScimToken
from scim.services import scim_token_revoke
from tests.scim.conftest import ENTERPRISE, FLIPSIDE, person

pytestmark = pytest.mark.django_db


def test_discovery_documents_describe_users_and_both_extensions(scim):
    spc = scim.get("/ServiceProviderConfig")
    assert spc["Content-Type"] == "application/scim+json"
    assert spc.json()["patch"]["supported"] is True
    assert spc.json()["bulk"]["supported"] is False
    types = scim.get("/ResourceTypes").json()
    assert [t["id"] for t in types["Resources"]] == ["User"]
    schemas = {s["id"] for s in scim.get("/Schemas").json()["Resources"]}
    assert {ENTERPRISE, FLIPSIDE} <= schemas
    assert scim.get(f"/Schemas/{FLIPSIDE}").json()["attributes"][0]["name"] == "level"


def test_without_a_valid_token_every_endpoint_answers_401(client, hr_admin, token):
    client.force_login(hr_admin)
    for path in ("/scim/v2/Users", "/scim/v2/ServiceProviderConfig", "/scim/v2/Groups"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["status"] == "401"
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_a_revoked_token_stops_working(client, token):
    scim_token_revoke(token=ScimToken.objects.get())
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_create_stores_the_profile_and_is_found_by_username_and_external_id(scim):
    boss = scim.post("/Users", person("boss@example.com", externalId="e-1")).json()
    body = person(
        "ana@example.com", externalId="e-2", title="Analyst", timezone="Europe/Berlin",
        **{
            ENTERPRISE: {"department": "Finance", "manager": {"value": boss["id"]}, "employeeNumber": "42"},
            FLIPSIDE: {"level": 4},
        },
    )
    response = scim.post("/Users", body)
    assert response.status_code == 201, response.content
    assert response["ETag"].startswith('W/"')
    ana = User.objects.get(email="ana@example.com")
    facts = (ana.job_title, ana.department, ana.level, ana.time_zone)
    assert facts == ("Analyst", "Finance", 4, "Europe/Berlin")
    assert ana.manager.email == "boss@example.com"
    assert ana.full_name == "Ana Tester"
    found = scim.get('/Users?filter=userName eq "ANA@example.com"').json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == str(ana.pk)
    by_external = scim.get('/Users?filter=externalId eq "e-2"').json()
    assert by_external["Resources"][0]["userName"] == "ana@example.com"
    for flt in ('emails[type eq "work" and value eq "ana@example.com"]', 'emails.value eq "ana@example.com"'):
        assert scim.get("/Users", data={"filter": flt}).json()["totalResults"] == 1
    event = AuditEvent.objects.filter(summary__contains="provisioned ana@example.com").get()
    assert event.data["scim_client"] == "Okta test"


def test_duplicate_username_is_409_uniqueness(scim):
    scim.post("/Users", person("ana@example.com"))
    response = scim.post("/Users", person("ana@example.com"))
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert User.objects.filter(email="ana@example.com").count() == 1


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"userName": "x@example.com", FLIPSIDE: {"level": "high"}}, "invalidValue"),
        ({"userName": "x@example.com", "emails": [{"value": "not-an-email"}]}, "invalidValue"),
        ({"userName": ""}, "invalidValue"),
        ("{not json", "invalidSyntax"),
    ],
)
def test_bad_bodies_are_400_with_a_scim_type_and_create_nothing(scim, body, scim_type):
    response = scim.post("/Users", body)
    assert response.status_code == 400
    assert response.json()["scimType"] == scim_type
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert not User.objects.exists()


def test_bad_filters_are_400_invalid_filter(scim):
    for bad in ('userName eq', 'userName zz "a"', '(userName eq "a"', 'userName eq unquoted'):
        response = scim.get("/Users", data={"filter": bad})
        assert response.status_code == 400, bad
        assert response.json()["scimType"] == "invalidFilter"


def test_pagination_uses_start_index_and_count(scim):
    for i in range(5):
        scim.post("/Users", person(f"p{i}@example.com"))
    page = scim.get("/Users?startIndex=2&count=2").json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [r["userName"] for r in page["Resources"]] == ["p1@example.com", "p2@example.com"]


def test_patch_replaces_with_and_without_path_and_value_filters(scim):
    created = scim.post("/Users", person("ana@example.com")).json()
    response = scim.patch(f"/Users/{created['id']}", [
        {"op": "replace", "path": "title", "value": "Lead"},
        {"op": "replace", "value": {"displayName": "Ana Lima", f"{ENTERPRISE}:department": "Ops"}},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "ana.lima@example.com"},
        {"op": "add", "path": f"{FLIPSIDE}:level", "value": 7},
    ])
    assert response.status_code == 200, response.content
    ana = User.objects.get(pk=created["id"])
    assert (ana.job_title, ana.full_name, ana.department, ana.level, ana.email) == (
        "Lead", "Ana Lima", "Ops", 7, "ana.lima@example.com")


def test_a_bad_patch_operation_changes_nothing(scim):
    created = scim.post("/Users", person("ana@example.com", title="Analyst")).json()
    response = scim.patch(f"/Users/{created['id']}", [
        {"op": "replace", "path": "title", "value": "Lead"},
        {"op": "replace", "path": "nosuch", "value": 1},
    ])
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidPath"
    assert User.objects.get(pk=created["id"]).job_title == "Analyst"


def test_delete_deactivates_and_hides_the_person(scim):
    created = scim.post("/Users", person("ana@example.com")).json()
    assert scim.delete(f"/Users/{created['id']}").status_code == 204
    assert User.objects.get(pk=created["id"]).is_active is False
    assert scim.get(f"/Users/{created['id']}").status_code == 404
    assert scim.get('/Users?filter=userName eq "ana@example.com"').json()["totalResults"] == 0


def test_if_match_with_an_old_version_is_412(scim):
    created = scim.post("/Users", person("ana@example.com")).json()
    body = person("ana@example.com", title="X")
    response = scim.put(f"/Users/{created['id']}", body, HTTP_IF_MATCH='W/"old"')
    assert response.status_code == 412
    assert User.objects.get(pk=created["id"]).job_title == ""
