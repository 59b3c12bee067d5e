"""Making, checking and revoking personal API tokens, and the per-token rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from api.models import ApiToken

PREFIX = "fsp_"
MAX_EXPIRY_DAYS = 3650


def hash_token(raw: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is enough (no slow hash needed to resist guessing).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, read_only: bool = True, expires_days: int | None = None, request=None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the secret, which is never stored."""
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise ValidationError(
            {"expires_days": _("Choose between 1 and %(n)d days.") % {"n": MAX_EXPIRY_DAYS}}
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=(name or "").strip()[:80] or str(_("API token")),
        prefix=raw[:10],
        key_hash=hash_token(raw),
        read_only=read_only,
        expires_at=timezone.now() + dt.timedelta(days=expires_days) if expires_days else None,
    )
    token.full_clean()
    token.save()
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        actor=user,
        request=request,
        summary=f"Created API token {token.prefix}… ({'read-only' if read_only else 'read-write'})",
        data={"api_token": token.pk},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, request=None) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            kind=AuditEvent.Kind.CONFIG_CHANGED,
            actor=by,
            request=request,
            summary=f"Revoked API token {token.prefix}…",
            data={"api_token": token.pk},
        )
    return token


def tokens_of(user: User):
    return ApiToken.objects.filter(user=user)


def get_token_for_user(user: User, pk: int) -> ApiToken:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ApiToken, pk=pk, user=user)


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token behind a bearer secret, with its owner loaded; None otherwise."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    # One write a minute at most, so a busy client does not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def rate_limit_wait(token: ApiToken) -> int:
    """0 while the token is within its fixed window; else the seconds until the window ends."""
    limit = getattr(settings, "API_RATE_LIMIT", 600)
    window = getattr(settings, "API_RATE_WINDOW", 60)
    now = int(timezone.now().timestamp())
    start = now - now % window
    key = f"api-rate:{token.pk}:{start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: start the window again
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return 0 if count <= limit else max(1, start + window - now)
