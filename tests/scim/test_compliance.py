"""The outside compliance checker (scim2-tester) run against Flipside's SCIM endpoints over real HTTP.

scim2-client's httpx2 engine talks to pytest-django's live server on loopback, as an identity
provider would: real sockets, real headers, responses parsed by an independent SCIM implementation.
Every check must pass: no tolerated failures.
"""

from __future__ import annotations

import json

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

pytestmark = pytest.mark.django_db(transaction=True)


def test_scim2_tester_reports_no_failure_over_http(live_server, token):
    with httpx2.Client(
        base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {token}"}, timeout=30,
    ) as http:
        results = check_server(SyncSCIMClient(http), raise_exceptions=False)
    counts = {status.name: sum(1 for r in results if r.status == status) for status in Status}
    # One line of figures in the test output (-s) so a run can be quoted.
    print(json.dumps({"scim2_tester_checks": len(results), **counts}))
    passed = (Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE)
    failures = [f"{r.status.name} {r.title}: {r.reason}" for r in results if r.status not in passed]
    assert len(results) > 20
    # The PATCH checks ran (they remove displayName and active, which once failed here).
    assert any(r.title == "check_remove_attribute" for r in results)
    assert not failures, "\n".join(failures)
