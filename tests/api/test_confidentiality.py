"""No API answer ever carries a private reflection; shared summaries reach only the pair."""

from __future__ import annotations

import pytest

from tests.api.conftest import MARKER
from tests.api.test_authorization_matrix import ROUTES


@pytest.mark.parametrize("persona", ["mentee", "mentor", "hr", "lead"])
def test_no_endpoint_sends_a_private_reflection(persona, world, api_call):
    bodies = []
    for (method, _path), (build, _expected) in ROUTES.items():
        if method == "GET":
            bodies.append(api_call(persona, "GET", build(world)).content.decode())
    bodies.append(api_call(persona, "GET", "/api/schema/").content.decode())
    assert bodies and not [b for b in bodies if MARKER in b]


def test_the_pair_reads_its_shared_summary_and_nobody_else_does(world, api_call):
    rows = api_call("mentee", "GET", "/api/v1/meetings/").json()["items"]
    assert [r["shared_summary"] for r in rows] == ["We covered cloud basics."]
    for persona in ("hr", "lead", "outsider"):
        assert "cloud basics" not in api_call(persona, "GET", "/api/v1/meetings/").content.decode()
