"""SAML 2.0 sign-in on django-allauth's SAML provider, with Flipside's hardening.

allauth's provider (on python3-saml) checks signatures, audience, destination/recipient and the
NotBefore/NotOnOrAfter window in strict mode, but only when its settings ask for it, and it never
remembers which responses it has accepted. ``FlipsideSAMLProvider`` (wired in through
``SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]``) therefore forces the security settings on
every connection, whether it comes from the environment or from HR's settings page, and refuses
a response or assertion ID it has seen before until that assertion would have expired anyway.
"""

from __future__ import annotations

import base64
import binascii
import time

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from cryptography import x509
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from lxml.etree import XMLSyntaxError
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

PROVIDER_ID = "saml"

# Common attribute names of the four IdP families the README covers; the first one present wins.
DEFAULT_ATTRIBUTE_MAPPING: dict[str, list[str]] = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "externalId",
    ],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "Email",
        "mail",
    ],
    "first_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "urn:oid:2.5.4.42",
        "firstName",
        "givenName",
    ],
    "last_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "urn:oid:2.5.4.4",
        "lastName",
        "sn",
    ],
}

# Not negotiable per connection: an HR admin or an environment cannot switch these off.
ENFORCED_ADVANCED = {
    "strict": True,  # audience, destination, recipient, time window, InResponseTo
    "want_assertion_signed": True,
    "want_message_signed": True,
    "reject_deprecated_algorithm": True,  # no SHA-1 signatures
    "reject_idp_initiated_sso": True,  # every response must answer a request this browser started
    "want_attribute_statement": False,  # some IdPs send the e-mail address only as the NameID
}

# python3-saml tolerates this much clock difference on NotBefore/NotOnOrAfter.
CLOCK_DRIFT_SECONDS = int(OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT)
# An assertion without NotOnOrAfter is remembered this long.
REPLAY_MEMORY_SECONDS = 24 * 3600


class SAMLConfigError(ValueError):
    """The identity provider's configuration cannot be used; the message says why, for HR."""


def effective_settings(raw: dict) -> dict:
    """One connection's settings with Flipside's defaults filled in and its security rules forced."""
    conf = dict(raw or {})
    conf["advanced"] = {**conf.get("advanced", {}), **ENFORCED_ADVANCED}
    conf.setdefault("attribute_mapping", DEFAULT_ATTRIBUTE_MAPPING)
    # The identity provider is the company's directory and signs what it asserts: its e-mail
    # addresses count as verified, so a signed-in person is matched to their imported account.
    conf.setdefault("verified_email", True)
    conf.setdefault("email_authentication", True)
    idp = dict(conf.get("idp") or {})
    if idp.get("metadata_xml") and not (idp.get("x509cert") and idp.get("sso_url")):
        idp.update(parse_idp_metadata_xml(idp["metadata_xml"], entity_id=idp.get("entity_id") or None))
    conf["idp"] = idp
    return conf


def validate_certificate(text: str) -> str:
    """The certificate as python3-saml wants it (base64 DER, no PEM armour), or SAMLConfigError."""
    body = "".join(
        line for line in (text or "").strip().splitlines() if "-----" not in line
    ).replace(" ", "")
    if not body:
        raise SAMLConfigError(_("The identity provider's signing certificate is missing."))
    try:
        x509.load_der_x509_certificate(base64.b64decode(body, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise SAMLConfigError(
            _("The signing certificate is not a valid X.509 certificate (PEM or base64).")
        ) from exc
    return body


def parse_idp_metadata_xml(xml: str, *, entity_id: str | None = None) -> dict:
    """entity_id, sso_url and x509cert from an IdP's metadata document, or SAMLConfigError."""
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml.strip(), entity_id=entity_id)
    except XMLSyntaxError as exc:
        raise SAMLConfigError(_("The metadata is not well-formed XML: %(error)s") % {"error": exc}) from exc
    except Exception as exc:  # python3-saml raises bare Exception for e.g. DTDs and entities
        raise SAMLConfigError(_("The metadata could not be read: %(error)s") % {"error": exc}) from exc
    return _idp_from_parsed(parsed)


def fetch_idp_metadata_url(url: str, *, entity_id: str | None = None, timeout: int = 10) -> dict:
    """Download and parse an IdP's metadata URL once, so HR learns at once when it does not work."""
    if not url.lower().startswith(("https://", "http://")):
        raise SAMLConfigError(_("The metadata URL must start with https://."))
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse_remote(url, entity_id=entity_id, timeout=timeout)
    except XMLSyntaxError as exc:
        raise SAMLConfigError(
            _("The metadata URL did not return well-formed XML: %(error)s") % {"error": exc}
        ) from exc
    except Exception as exc:  # URLError, timeouts, HTTP errors: all "could not fetch"
        raise SAMLConfigError(
            _("The metadata URL could not be fetched: %(error)s") % {"error": exc}
        ) from exc
    return _idp_from_parsed(parsed)


def _idp_from_parsed(parsed: dict) -> dict:
    idp = parsed.get("idp") or {}
    cert = idp.get("x509cert") or next(iter((idp.get("x509certMulti") or {}).get("signing", [])), "")
    if not idp.get("entityId"):
        raise SAMLConfigError(_("The metadata has no identity provider (IDPSSODescriptor) in it."))
    sso_url = (idp.get("singleSignOnService") or {}).get("url")
    if not sso_url:
        raise SAMLConfigError(_("The metadata names no single sign-on URL with the HTTP-Redirect binding."))
    return {"entity_id": idp["entityId"], "sso_url": sso_url, "x509cert": validate_certificate(cert)}


def explain_error(reason: str) -> str:
    """A sentence a person can act on, for python3-saml's (English, technical) error reason."""
    text = (reason or "").lower()
    if "already used" in text:
        return _("This sign-in response was already used. Start the sign-in again from Flipside.")
    if "no signature" in text or "not signed" in text or "signed" in text and "required" in text:
        return _("The identity provider's response was not signed, so Flipside cannot trust it.")
    if "signature" in text or "reference validation" in text or "digest" in text:
        return _("The response's signature does not match: it was changed after signing, "
                 "or signed with a key Flipside does not know.")
    if "expired" in text or "timestamp" in text or "notonorafter" in text or "notbefore" in text:
        return _("The sign-in response has expired or is not valid yet. "
                 "Start again; if it keeps happening, a server clock is wrong.")
    if "audience" in text:
        return _("The response was issued for another application (its audience is not Flipside).")
    if "destination" in text or "recipient" in text or "received at" in text:
        return _("The response was addressed to another sign-in address than Flipside's.")
    if "inresponseto" in text or "idp initiated" in text or "state" in text:
        return _("Flipside did not start this sign-in. Start it again from Flipside's sign-in page.")
    return _("The identity provider's response could not be verified.")


class FlipsideSAMLProvider(SAMLProvider):
    """allauth's SAML provider with the security settings forced and replayed responses refused."""

    # allauth finds a provider's URLs (acs/, metadata/, login/…) in "<package>.urls": keep allauth's.
    package = "allauth.socialaccount.providers.saml"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A copy: an app built from settings is rebuilt per request, a database app is never saved here.
        self.app.settings = effective_settings(self.app.settings)

    def sociallogin_from_response(self, request, response):
        # ``response`` is python3-saml's Auth object after a successful, strict process_response.
        self._refuse_replay(request, response)
        return super().sociallogin_from_response(request, response)

    def unstash_redirect_state(self, request, state_id):
        # allauth answers a response to a request this browser never made with a bare 403; say why.
        try:
            return super().unstash_redirect_state(request, state_id)
        except PermissionDenied:
            raise ImmediateHttpResponse(self._error_page(
                request, "unsolicited",
                f"InResponseTo {state_id} matches no sign-in this browser started (state missing)",
            )) from None

    def _error_page(self, request, code: str, reason: str):
        return render_authentication_error(
            request, self, extra_context={"saml_errors": [code], "saml_last_error_reason": reason},
        )

    def _refuse_replay(self, request, auth) -> None:
        not_on_or_after = auth.get_last_assertion_not_on_or_after()
        if not_on_or_after:
            ttl = int(not_on_or_after - time.time()) + CLOCK_DRIFT_SECONDS
        else:
            ttl = REPLAY_MEMORY_SECONDS
        ttl = max(ttl, 60)
        seen = (("response", auth.get_last_message_id()), ("assertion", auth.get_last_assertion_id()))
        for kind, value in seen:
            if not value:
                continue
            # cache.add is atomic on Redis: of two simultaneous posts of one response only one wins.
            if not cache.add(f"saml-seen:{self.app.client_id}:{kind}:{value}", 1, timeout=ttl):
                reason = f"The {kind} ID {value} was already used (replayed response)"
                raise ImmediateHttpResponse(self._error_page(request, "replayed", reason))


