from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _


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
