"""Property tests: any PATCH body gives a SCIM answer (never a 500) and never half-applies."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from tests.scim.conftest import ENTERPRISE, PATCH_OP, person

pytestmark = pytest.mark.django_db

ATTRS = ["title", "active", "emails", "emails.value", "name.givenName", "displayName", "id", "meta",
         f"{ENTERPRISE}:department", f"{ENTERPRISE}:manager", "nosuch", "timezone", ""]
paths = st.one_of(
    st.sampled_from(ATTRS),
    st.builds(lambda a, f: f"emails[{f}]{a}", st.sampled_from(["", ".value", ".type", ".x"]),
              st.sampled_from(['type eq "work"', 'value co "@"', "type eq", "]", 'primary eq true', "x"])),
    st.text(max_size=30),
)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["value", "type", "title"]), inner),
    max_leaves=6,
)
operations = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "replace", "remove", "Replace", "move", 3])},
    optional={"path": paths, "value": values},
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operations, min_size=1, max_size=4))
def test_any_patch_answers_in_scim_and_a_refused_one_changes_nothing(scim, ops):
    existing = User.objects.filter(email="prop@example.com").first()
    if existing is None:
        user_id = scim.post("/Users", person("prop@example.com", title="Analyst")).json()["id"]
    else:
        user_id = str(existing.pk)
    before = scim.get(f"/Users/{user_id}").json()
    response = scim.call("patch", f"/Users/{user_id}", {"schemas": [PATCH_OP], "Operations": ops})
    assert response.status_code in (200, 400, 409), response.content
    body = json.loads(response.content)
    if response.status_code != 200:
        assert body["status"] == str(response.status_code)
        assert body["scimType"]
        assert scim.get(f"/Users/{user_id}").json() == before
