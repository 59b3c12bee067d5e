"""SAML 2.0 sign-in against a test identity provider whose key and certificate are made here."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.socialaccount.models import SocialAccount, SocialApp

from accounts import services
from accounts.models import AuditEvent
from accounts.sso_forms import attribute_mapping_from
from tests.accounts.saml_idp import EMAIL_ATTRIBUTE, SigningIdP, encode, request_id_from_redirect
from tests.factories import UserFactory

NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)  # a Monday morning
SLUG = "company"
ACS_URL = f"http://flipside.example.com/accounts/saml/{SLUG}/acs/"
SP_ENTITY_ID = f"http://flipside.example.com/accounts/saml/{SLUG}/metadata/"


HOST = "flipside.example.com"  # python3-saml refuses single-label hosts such as "testserver"


@pytest.fixture
def client(settings):
    """Browsers always send Host; allauth's SAML views read it, Django's test client sends none."""
    from django.test import Client

    settings.ALLOWED_HOSTS = [HOST]
    return Client(HTTP_HOST=HOST)


@pytest.fixture
def client_factory(settings):
    from django.test import Client

    settings.ALLOWED_HOSTS = [HOST]
    return lambda: Client(HTTP_HOST=HOST)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def idp(clock) -> SigningIdP:
    return SigningIdP.create(now=NOW)


@pytest.fixture
def connection(db, idp, hr_admin):
    return services.saml_connection_save(
        actor=hr_admin, name="Company SSO",
        idp={"entity_id": idp.entity_id, "sso_url": idp.sso_url, "x509cert": idp.cert_base64},
        attribute_mapping=attribute_mapping_from({}),
    )


@pytest.fixture
def employee(db):
    return UserFactory(email="ada.lovelace@example.com", full_name="Ada Lovelace")


def start_sign_in(client) -> str:
    """Press Flipside's SSO button; return the ID of the AuthnRequest sent to the IdP."""
    response = client.post(f"/accounts/saml/{SLUG}/login/")
    assert response.status_code == 302, response.content[:300]
    assert response["Location"].startswith("https://idp.example.test/saml/sso?SAMLRequest=")
    return request_id_from_redirect(response["Location"])


def post_to_acs(client, xml: str):
    return client.post(f"/accounts/saml/{SLUG}/acs/", {"SAMLResponse": encode(xml)}, follow=True)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def good_response(idp, request_id, **overrides) -> str:
    kwargs = {
        "in_response_to": request_id, "name_id": "ada.lovelace@example.com",
        "attributes": {EMAIL_ATTRIBUTE: "ada.lovelace@example.com"},
        "now": NOW, "acs_url": ACS_URL, "audience": SP_ENTITY_ID,
    } | overrides
    return idp.response(**kwargs)


def assert_refused(response, client, sentence: str) -> None:
    assert response.status_code == 401
    body = response.content.decode()
    assert "Sign-in failed" in body
    assert sentence in body
    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


def test_a_signed_response_signs_in_the_employee_with_that_email(client, connection, idp, employee):
    request_id = start_sign_in(client)

    response = post_to_acs(client, good_response(idp, request_id))

    assert response.redirect_chain[-1][0] == "/"
    assert signed_in_user_id(client) == str(employee.pk)
    account = SocialAccount.objects.get()
    assert (account.user, account.provider, account.uid) == (employee, "saml", "ada.lovelace@example.com")


def test_the_directory_id_matches_an_employee_whose_address_changed(client, connection, idp, employee):
    employee.external_id = "00u1ada"
    employee.save(update_fields=["external_id"])
    request_id = start_sign_in(client)

    post_to_acs(client, good_response(idp, request_id, name_id="00u1ada",
                                      attributes={EMAIL_ATTRIBUTE: "ada@new-name.example.com"}))

    assert signed_in_user_id(client) == str(employee.pk)
    assert SocialAccount.objects.get().user == employee


def test_an_unsigned_response_is_refused(client, connection, idp, employee):
    request_id = start_sign_in(client)

    response = post_to_acs(client, good_response(idp, request_id, sign_assertion=False, sign_response=False))

    assert_refused(response, client, "was not signed")


def test_a_response_signed_but_with_an_unsigned_assertion_is_refused(client, connection, idp, employee):
    request_id = start_sign_in(client)

    response = post_to_acs(client, good_response(idp, request_id, sign_assertion=False))

    assert_refused(response, client, "was not signed")


def test_a_response_changed_after_signing_is_refused(client, connection, idp, employee):
    UserFactory(email="ceo@example.com")
    request_id = start_sign_in(client)
    xml = good_response(idp, request_id)
    tampered = xml.replace(">ada.lovelace@example.com<", ">ceo@example.com<")
    assert tampered != xml

    response = post_to_acs(client, tampered)

    assert_refused(response, client, "signature does not match")


def test_a_response_signed_by_another_key_is_refused(client, connection, idp, employee):
    request_id = start_sign_in(client)
    impostor = SigningIdP.create(now=NOW)

    response = post_to_acs(client, good_response(impostor, request_id))

    assert_refused(response, client, "signature does not match")


def test_an_expired_response_is_refused(client, connection, idp, employee, clock):
    request_id = start_sign_in(client)
    xml = good_response(idp, request_id)  # valid 5 minutes from NOW
    clock.shift(dt.timedelta(minutes=30))  # beyond python3-saml's 5-minute clock drift too

    response = post_to_acs(client, xml)

    assert_refused(response, client, "has expired or is not valid yet")


def test_a_response_for_another_audience_is_refused(client, connection, idp, employee):
    request_id = start_sign_in(client)

    response = post_to_acs(client, good_response(idp, request_id, audience="https://other-app.example.com/sp"))

    assert_refused(response, client, "issued for another application")


def test_a_response_addressed_to_another_acs_is_refused(client, connection, idp, employee):
    request_id = start_sign_in(client)

    response = post_to_acs(
        client, good_response(idp, request_id, acs_url="https://other-app.example.com/saml/acs")
    )

    assert_refused(response, client, "addressed to another sign-in address")


def test_a_replayed_response_is_refused(client, client_factory, connection, idp, employee):
    request_id = start_sign_in(client)
    xml = good_response(idp, request_id)
    post_to_acs(client, xml)
    assert signed_in_user_id(client) == str(employee.pk)

    # Someone who captured the POST (a shared computer, a proxy log) sends it again.
    attacker = client_factory()
    response = post_to_acs(attacker, xml)

    assert response.status_code == 401
    assert "already used" in response.content.decode()
    assert signed_in_user_id(attacker) is None
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGN_IN_FAILED,
                                     summary__contains="replayed").count() == 1


def test_a_response_flipside_did_not_ask_for_is_refused(client, connection, idp, employee):
    response = post_to_acs(client, good_response(idp, "_never-sent-by-flipside"))

    assert_refused(response, client, "Flipside did not start this sign-in")


def test_every_refusal_is_in_the_audit_log(client, connection, idp, employee):
    request_id = start_sign_in(client)

    post_to_acs(client, good_response(idp, request_id, sign_assertion=False, sign_response=False))

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SIGN_IN_FAILED)
    assert event.summary.startswith("SAML sign-in refused")


def test_the_service_provider_metadata_requires_signed_assertions(client, connection):
    response = client.get(f"/accounts/saml/{SLUG}/metadata/")

    body = response.content.decode()
    assert response.status_code == 200
    assert f'entityID="{SP_ENTITY_ID}"' in body
    assert f'Location="{ACS_URL}"' in body
    assert 'WantAssertionsSigned="true"' in body


def test_a_stored_connection_cannot_switch_signature_checks_off(client, connection, idp, employee):
    app = SocialApp.objects.get(provider="saml")
    app.settings = {**app.settings, "advanced": {"want_assertion_signed": False, "want_message_signed": False,
                                                 "strict": False}}
    app.save(update_fields=["settings"])
    request_id = start_sign_in(client)

    response = post_to_acs(client, good_response(idp, request_id, sign_assertion=False, sign_response=False))

    assert_refused(response, client, "was not signed")
