"""Every API route × every persona, against a declared expectation (the pages' matrix, for tokens)."""

from __future__ import annotations

import pytest

from api.urls import api  # the routes are registered where the URLs are built
from tests.api.conftest import PERSONAS, call

ALL_TOKENS = {"hr": 200, "lead": 200, "mentor": 200, "mentee": 200, "outsider": 200, "read_only_hr": 200}
READERS = {"hr": 200, "lead": 200, "mentor": 200, "mentee": 200, "outsider": 404, "read_only_hr": 200}
LEADS = {"hr": 200, "lead": 200, "mentor": 404, "mentee": 404, "outsider": 404, "read_only_hr": 200}
HR_ONLY = {"hr": 200, "lead": 403, "mentor": 403, "mentee": 403, "outsider": 403, "read_only_hr": 200}


def HR_WRITE(ok: int) -> dict:  # noqa: N802 - reads like the constants around it
    # A read-only token is refused before anything else, even the HR admin's own.
    return {"hr": ok, "lead": 403, "mentor": 403, "mentee": 403, "outsider": 403, "read_only_hr": 403}


# (method, schema path): (path builder, who gets which status). Anonymous always gets 401.
ROUTES = {
    ("GET", "/api/v1/programs/"): (lambda w: "/api/v1/programs/", ALL_TOKENS),
    ("GET", "/api/v1/programs/{program_id}/"): (lambda w: f"/api/v1/programs/{w['program'].pk}/", READERS),
    ("GET", "/api/v1/programs/{program_id}/survey-questions/"):
        (lambda w: f"/api/v1/programs/{w['program'].pk}/survey-questions/", READERS),
    ("GET", "/api/v1/programs/{program_id}/dashboard/"):
        (lambda w: f"/api/v1/programs/{w['program'].pk}/dashboard/", LEADS),
    ("GET", "/api/v1/people/"): (lambda w: "/api/v1/people/", HR_ONLY),
    ("GET", "/api/v1/enrolments/"): (lambda w: "/api/v1/enrolments/", ALL_TOKENS),
    ("GET", "/api/v1/pairs/"): (lambda w: "/api/v1/pairs/", ALL_TOKENS),
    ("GET", "/api/v1/meetings/"): (lambda w: "/api/v1/meetings/", ALL_TOKENS),
    ("GET", "/api/v1/match-runs/{run_id}/"): (lambda w: f"/api/v1/match-runs/{w['run'].pk}/", HR_ONLY),
    ("POST", "/api/v1/enrolments/{enrolment_id}/decision/"):
        (lambda w: f"/api/v1/enrolments/{w['applied'].pk}/decision/", HR_WRITE(200)),
    ("POST", "/api/v1/programs/{program_id}/match-runs/"):
        (lambda w: f"/api/v1/programs/{w['program'].pk}/match-runs/", HR_WRITE(202)),
    ("POST", "/api/v1/programs/{program_id}/publish/"):
        (lambda w: f"/api/v1/programs/{w['program'].pk}/publish/", HR_WRITE(200)),
    ("PUT", "/api/v1/programs/{program_id}/enrolments/"):
        (lambda w: f"/api/v1/programs/{w['program'].pk}/enrolments/", HR_WRITE(200)),
}
BODIES = {
    ("POST", "/api/v1/enrolments/{enrolment_id}/decision/"): {"decision": "approved"},
    ("PUT", "/api/v1/programs/{program_id}/enrolments/"):
        {"enrolments": [{"email": "applicant@example.com", "role": "mentee"}]},
}


def schema_routes() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def test_every_api_route_has_a_declared_expectation():
    assert schema_routes() == set(ROUTES)


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_persona_gets_what_the_table_says(route, world):
    build, expected = ROUTES[route]
    method, _path = route
    outcome = {}
    for persona in PERSONAS:
        response = call(world, persona, method, build(world), BODIES.get(route))
        outcome[persona] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", (route, persona)
            assert response.json()["status"] == response.status_code
    assert outcome == {**expected, "anonymous": 401}


def test_lists_hold_only_what_each_persona_may_see(world, api_call):
    def ids(persona, path):
        return {row["id"] for row in api_call(persona, "GET", path).json()["items"]}

    program, other, pair = world["program"], world["other"], world["pair"]
    assert ids("hr", "/api/v1/programs/") == {program.pk, other.pk}
    assert ids("lead", "/api/v1/programs/") == {program.pk}
    assert ids("mentee", "/api/v1/programs/") == {program.pk}
    assert ids("outsider", "/api/v1/programs/") == set()
    assert ids("mentee", "/api/v1/pairs/") == {pair.pk}  # not the unpublished draft, not others
    assert world["draft"].pk in ids("hr", "/api/v1/pairs/")
    assert ids("lead", "/api/v1/pairs/") == set()
    assert ids("mentee", "/api/v1/enrolments/") == {pair.mentee_id}
    assert ids("mentor", "/api/v1/meetings/") == {world["held"].pk}
    # Sessions belong to the pair: HR admins and leads see none of them.
    assert ids("hr", "/api/v1/meetings/") == set()
    assert ids("lead", "/api/v1/meetings/") == set()
