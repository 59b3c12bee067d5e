from __future__ import annotations

import json

import pytest

from scim.services import scim_token_create

SCIM = "application/scim+json"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
FLIPSIDE = "urn:flipside:params:scim:schemas:extension:flipside:2.0:User"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def token(db):
    _token, secret = scim_token_create(name="Okta test")
    return secret


class ScimClient:
    """The Django test client with the bearer token and SCIM content type on every call."""

    def __init__(self, client, secret: str) -> None:
        self.client, self.headers = client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def call(self, method: str, path: str, body=None, **extra):
        data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
        return getattr(self.client, method)(
            f"/scim/v2{path}", data=data, content_type=SCIM, **self.headers, **extra
        )

    def get(self, path: str, **extra):
        return self.client.get(f"/scim/v2{path}", **self.headers, **extra)

    def post(self, path: str, body, **extra):
        return self.call("post", path, body, **extra)

    def put(self, path: str, body, **extra):
        return self.call("put", path, body, **extra)

    def patch(self, path: str, operations, **extra):
        return self.call("patch", path, {"schemas": [PATCH_OP], "Operations": operations}, **extra)

    def delete(self, path: str, **extra):
        return self.client.delete(f"/scim/v2{path}", **self.headers, **extra)


@pytest.fixture
def scim(client, token):
    return ScimClient(client, token)


def person(user_name: str, **extra) -> dict:
    body = {
        "schemas": [CORE, ENTERPRISE, FLIPSIDE],
        "userName": user_name,
        "name": {"givenName": user_name.split("@")[0].title(), "familyName": "Tester"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
    }
    body.update(extra)
    return body
