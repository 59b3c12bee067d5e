"""Recording security events. Callers pass plain facts; secrets and note bodies never go in."""

from __future__ import annotations

from accounts.models import AuditEvent, User

_SECRET_HINTS = ("password", "secret", "token", "key", "code", "reflection", "note", "summary")


def client_ip(request) -> str | None:
    # Behind the proxy in docker-compose the last hop is the proxy; REMOTE_ADDR is what Django trusts.
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_record(*, kind: str, summary: str, actor: User | None = None, request=None,
                 data: dict | None = None) -> AuditEvent:
    """Write one audit row. Keys that look like secrets or note bodies are dropped."""
    clean = {k: v for k, v in (data or {}).items() if not any(h in k.lower() for h in _SECRET_HINTS)}
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(kind=kind, summary=summary[:300], actor=actor,
                                     ip=client_ip(request), data=clean)
