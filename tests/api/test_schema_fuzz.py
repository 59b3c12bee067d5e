"""Requests generated from /api/schema/ against the live server: no 5xx, every answer as documented.

Bounded so it runs in well under two minutes on two cores: few examples per operation, no deadline.
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.urls import api  # the routes are registered where the URLs are built

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# The same document /api/schema/ serves (test_the_served_schema_is_the_one_fuzzed checks it).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))


def test_the_served_schema_is_the_one_fuzzed(client):
    served = client.get("/api/schema/").json()
    assert served == json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/")))
    assert served["paths"]  # the routes are in it


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_documented_answers(case, live_server, transactional_db, world):
    # HR's read-write token reaches every operation; the world gives ids that exist.
    token = world["tokens"]["hr"]
    response = case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"},
                                      checks=CHECKS)
    assert response.status_code < 500
