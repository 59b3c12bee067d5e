"""HR's form for the organisation's SAML identity provider."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import saml

# Form field → allauth attribute-mapping key.
MAPPING_FIELDS = {
    "email_attribute": "email",
    "first_name_attribute": "first_name",
    "last_name_attribute": "last_name",
    "uid_attribute": "uid",
}


class SAMLConnectionForm(forms.Form):
    name = forms.CharField(label=_("Button label"), max_length=40, initial=_("Company single sign-on"),
                           help_text=_("Shown on the sign-in page."))
    metadata_url = forms.URLField(
        label=_("Identity provider metadata URL"), required=False, assume_scheme="https",
        help_text=_("Preferred: Flipside re-reads it every few hours, so certificate rollovers just work."),
    )
    metadata_xml = forms.CharField(
        label=_("…or paste the metadata XML"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    entity_id = forms.CharField(
        label=_("Identity provider entity ID"), required=False, max_length=500,
        help_text=_("Needed when you enter the details by hand, or to pick one IdP out of a federation."),
    )
    sso_url = forms.URLField(label=_("Single sign-on URL (by hand)"), required=False, assume_scheme="https")
    x509cert = forms.CharField(
        label=_("Signing certificate (by hand, PEM)"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    email_attribute = forms.CharField(label=_("E-mail attribute"), required=False, max_length=300)
    first_name_attribute = forms.CharField(label=_("First name attribute"), required=False, max_length=300)
    last_name_attribute = forms.CharField(label=_("Last name attribute"), required=False, max_length=300)
    uid_attribute = forms.CharField(
        label=_("Directory id attribute"), required=False, max_length=300,
        help_text=_("Matched against the SCIM externalId; blank uses the NameID."),
    )

    def clean(self) -> dict:
        data = super().clean()
        url, xml = data.get("metadata_url"), (data.get("metadata_xml") or "").strip()
        entity_id = (data.get("entity_id") or "").strip()
        manual = data.get("sso_url") or (data.get("x509cert") or "").strip()
        if sum(bool(x) for x in (url, xml, manual)) != 1:
            raise forms.ValidationError(
                _("Give exactly one of: the metadata URL, the metadata XML, or the entity ID, "
                  "single sign-on URL and certificate by hand.")
            )
        try:
            if url:
                found = saml.fetch_idp_metadata_url(url, entity_id=entity_id or None)
                data["idp"] = {"metadata_url": url, "entity_id": found["entity_id"]}
            elif xml:
                found = saml.parse_idp_metadata_xml(xml, entity_id=entity_id or None)
                data["idp"] = {"metadata_xml": xml, **found}
            else:
                if not (entity_id and data.get("sso_url")):
                    raise saml.SAMLConfigError(
                        _("By hand, the entity ID, the single sign-on URL and the certificate "
                          "are all needed.")
                    )
                data["idp"] = {"entity_id": entity_id, "sso_url": data["sso_url"],
                               "x509cert": saml.validate_certificate(data.get("x509cert") or "")}
        except saml.SAMLConfigError as exc:
            raise forms.ValidationError(str(exc)) from exc
        data["attribute_mapping"] = attribute_mapping_from(data)
        return data


def attribute_mapping_from(data: dict) -> dict[str, list[str]]:
    """HR's attribute names first, then the usual names of the common identity providers."""
    mapping = {k: list(v) for k, v in saml.DEFAULT_ATTRIBUTE_MAPPING.items()}
    for field, key in MAPPING_FIELDS.items():
        name = (data.get(field) or "").strip()
        if name:
            mapping[key] = [name, *[n for n in mapping.get(key, []) if n != name]]
    return mapping


def initial_from_settings(conf: dict) -> dict:
    """The form's initial values from a stored connection."""
    idp = conf.get("idp") or {}
    initial = {k: idp.get(k, "") for k in ("metadata_url", "metadata_xml", "entity_id")}
    if not idp.get("metadata_url") and not idp.get("metadata_xml"):
        initial.update(sso_url=idp.get("sso_url", ""), x509cert=idp.get("x509cert", ""))
    mapping = conf.get("attribute_mapping") or {}
    for field, key in MAPPING_FIELDS.items():
        names = mapping.get(key) or []
        if names and names != saml.DEFAULT_ATTRIBUTE_MAPPING.get(key):
            initial[field] = names[0]
    return initial
