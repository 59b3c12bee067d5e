"""Pages that compose every app: the home page and the health check.

They live in the project package because they sit above all apps (they may read from any
of them), which no single app may do under the layering rule.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import roles_for
from meetings import selectors as meetings_selectors
from mentoring.tasks import HEARTBEAT_KEY
from pairing import selectors as pairing_selectors
from programs import selectors as programs_selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see what Flipside is; signed-in people see what matters to them."""
    if not request.user.is_authenticated:
        return render(request, "home/landing.html")
    roles = roles_for(request.user)
    context: dict[str, object] = {"roles": roles}
    if roles.hr_admin:
        context.update(programs_selectors.hr_home(request.user))
    context.update(pairing_selectors.participant_home(request.user))
    context.update(meetings_selectors.participant_sessions(request.user))
    return render(request, "home/home.html", context)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Database, cache and worker status for load balancers and docker-compose health checks."""
    checks: dict[str, object] = {}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = "unavailable"
        status = 503
    try:
        last = cache.get(HEARTBEAT_KEY)
        checks["cache"] = "ok"
    except Exception:  # noqa: BLE001
        last = None
        checks["cache"] = "unavailable"
        status = 503
    if last:
        age = (timezone.now() - datetime.fromisoformat(last)).total_seconds()
        checks["worker_heartbeat_age_s"] = round(age, 1)
    else:
        checks["worker_heartbeat_age_s"] = None
    return JsonResponse({"status": "ok" if status == 200 else "degraded", **checks}, status=status)
