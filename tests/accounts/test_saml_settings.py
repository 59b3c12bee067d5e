"""HR's single sign-on (SAML) settings page."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.socialaccount.models import SocialApp

from accounts.models import AuditEvent
from tests.accounts.saml_idp import SigningIdP

URL = "/sso/saml/"


@pytest.fixture
def idp() -> SigningIdP:
    return SigningIdP.create(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def form_data(**overrides) -> dict:
    return {"name": "Company SSO", "metadata_url": "", "metadata_xml": "", "entity_id": "",
            "sso_url": "", "x509cert": ""} | overrides


def test_hr_saves_the_identity_provider_from_pasted_metadata(client, hr_admin, idp):
    client.force_login(hr_admin)

    response = client.post(URL, form_data(metadata_xml=idp.metadata_xml(), email_attribute="user.email"))

    assert response.status_code == 302
    app = SocialApp.objects.get(provider="saml")
    assert app.client_id == "company"
    assert app.settings["idp"]["entity_id"] == idp.entity_id
    assert app.settings["idp"]["sso_url"] == idp.sso_url
    assert app.settings["idp"]["x509cert"] == idp.cert_base64
    assert app.settings["attribute_mapping"]["email"][0] == "user.email"
    assert list(app.sites.values_list("id", flat=True)) == [1]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CONFIG_CHANGED, actor=hr_admin).exists()


def test_the_page_shows_flipsides_service_provider_urls(client, hr_admin):
    client.force_login(hr_admin)

    body = client.get(URL).content.decode()

    assert "http://testserver/accounts/saml/company/metadata/" in body
    assert "http://testserver/accounts/saml/company/acs/" in body


def test_broken_metadata_xml_is_refused_with_a_message_and_nothing_saved(client, hr_admin):
    client.force_login(hr_admin)

    response = client.post(URL, form_data(metadata_xml="<md:EntityDescriptor><oops"))

    assert response.status_code == 200
    assert "not well-formed XML" in response.content.decode()
    assert not SocialApp.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CONFIG_CHANGED).exists()


def test_a_bad_certificate_is_refused_and_the_old_connection_is_kept(client, hr_admin, idp):
    client.force_login(hr_admin)
    client.post(URL, form_data(metadata_xml=idp.metadata_xml()))

    not_a_cert = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----"
    response = client.post(URL, form_data(entity_id="https://new-idp.example.com",
                                          sso_url="https://new-idp.example.com/sso", x509cert=not_a_cert))

    assert "not a valid X.509 certificate" in response.content.decode()
    assert SocialApp.objects.get().settings["idp"]["entity_id"] == idp.entity_id


def test_an_unreachable_metadata_url_is_refused(client, hr_admin):
    client.force_login(hr_admin)

    # Port 9 (discard) on loopback: nothing listens, the fetch fails at once.
    response = client.post(URL, form_data(metadata_url="http://127.0.0.1:9/metadata"))

    assert "could not be fetched" in response.content.decode()
    assert not SocialApp.objects.exists()


def test_two_sources_at_once_are_refused(client, hr_admin, idp):
    client.force_login(hr_admin)

    response = client.post(URL, form_data(metadata_xml=idp.metadata_xml(),
                                          metadata_url="https://idp.example.test/metadata"))

    assert "Give exactly one of" in response.content.decode()
    assert not SocialApp.objects.exists()


def test_people_who_are_not_hr_get_a_404(client, outsider, idp):
    client.force_login(outsider)

    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data(metadata_xml=idp.metadata_xml())).status_code == 404
    assert not SocialApp.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_other_methods_are_not_allowed(client, hr_admin):
    client.force_login(hr_admin)

    assert client.put(URL).status_code == 405
