"""Whatever a client sends, the answer is a problem document, never a server error."""

from __future__ import annotations

import pytest

from api.core import encode_cursor


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(body)
    assert body["status"] == status
    return body


def test_no_token_is_401_with_a_challenge(world, api_call):
    body = problem(api_call("anonymous", "GET", "/api/v1/programs/"), 401)
    assert body["instance"] == "/api/v1/programs/"


def test_unknown_url_and_wrong_method_are_problems(world, api_call):
    problem(api_call("hr", "GET", "/api/v1/nothing-here/"), 404)
    response = api_call("hr", "DELETE", "/api/v1/programs/")
    problem(response, 405)
    assert "GET" in response["Allow"]


def test_a_body_that_is_not_json_is_415(world, client):
    token = world["tokens"]["hr"]
    response = client.post(f"/api/v1/enrolments/{world['applied'].pk}/decision/", "decision=approved",
                           content_type="application/x-www-form-urlencoded",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    problem(response, 415)


@pytest.mark.parametrize("body", ["{not json", "[]", '{"decision": 7}', '{"decision": "maybe"}'])
def test_bad_bodies_are_client_errors_with_field_errors(body, world, api_call):
    response = api_call("hr", "POST", f"/api/v1/enrolments/{world['applied'].pk}/decision/", body)
    assert response.status_code in (400, 422)
    problem(response, response.status_code)


@pytest.mark.parametrize("query", [
    {"limit": "10000000000000000000000"}, {"limit": "0"}, {"limit": "x"}, {"cursor": "not-a-cursor"},
    {"cursor": encode_cursor(1)[:-2] + "!!"}, {"updated_since": "yesterday"}, {"updated_since": "2026-13-45"},
])
def test_bad_list_parameters_are_client_errors(query, world, api_call):
    response = api_call("hr", "GET", "/api/v1/people/", query)
    assert response.status_code in (400, 422)
    problem(response, response.status_code)


def test_huge_ids_are_a_422_not_a_database_error(world, api_call):
    problem(api_call("hr", "GET", f"/api/v1/programs/{10**30}/"), 422)
    problem(api_call("hr", "GET", f"/api/v1/programs/{2**31 - 1}/"), 404)


def test_bad_dashboard_filters_name_the_field(world, api_call):
    body = problem(api_call("lead", "GET", f"/api/v1/programs/{world['program'].pk}/dashboard/",
                            {"from": "2026-02-30"}), 422)
    assert [e["field"] for e in body["errors"]] == ["date_from"]
