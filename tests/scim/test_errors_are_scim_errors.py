"""Bad requests get a SCIM error body with the right status — never a 500, never a half-saved person."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from tests.scim.conftest import CORE, PATCH_OP, SCIM, person

pytestmark = pytest.mark.django_db

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def _json(**body) -> bytes:
    return json.dumps(body).encode()


def _ops(*operations) -> dict:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def _error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type:
        assert body["scimType"] == scim_type
    return body


@pytest.mark.parametrize(
    ("raw", "scim_type"),
    [
        (b"{not json", "invalidSyntax"),
        (b"\xff\xfe\x00", "invalidSyntax"),
        (b"[]", "invalidSyntax"),
        (b'"ana@example.com"', "invalidSyntax"),
        (_json(schemas="not-a-list", userName="a@example.com"), "invalidSyntax"),
        (_json(schemas=["urn:example:wrong"], userName="a@example.com"), "invalidValue"),
        (_json(schemas=[CORE], userName=["a@example.com"]), "invalidValue"),
        (_json(schemas=[CORE], userName="a@example.com", active="perhaps"), "invalidValue"),
        (_json(schemas=[CORE], userName="a@example.com", name="Ana"), "invalidValue"),
    ],
)
def test_a_bad_user_body_is_400_and_creates_nobody(scim, raw, scim_type):
    _error(scim.post("/Users", raw), 400, scim_type)
    assert not User.objects.exists()


def test_a_body_over_the_limit_is_413_in_scim(scim):
    _error(scim.post("/Users", b'{"userName": "' + b"a" * 1_000_001 + b'"}'), 413)


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}, "invalidSyntax"),
        ({"schemas": ["urn:example:wrong"], "Operations": [{"op": "replace", "path": "title", "value": "x"}]},
         "invalidSyntax"),
        (_ops(), "invalidSyntax"),
        (_ops({"op": "frobnicate", "path": "title"}), "invalidSyntax"),
        (_ops({"op": "replace", "path": "title"}), "invalidValue"),
        (_ops({"op": "remove"}), "noTarget"),
        (_ops({"op": "replace", "path": "nosuch", "value": 1}), "invalidPath"),
        (_ops({"op": "replace", "path": "name.nosuch", "value": 1}), "invalidPath"),
        (_ops({"op": "replace", "path": "urn:example:x:1.0:User:a", "value": 1}), "invalidPath"),
        (_ops({"op": "replace", "path": "emails[type eq", "value": 1}), None),
        (_ops({"op": "replace", "path": 'title[value eq "x"]', "value": 1}), "invalidPath"),
        (_ops({"op": "replace", "path": "id", "value": "9"}), "mutability"),
        (_ops({"op": "replace", "path": 7, "value": "x"}), None),
        (_ops({"op": "replace", "value": {"id": "99999"}}), "mutability"),
        (_ops({"op": "replace", "value": ["not", "an", "object"]}), "invalidValue"),
        (_ops(*[{"op": "replace", "path": "title", "value": "x"}] * 101), "invalidValue"),
    ],
)
def test_a_bad_patch_is_400_and_changes_nothing(scim, body, scim_type):
    pk = scim.post("/Users", person("ana@example.com", title="Analyst")).json()["id"]
    _error(scim.call("patch", f"/Users/{pk}", body), 400, scim_type)
    assert User.objects.get(pk=pk).job_title == "Analyst"


@pytest.mark.parametrize(
    "flt",
    ['userName eq', 'userName zz "a"', '(userName eq "a"', 'userName eq unquoted', "((((((((", ")",
     '"a" eq userName', 'emails[type eq "work"', 'userName eq "a" and', "not",
     "(" * 60 + "userName pr" + ")" * 60, 'userName eq "' + "a" * 3000 + '"', "userName.x.y eq 1"],
)
def test_a_bad_filter_is_400_invalid_filter(scim, flt):
    _error(scim.get("/Users", data={"filter": flt}), 400, "invalidFilter")
    _error(scim.post("/Users/.search", {"schemas": [SEARCH], "filter": flt}), 400, "invalidFilter")


@pytest.mark.parametrize(
    ("query", "start", "per_page"),
    [
        ({"startIndex": "0"}, 1, 3),
        ({"startIndex": "-5"}, 1, 3),
        ({"startIndex": "-99999999999999999999999"}, 1, 3),
        ({"startIndex": "99999999999999999999999"}, 99999999999999999999999, 0),
        ({"startIndex": str(2**63)}, 2**63, 0),
        ({"count": "99999999999999999999999"}, 1, 3),
        ({"count": "-1"}, 1, 0),
        ({"count": "0"}, 1, 0),
    ],
)
def test_out_of_range_paging_is_clamped_as_rfc_7644_says(scim, query, start, per_page):
    # §3.4.2.4: startIndex below 1 is read as 1, a negative count as 0; a server may cap count.
    for i in range(3):
        scim.post("/Users", person(f"p{i}@example.com"))
    for params in (query, {**query, "filter": 'userName sw "p"'}):
        response = scim.get("/Users", data=params)
        assert response.status_code == 200, response.content
        page = response.json()
        assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, start, per_page)
        assert len(page["Resources"]) == per_page


@pytest.mark.parametrize("query", [{"count": "ten"}, {"startIndex": "1.5"}, {"count": "1e3"}])
def test_paging_that_is_not_a_number_is_400(scim, query):
    _error(scim.get("/Users", data=query), 400, "invalidValue")


@pytest.mark.parametrize(
    "body",
    [
        {"filter": 'userName eq "a"'},
        {"schemas": [SEARCH], "filter": 7},
        {"schemas": [SEARCH], "count": [1]},
        {"schemas": [SEARCH], "attributes": 12},
        {"schemas": [SEARCH], "sortBy": "userName"},
    ],
)
def test_a_bad_search_body_is_400(scim, body):
    _error(scim.post("/Users/.search", body), 400)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/Users/99999999999999999999999", 404),
        ("get", "/Users/not-a-number", 404),
        ("patch", "/Users/0", 404),
        ("delete", "/Users/-1", 404),
        ("get", "/Groups", 404),
        ("post", "/Groups", 404),
        ("patch", "/Groups/1", 404),
        ("get", "/Schemas/urn:example:nothing", 404),
        ("get", "/ResourceTypes/Group", 404),
        ("delete", "/Users", 405),
        ("put", "/ServiceProviderConfig", 405),
        ("get", "/Users/.search", 405),
        ("get", "/Bulk", 404),
    ],
)
def test_unknown_resources_and_methods_answer_in_scim(scim, method, path, status):
    body = {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": 'members[value eq "1"]'}]}
    with_body = method in ("post", "put", "patch")
    response = scim.call(method, path, body) if with_body else scim.call(method, path)
    _error(response, status)


def test_a_put_that_changes_the_id_is_400_mutability(scim):
    pk = scim.post("/Users", person("ana@example.com")).json()["id"]
    _error(scim.put(f"/Users/{pk}", {**person("ana@example.com"), "id": "12345"}), 400, "mutability")


def test_a_put_to_someone_elses_user_name_is_409_and_changes_nothing(scim):
    scim.post("/Users", person("ana@example.com"))
    pk = scim.post("/Users", person("bo@example.com", title="Analyst")).json()["id"]
    _error(scim.put(f"/Users/{pk}", person("ana@example.com", title="Lead")), 409, "uniqueness")
    assert User.objects.get(pk=pk).job_title == "Analyst"


FILTER_WORDS = ['userName', "emails", "emails[type eq \"work\"]", "active", "meta.created", "eq", "co", "pr",
                "and", "or", "not", "(", ")", "[", "]", '"a"', "true", "null", "1", "urn:x:y", ".", " "]
params = st.fixed_dictionaries({}, optional={
    "filter": st.text(max_size=40) | st.lists(st.sampled_from(FILTER_WORDS), max_size=8).map(" ".join),
    "startIndex": st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(max_size=5)),
    "count": st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(max_size=5)),
    "attributes": st.text(max_size=30),
    "excludedAttributes": st.text(max_size=30),
})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=params)
def test_any_list_query_answers_200_or_a_scim_400(scim, query):
    if not User.objects.exists():
        scim.post("/Users", person("prop@example.com"))
    query = {k: v.replace("\x00", "") for k, v in query.items()}  # a NUL cannot travel in a URL
    response = scim.get("/Users", data=query)
    assert response.status_code in (200, 400), response.content
    assert response["Content-Type"] == SCIM
    if response.status_code == 400:
        assert response.json()["schemas"] == [ERROR]
