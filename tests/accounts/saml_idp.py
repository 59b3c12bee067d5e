"""A test identity provider: a key and self-signed certificate made here, and SAML Responses it signs."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from onelogin.saml2.utils import OneLogin_Saml2_Utils

IDP_ENTITY_ID = "https://idp.example.test/saml/metadata"
IDP_SSO_URL = "https://idp.example.test/saml/sso"
EMAIL_ATTRIBUTE = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"


def _saml_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SigningIdP:
    """Signs like Okta or Entra ID do when told to sign both the response and the assertion."""

    key_pem: str = ""
    cert_pem: str = ""
    cert_base64: str = ""
    entity_id: str = IDP_ENTITY_ID
    sso_url: str = IDP_SSO_URL
    attributes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, *, now: dt.datetime) -> SigningIdP:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        cert_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        return cls(key_pem=key_pem, cert_pem=cert_pem, cert_base64=cert_b64)

    def metadata_xml(self) -> str:
        return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{self.entity_id}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{self.cert_base64}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="{self.sso_url}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""

    def response(
        self,
        *,
        in_response_to: str,
        name_id: str,
        attributes: dict[str, str],
        now: dt.datetime,
        acs_url: str,
        audience: str,
        lifetime: dt.timedelta = dt.timedelta(minutes=5),
        sign_assertion: bool = True,
        sign_response: bool = True,
    ) -> str:
        """The XML of a SAML Response (not yet base64-encoded)."""
        response_id = "_" + uuid.uuid4().hex
        assertion_id = "_" + uuid.uuid4().hex
        issued, until = _saml_time(now), _saml_time(now + lifetime)
        attrs = "".join(
            f'<saml:Attribute Name="{escape(k)}"><saml:AttributeValue>{escape(v)}</saml:AttributeValue>'
            "</saml:Attribute>"
            for k, v in attributes.items()
        )
        assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
ID="{assertion_id}" Version="2.0" IssueInstant="{issued}">
<saml:Issuer>{self.entity_id}</saml:Issuer>
<saml:Subject>
<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{escape(name_id)}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
<saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{acs_url}" InResponseTo="{in_response_to}"/>
</saml:SubjectConfirmation>
</saml:Subject>
<saml:Conditions NotBefore="{issued}" NotOnOrAfter="{until}">
<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
</saml:Conditions>
<saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{assertion_id}">
<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password\
</saml:AuthnContextClassRef></saml:AuthnContext>
</saml:AuthnStatement>
<saml:AttributeStatement>{attrs}</saml:AttributeStatement>
</saml:Assertion>"""
        if sign_assertion:
            assertion = self._sign(assertion)
        response = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" \
xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{response_id}" Version="2.0" IssueInstant="{issued}" \
Destination="{acs_url}" InResponseTo="{in_response_to}">
<saml:Issuer>{self.entity_id}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
{assertion}
</samlp:Response>"""
        if sign_response:
            response = self._sign(response)
        return response

    def _sign(self, xml: str) -> str:
        signed = OneLogin_Saml2_Utils.add_sign(xml, self.key_pem, self.cert_pem)
        text = signed.decode() if isinstance(signed, bytes) else signed
        # add_sign returns a whole document; drop its XML declaration so it can be nested.
        if text.startswith("<?xml"):
            text = text.split("?>", 1)[1].lstrip()
        return text


def encode(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def request_id_from_redirect(location: str) -> str:
    """The ID of the AuthnRequest Flipside sent in an HTTP-Redirect binding URL."""
    query = parse_qs(urlsplit(location).query)
    raw = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
    return raw.split(' ID="', 1)[1].split('"', 1)[0]
