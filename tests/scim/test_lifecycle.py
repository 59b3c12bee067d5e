from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from pairing.models import Enrollment, Pair
from scim.models import ScimToken
from tests.factories import ActivePairFactory, EnrollmentFactory, UserFactory
from tests.scim.conftest import ENTERPRISE, person

pytestmark = pytest.mark.django_db


def _adopt(scim, user):
    """The directory takes over a person already in Flipside (same e-mail)."""
    response = scim.post("/Users", person(user.email, **{ENTERPRISE: {"department": user.department},
                                                          "urn:flipside:params:scim:schemas:extension:"
                                                          "flipside:2.0:User": {"level": user.level}}))
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_leaver_ends_the_active_pair_without_fault_and_partner_and_hr_are_told(
    scim, hr_admin, django_capture_on_commit_callbacks
):
    pair = ActivePairFactory()
    mentor, mentee = pair.mentor.user, pair.mentee.user
    other = EnrollmentFactory(user=mentor, status="applied")
    scim_id = _adopt(scim, mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = scim.patch(f"/Users/{scim_id}", [{"op": "replace", "path": "active", "value": "False"}])
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    pair.refresh_from_db()
    assert pair.status == Pair.Status.ENDED_EARLY
    assert User.objects.get(pk=mentor.pk).is_active is False
    assert Enrollment.objects.get(pk=other.pk).status == Enrollment.Status.WITHDRAWN
    assert Enrollment.objects.get(pk=pair.mentee_id).status == Enrollment.Status.APPROVED  # can be rematched
    recipients = {m.to[0] for m in mail.outbox}
    assert {mentee.email, hr_admin.email} <= recipients
    partner_mail = next(m for m in mail.outbox if m.to == [mentee.email])
    assert "left the organisation" in partner_mail.body


def test_a_leaver_cannot_sign_in(client, scim, password):
    user = UserFactory()
    scim_id = _adopt(scim, user)
    scim.delete(f"/Users/{scim_id}")
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.url == reverse("account_inactive")
    assert "_auth_user_id" not in client.session


def test_a_mover_into_the_reporting_line_is_flagged_on_hr_exits_page(client, scim, hr_admin):
    pair = ActivePairFactory()
    mentee_id = _adopt(scim, pair.mentee.user)
    mentor_id = _adopt(scim, pair.mentor.user)
    scim.patch(f"/Users/{mentor_id}", [{"op": "replace", "path": f"{ENTERPRISE}:manager",
                                        "value": {"value": mentee_id}}])
    assert User.objects.get(pk=mentor_id).manager_id == int(mentee_id)
    client.force_login(hr_admin)
    page = client.get(reverse("pairing:hr_exits")).content.decode()
    assert f'data-flagged-pair="{pair.pk}"' in page
    assert Pair.objects.get(pk=pair.pk).status == Pair.Status.ACTIVE  # HR decides, nothing silent


def test_a_manager_sent_before_they_exist_is_linked_when_they_arrive(scim):
    report = scim.post("/Users", person("r@example.com", **{ENTERPRISE: {"manager": {"value": "boss-ext"}}}))
    assert report.status_code == 201
    assert User.objects.get(email="r@example.com").manager is None
    scim.post("/Users", person("boss@example.com", externalId="boss-ext"))
    assert User.objects.get(email="r@example.com").manager.email == "boss@example.com"


def test_scim_token_command_prints_the_token_alone_on_the_last_line(capsys, client):
    call_command("scim_token", "create", "Entra")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert ScimToken.objects.get(name="Entra").token_hash != secret
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_hr_creates_and_revokes_tokens_in_the_browser(client, hr_admin):
    client.force_login(hr_admin)
    page = client.post(reverse("scim:tokens"), {"name": "Okta"})
    token = ScimToken.objects.get(name="Okta")
    assert token.prefix in page.content.decode()
    assert client.get(reverse("scim:token_revoke", args=[token.pk])).status_code == 405
    client.post(reverse("scim:token_revoke", args=[token.pk]))
    assert ScimToken.objects.get(pk=token.pk).revoked_at is not None


def test_people_who_are_not_hr_get_404_on_the_tokens_page(client, outsider):
    token = ScimToken.objects.create(name="x", token_hash="0" * 64, prefix="p")
    client.force_login(outsider)
    assert client.get(reverse("scim:tokens")).status_code == 404
    assert client.post(reverse("scim:token_revoke", args=[token.pk])).status_code == 404
    assert ScimToken.objects.get(pk=token.pk).revoked_at is None
