from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts import saml
from accounts.audit import audit_record
from accounts.models import AuditEvent, User


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up may be closed, or limited to the organisation's e-mail domains."""

    def is_open_for_signup(self, request) -> bool:
        # In production people come in through SCIM, an import, an invitation or SSO: self sign-up
        # is open only to the company's own domains (SIGNUP_EMAIL_DOMAINS), never to any address.
        if settings.SIGNUP_REQUIRES_DOMAIN and not settings.SIGNUP_EMAIL_DOMAINS:
            return False
        return settings.ACCOUNT_ALLOW_SIGNUP

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email).lower()
        domains = settings.SIGNUP_EMAIL_DOMAINS
        if domains and email.rsplit("@", 1)[-1] not in domains:
            raise forms.ValidationError(
                _("Use your work e-mail address (%(domains)s).") % {"domains": ", ".join(domains)}
            )
        return email


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on finds the employee HR already has, and fills in Flipside's own name field.

    The matching hook for SCIM: a person whose ``User.external_id`` equals the identity provider's
    subject (the mapped ``uid`` attribute, else the NameID) or its ``external_id`` attribute is that
    employee, whatever address the directory now has. Otherwise allauth matches by the (verified)
    e-mail address (``SOCIALACCOUNT_EMAIL_AUTHENTICATION``).
    """

    def pre_social_login(self, request, sociallogin) -> None:
        if sociallogin.is_existing or sociallogin.account.provider != saml.PROVIDER_ID:
            return
        user = find_employee_by_directory_id(saml_directory_ids(sociallogin))
        if user is not None:
            sociallogin.connect(request, user)

    def populate_user(self, request, sociallogin, data):
        # Not super(): allauth would set first_name/last_name, which are read-only properties here.
        user = sociallogin.user
        user_email(user, valid_email_or_none(data.get("email")) or "")
        parts = (data.get("first_name"), data.get("last_name"))
        name = data.get("name") or " ".join(p for p in parts if p)
        user.full_name = (name or "").strip()[:150]
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        if extra_context is not None and "saml_last_error_reason" in extra_context:
            reason = extra_context.get("saml_last_error_reason") or ""
            # The page shows a sentence a person can act on; the audit log keeps the technical reason.
            extra_context["sso_problem"] = saml.explain_error(reason)
            audit_record(kind=AuditEvent.Kind.SIGN_IN_FAILED, request=request,
                         summary=f"SAML sign-in refused: {reason}"[:300],
                         data={"provider": getattr(provider, "id", ""),
                               "errors": extra_context.get("saml_errors")})
        return super().on_authentication_error(request, provider, error=error, exception=exception,
                                               extra_context=extra_context)


def valid_email_or_none(value: str | None) -> str | None:
    try:
        validate_email(value or "")
    except forms.ValidationError:
        return None
    return (value or "").lower()


def saml_directory_ids(sociallogin) -> list[str]:
    """The ids a SAML login carries that SCIM may have stored as ``external_id``."""
    ids = [sociallogin.account.uid]
    extra = sociallogin.account.extra_data or {}
    for name in ("externalId", "external_id", "userName"):
        ids.extend(v for v in extra.get(name, []) if v)
    return [i for i in dict.fromkeys(ids) if i]


def find_employee_by_directory_id(ids: list[str]) -> User | None:
    """The one employee whose directory id (SCIM externalId) is among ``ids``, if any."""
    if not ids:
        return None
    return User.objects.filter(external_id__in=ids).order_by("pk").first()
