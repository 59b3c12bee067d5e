"""Every change SCIM makes: tokens, and people provisioned by a directory (all-or-nothing, audited)."""

from __future__ import annotations

import hashlib
import secrets

from allauth.usersessions.models import UserSession
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_supported_language_variant

from accounts.audit import audit_record
from accounts.models import AuditEvent, User, available_time_zones
from pairing.lifecycle import person_leave
from scim.models import ScimAccount, ScimToken
from scim.resources import LEVEL_MAX, ScimError, UserInput

TOKEN_PREFIX = "flp_scim_"  # noqa: S105 - a public marker so leaked tokens are easy to spot


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def scim_token_create(*, name: str, by: User | None = None) -> tuple[ScimToken, str]:
    """A new token; the secret is returned once and only its SHA-256 is kept."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("A token needs a name of 1 to 100 characters.")
    if ScimToken.objects.filter(name__iexact=name).exists():
        raise ValueError(f"A token named “{name}” already exists.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(name=name, token_hash=_digest(secret), prefix=secret[:12], created_by=by)
    audit_record(kind=AuditEvent.Kind.CONFIG_CHANGED, actor=by,
                 summary=f"SCIM token “{name}” created", data={"scim_client": name})
    return token, secret


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, by: User | None = None) -> ScimToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(kind=AuditEvent.Kind.CONFIG_CHANGED, actor=by,
                     summary=f"SCIM token “{token.name}” revoked", data={"scim_client": token.name})
    return token


def scim_token_authenticate(secret: str) -> ScimToken | None:
    """The live token for a presented secret (compared by digest), its last use noted."""
    if not secret or len(secret) > 200:
        return None
    token = ScimToken.objects.filter(token_hash=_digest(secret), revoked_at__isnull=True).first()
    if token is not None:
        now = timezone.now()
        # Noting every call would write on every read; a minute's precision is enough for HR.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


def _audit(token: ScimToken, summary: str, user: User, **data) -> None:
    audit_record(kind=AuditEvent.Kind.CONFIG_CHANGED, summary=f"SCIM ({token.name}): {summary}",
                 data={"source": "scim", "scim_client": token.name, "user_id": user.pk, **data})


def _resolve_manager(reference: str, *, exclude: User | None) -> User | None:
    """The manager a directory names: our id first, then their externalId or userName."""
    if not reference:
        return None
    live = User.objects.exclude(scim__deleted_at__isnull=False)
    match = None
    if reference.isdigit():
        match = live.filter(pk=int(reference)).first()
    if match is None:
        match = live.filter(Q(scim__external_id=reference) | Q(scim__user_name__iexact=reference)).first()
    return match


def _check_unique(data: UserInput, *, user: User | None) -> None:
    others = ScimAccount.objects.filter(deleted_at__isnull=True)
    if user is not None:
        others = others.exclude(user=user)
    if others.filter(user_name__iexact=data.user_name).exists():
        raise ScimError(f"userName “{data.user_name}” is taken.", status=409, scim_type="uniqueness")
    if data.external_id and others.filter(external_id=data.external_id).exists():
        raise ScimError(f"externalId “{data.external_id}” is taken.", status=409, scim_type="uniqueness")
    clash = User.objects.filter(email__iexact=data.email)
    if user is not None:
        clash = clash.exclude(pk=user.pk)
    if clash.exists():
        raise ScimError(f"The e-mail address {data.email} belongs to someone else.", status=409,
                        scim_type="uniqueness")


def supported_language(tag: str) -> str | None:
    """A directory's language tag ("de-DE", "de_AT", "en") as one of settings.LANGUAGES, else None."""
    if not tag:
        return None
    try:
        return get_supported_language_variant(tag.replace("_", "-").lower())
    except LookupError:
        return None


def _apply(user: User, account: ScimAccount, data: UserInput) -> list[str]:
    """Write the checked values; returns the names of what changed (for the audit log)."""
    manager = _resolve_manager(data.manager, exclude=user)
    if manager is not None and user.pk and manager.pk == user.pk:
        raise ScimError("A person cannot be their own manager.")
    if manager is not None and user.pk:
        # Refuse a loop (A reports to B who reports to A): reporting lines must end somewhere.
        seen, current = {manager.pk}, manager.manager_id
        while current is not None and current not in seen:
            if current == user.pk:
                raise ScimError("That manager reports to this person: reporting lines cannot loop.")
            seen.add(current)
            current = User.objects.filter(pk=current).values_list("manager_id", flat=True).first()
    before = {f: getattr(user, f) for f in ("email", "full_name", "job_title", "department", "level",
                                            "manager_id", "time_zone", "language", "is_active")}
    user.email = data.email
    user.full_name = data.full_name
    user.job_title = data.title
    user.department = data.department
    user.level = data.level if data.level is None or data.level <= LEVEL_MAX else None
    user.manager = manager
    if data.time_zone in available_time_zones():
        user.time_zone = data.time_zone
    # Only when the directory's value changes, so a person's own later choice on Preferences survives
    # every re-sync of an unchanged directory entry.
    if data.preferred_language != account.preferred_language:
        spoken = supported_language(data.preferred_language)
        if spoken is not None:
            user.language = spoken
    user.full_clean(exclude=["password", "is_active"])
    user.save()
    account.user = user
    account.user_name = data.user_name
    account.external_id = data.external_id
    account.name = data.name
    account.emails = data.emails
    account.display_name = data.display_name
    account.active = data.active
    account.locale = data.locale
    account.preferred_language = data.preferred_language
    account.time_zone = data.time_zone
    account.level = data.level
    account.employee_number = data.employee_number
    account.organization = data.organization
    account.pending_manager = data.manager if data.manager and manager is None else ""
    account.modified_at = timezone.now()
    account.save()
    return [f for f, old in before.items() if getattr(user, f) != old and f != "is_active"]


def _resolve_waiting_reports(user: User, account: ScimAccount) -> int:
    """People who named this person as manager before they were provisioned now report to them."""
    keys = [k for k in (account.external_id, account.user_name, str(user.pk)) if k]
    waiting = ScimAccount.objects.filter(pending_manager__in=keys, deleted_at__isnull=True).exclude(user=user)
    n = 0
    for other in waiting.select_related("user"):
        User.objects.filter(pk=other.user_id).update(manager=user)
        other.pending_manager = ""
        other.modified_at = timezone.now()
        other.save(update_fields=["pending_manager", "modified_at"])
        n += 1
    return n


def _set_active(user: User, active: bool | None, token: ScimToken) -> None:
    if active is None:
        active = True  # unset: RFC 7643 mandates no default; Flipside lets the person sign in
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    if active:
        _audit(token, f"reactivated {user.email}", user)
        return
    # A leaver: no more sign-in (is_active) and every open session ends now.
    for session in UserSession.objects.filter(user=user):
        session.end()
    outcome = person_leave(user=user)
    _audit(token, f"deactivated {user.email} (left the organisation)", user, **outcome)


@transaction.atomic
def scim_user_create(*, data: UserInput, token: ScimToken) -> User:
    """A joiner. A person already in Flipside (invited, imported) with that e-mail is adopted."""
    revived = ScimAccount.objects.filter(user_name__iexact=data.user_name, deleted_at__isnull=False).first()
    existing = User.objects.filter(email__iexact=data.email).select_related("scim").first()
    if revived is None and existing is not None and hasattr(existing, "scim"):
        if existing.scim.deleted_at is None:
            raise ScimError(f"The e-mail address {data.email} belongs to someone else.", status=409,
                            scim_type="uniqueness")
        revived = existing.scim
    if revived is not None:
        user, account = revived.user, revived
        account.deleted_at = None
        account.created_at = timezone.now()
    else:
        user = existing or User(email=data.email)
        if not user.pk:
            user.set_unusable_password()  # they sign in by SSO or set a password from an invitation
        account = ScimAccount(user=user)
    _check_unique(data, user=user if user.pk else None)
    try:
        with transaction.atomic():
            changed = _apply(user, account, data)
    except IntegrityError:
        raise ScimError("userName, externalId or e-mail address is taken.", status=409,
                        scim_type="uniqueness") from None
    linked = _resolve_waiting_reports(user, account)
    _audit(token, f"provisioned {user.email}", user, changed=changed, reports_linked=linked)
    _set_active(user, data.active, token)
    return user


@transaction.atomic
def scim_user_replace(*, user: User, data: UserInput, token: ScimToken) -> User:
    """A mover (or any update): the new facts take effect for future matching at once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    account = ScimAccount.objects.filter(user=user).first() or ScimAccount(user=user)
    _check_unique(data, user=user)
    try:
        with transaction.atomic():
            changed = _apply(user, account, data)
    except IntegrityError:
        raise ScimError("userName, externalId or e-mail address is taken.", status=409,
                        scim_type="uniqueness") from None
    linked = _resolve_waiting_reports(user, account)
    if changed or linked:
        _audit(token, f"updated {user.email}", user, changed=changed, reports_linked=linked)
    _set_active(user, data.active, token)
    return user


@transaction.atomic
def scim_user_delete(*, user: User, token: ScimToken) -> None:
    """DELETE: the person leaves and is hidden from SCIM; the row stays for others' shared records."""
    user = User.objects.select_for_update().get(pk=user.pk)
    account = ScimAccount.objects.filter(user=user).first()
    if account is None:
        account = ScimAccount(user=user, user_name=user.email)
    _set_active(user, False, token)
    account.deleted_at = account.modified_at = timezone.now()
    account.save()
    _audit(token, f"deleted {user.email} (deactivated; kept for retention)", user)
