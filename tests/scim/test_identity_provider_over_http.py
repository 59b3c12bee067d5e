"""The SCIM API driven over real HTTP the way Okta or Entra ID do it (pytest-django's live server)."""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request

import pytest

from accounts.models import User
from pairing.matching_input import pool_load
from pairing.models import Pair
from tests.factories import ActivePairFactory
from tests.scim.conftest import ENTERPRISE, FLIPSIDE, PATCH_OP, person

pytestmark = pytest.mark.django_db(transaction=True)


class Idp:
    def __init__(self, base: str, secret: str) -> None:
        self.base, self.secret = f"{base}/scim/v2", secret

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.secret}", "Content-Type": "application/scim+json"}
        request = urllib.request.Request(  # noqa: S310 - http to the live server only
            f"{self.base}{path}", data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the live server
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def test_fifty_people_with_managers_in_any_order_then_a_move_and_a_leaver(live_server, token):
    idp = Idp(live_server.url, token)
    # A tree: person i reports to person (i - 1) // 3; sent shuffled, so many managers come later.
    order = list(range(50))
    random.Random(14).shuffle(order)
    for i in order:
        manager = {"manager": {"value": f"emp-{(i - 1) // 3}"}} if i else {}
        body = person(f"p{i}@corp.example", externalId=f"emp-{i}",
                      **{ENTERPRISE: {"department": f"D{i % 4}", **manager},
                         FLIPSIDE: {"level": 2 + i % 10}})
        status, created = idp.call("POST", "/Users", body)
        assert status == 201, created
    status, listing = idp.call("GET", "/Users?count=100")
    assert listing["totalResults"] == 50
    people = {u.email: u for u in User.objects.select_related("manager")}
    for i in range(1, 50):
        assert people[f"p{i}@corp.example"].manager.email == f"p{(i - 1) // 3}@corp.example"

    # A mover: new department, level and manager, by PATCH as Entra sends it.
    status, found = idp.call("GET", '/Users?filter=externalId%20eq%20%22emp-7%22')
    mover_id = found["Resources"][0]["id"]
    status, _ = idp.call("PATCH", f"/Users/{mover_id}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Research"},
        {"op": "Replace", "path": f"{ENTERPRISE}:manager", "value": people["p1@corp.example"].pk},
        {"op": "Replace", "path": f"{FLIPSIDE}:level", "value": 12},
    ]})
    assert status == 200
    mover = User.objects.get(pk=mover_id)
    assert (mover.department, mover.level, mover.manager.email) == ("Research", 12, "p1@corp.example")

    # A leaver in an active pair.
    pair = ActivePairFactory(mentor__user=people["p20@corp.example"])
    leaver_id = str(pair.mentor.user_id)
    status, _ = idp.call("PATCH", f"/Users/{leaver_id}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"active": False}}]})
    assert status == 200
    assert Pair.objects.get(pk=pair.pk).status == Pair.Status.ENDED_EARLY
    assert User.objects.get(pk=leaver_id).is_active is False

    # Matching reads the new facts: the leaver is out of the pool, the mover's level is the new one.
    pool = pool_load(pair.program)
    assert int(leaver_id) not in {e.user_id for e in pool.mentors}
    assert pair.mentee_id in {e.pk for e in pool.mentees}  # the partner can be matched again
    if pool.managers:
        assert pool.managers.get(mover.pk) == people["p1@corp.example"].pk
