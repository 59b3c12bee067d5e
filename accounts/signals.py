"""Security events from Django and allauth signals into the audit log."""

from __future__ import annotations

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.audit import audit_record
from accounts.models import AuditEvent


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(kind=AuditEvent.Kind.SIGN_IN, summary=f"{user.email} signed in", actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit-sign-out")
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(kind=AuditEvent.Kind.SIGN_OUT, summary=f"{user.email} signed out", actor=user,
                     request=request)


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password; keep only the login that was tried.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:150]
    audit_record(kind=AuditEvent.Kind.SIGN_IN_FAILED, summary=f"Failed sign-in for {attempted or 'unknown'}",
                 request=request, data={"login": attempted})


@receiver(password_changed, dispatch_uid="audit-password-changed")
@receiver(password_reset, dispatch_uid="audit-password-reset")
def _password_changed(sender, request, user, **kwargs) -> None:
    audit_record(kind=AuditEvent.Kind.PASSWORD_CHANGED, summary=f"{user.email} changed their password",
                 actor=user, request=request)


@receiver(authenticator_added, dispatch_uid="audit-mfa-added")
@receiver(authenticator_removed, dispatch_uid="audit-mfa-removed")
def _mfa_changed(sender, request, user, authenticator, **kwargs) -> None:
    audit_record(kind=AuditEvent.Kind.MFA_CHANGED,
                 summary=f"{user.email} changed two-factor settings ({authenticator.type})",
                 actor=user, request=request)
