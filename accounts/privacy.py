"""A person's data: download it all (JSON), or erase the person.

Each app contributes through a ``<app>/privacy.py`` module defining ``export(user) -> dict``
(what that app holds about the person) and ``erase(user) -> None`` (delete or blank what is
theirs). Those modules are discovered like ``admin.py`` files, so this module imports no app
above accounts. After the apps have had their say, a sweep replaces the person's full name and
e-mail address wherever they still appear in any text or JSON column (audit summaries, change
histories, stored CSV imports, matching explanations...), and the account itself is anonymised.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import autodiscover_modules

from accounts.audit import audit_record
from accounts.models import ERASED_EMAIL_DOMAIN, AuditEvent, User

ERASED = "[erased]"
_discovered = False


def _modules() -> list:
    global _discovered  # noqa: PLW0603 - discovery runs once per process
    if not _discovered:
        autodiscover_modules("privacy")
        _discovered = True
    import sys

    found = []
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.privacy")
        if module is not None and config.name != "accounts":
            found.append((config.label, module))
    return found


def row(
    instance: models.Model, *, exclude: tuple[str, ...] = (), names: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A model row as plain JSON-able values (foreign keys as ids).

    ``names`` lists foreign keys that also get the related row's name beside the id ("topic": "Generative
    AI"): a bare id means nothing to the person reading their download. Select them related first.
    """
    data: dict[str, Any] = {}
    for name in names:
        related = getattr(instance, name)
        data[name] = None if related is None else str(related)
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = field.value_from_object(instance)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, Decimal) or not isinstance(
                value, str | int | float | bool | list | dict | type(None)):
            value = str(value)
        data[field.attname if field.is_relation else field.name] = value
    return data


def person_export(*, user: User, actor: User | None = None, request=None) -> dict[str, Any]:
    """Everything Flipside holds about one person, grouped by app (their own private
    reflections included; nobody else's)."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": row(user, exclude=("password",), names=("manager",)),
        "sign_in_history": [row(e) for e in AuditEvent.objects.filter(actor=user)[:500]],
    }
    for label, module in _modules():
        if hasattr(module, "export"):
            data[label] = module.export(user)
    audit_record(kind=AuditEvent.Kind.EXPORT, actor=actor or user, request=request,
                 summary=f"Personal data export of person #{user.pk}", data={"user_id": user.pk})
    json.dumps(data)  # fail here, not half-way through a download, if something is not JSON-able
    return data


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField | models.EmailField)
            and not f.choices]


def _scrub(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        out = value
        for needle in needles:
            lower = out.lower()
            start = lower.find(needle)
            while start != -1:
                out = out[:start] + ERASED + out[start + len(needle):]
                lower = out.lower()
                start = lower.find(needle, start + len(ERASED))
        return out
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, needles): _scrub(v, needles) for k, v in value.items()}
    return value


def sweep_identifiers(needles: list[str]) -> int:
    """Replace every occurrence of the given strings (case-insensitive) in every text and JSON
    column of every table. One query per column to find rows, one update per row found."""
    needles = sorted({n.lower() for n in needles if n and len(n) >= 3}, key=len, reverse=True)
    changed = 0
    if not needles:
        return 0
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in _text_fields(model):
            query = models.Q()
            if isinstance(field, models.JSONField):
                qs = model._default_manager.annotate(_as_text=Cast(field.name, models.TextField()))
                for needle in needles:
                    query |= models.Q(_as_text__icontains=needle)
            else:
                qs = model._default_manager.all()
                for needle in needles:
                    query |= models.Q(**{f"{field.name}__icontains": needle})
            for pk, value in qs.filter(query).values_list("pk", field.name):
                model._default_manager.filter(pk=pk).update(**{field.name: _scrub(value, needles)})
                changed += 1
    return changed


@transaction.atomic
def person_erase(*, user: User, actor: User | None, request=None) -> None:
    """Erase a person: each app removes what is theirs, every trace of their name and e-mail
    is swept, the account is anonymised and can no longer sign in."""
    needles = [user.email, user.full_name]
    needles += list(user.emailaddress_set.values_list("email", flat=True))
    user_id = user.pk
    for _label, module in _modules():
        if hasattr(module, "erase"):
            module.erase(user)
    user.emailaddress_set.all().delete()
    user.socialaccount_set.all().delete()
    apps.get_model("mfa", "Authenticator").objects.filter(user=user).delete()
    apps.get_model("usersessions", "UserSession").objects.filter(user=user).delete()
    User.objects.filter(pk=user_id).update(
        email=f"erased-{user_id}@{ERASED_EMAIL_DOMAIN}", full_name="", job_title="", location="",
        department="", is_active=False, manager=None, is_staff=False, is_superuser=False,
        # A new unusable password also changes the session hash: every open session ends.
        password=f"!erased-{get_random_string(20)}")
    user.groups.clear()
    sweep_identifiers(needles)
    audit_record(kind=AuditEvent.Kind.ERASURE, actor=actor, request=request,
                 summary=f"Person #{user_id} erased", data={"user_id": user_id})
