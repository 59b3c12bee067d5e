"""A person as a SCIM User resource, and a SCIM User read back into plain, checked values."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from scim.filters import get_ci
from scim.schemas import CORE_USER, ENTERPRISE, FLIPSIDE

NAME_PARTS = ("formatted", "familyName", "givenName")
EMAIL_PARTS = ("value", "type", "primary")
LEVEL_MAX = 32767  # User.level is a PositiveSmallIntegerField
SCIM_LEVEL_MAX = 2**31 - 1
PENDING_EMAIL_DOMAIN = "pending.invalid"


class ScimError(Exception):
    """A request Flipside refuses, with the HTTP status and SCIM ``scimType`` of the error body."""

    def __init__(self, detail: str, *, status: int = 400, scim_type: str | None = "invalidValue") -> None:
        super().__init__(detail)
        self.detail, self.status, self.scim_type = detail, status, scim_type


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def user_resource(user, *, base_url: str) -> dict:
    """The User resource as the API shows it; empty attributes are left out (RFC 7643 §2.5)."""
    account = getattr(user, "scim", None) if _has_account(user) else None
    emails = (account.emails if account and account.emails else None) or [
        {"value": user.email, "type": "work", "primary": True}
    ]
    if user.email.endswith("@" + PENDING_EMAIL_DOMAIN):
        emails = []
    name = {"formatted": user.full_name} if user.full_name else {}
    if account:
        name = dict(account.name)
    enterprise: dict[str, Any] = {
        "employeeNumber": account.employee_number if account else "",
        "organization": account.organization if account else "",
        "department": user.department,
    }
    if user.manager_id:
        manager = user.manager
        enterprise["manager"] = {
            "value": str(manager.pk), "$ref": f"{base_url}/Users/{manager.pk}",
            "displayName": manager.display_name,
        }
    elif account and account.pending_manager:
        enterprise["manager"] = {"value": account.pending_manager}
    resource: dict[str, Any] = {
        "schemas": [CORE_USER, ENTERPRISE, FLIPSIDE],
        "id": str(user.pk),
        "externalId": account.external_id if account else None,
        "userName": account.user_name if account else user.email,
        "name": name,
        "displayName": account.display_name if account else user.full_name,
        "title": user.job_title,
        "locale": account.locale if account else "",
        "preferredLanguage": account.preferred_language if account else user.language,
        "timezone": account.time_zone if account else user.time_zone,
        # Unset active (removed by the directory) reads back as absent while the person can sign in.
        "active": None if account and account.active is None and user.is_active else user.is_active,
        "emails": emails,
        ENTERPRISE: {k: v for k, v in enterprise.items() if v not in ("", None)},
        FLIPSIDE: {"level": level} if (level := account.level if account else user.level) is not None else {},
    }
    resource = {k: v for k, v in resource.items() if v not in ("", None, {}, [])}
    created = account.created_at if account else user.date_joined
    modified = account.modified_at if account else user.date_joined
    resource["meta"] = {
        "resourceType": "User", "created": _iso(created), "lastModified": _iso(max(created, modified)),
        "location": f"{base_url}/Users/{user.pk}",
    }
    # The version is a digest of what the client can see, so any change (also from HR's pages)
    # gives a new ETag and an unchanged person keeps theirs.
    digest = hashlib.sha256(json.dumps(resource, sort_keys=True, default=str).encode()).hexdigest()[:20]
    resource["meta"]["version"] = f'W/"{digest}"'
    return resource


def _has_account(user) -> bool:
    try:
        return user.scim is not None
    except Exception:  # RelatedObjectDoesNotExist: a person from an import or invitation
        return False


def project(resource: dict, *, attributes: list[str], excluded: list[str]) -> dict:
    """Apply ``attributes`` / ``excludedAttributes``; id, schemas and meta are always returned."""
    always = {"id", "schemas", "meta"}
    if attributes:
        keep: dict[str, Any] = {k: v for k, v in resource.items() if k in always}
        for path in attributes:
            _copy_path(resource, keep, path)
        return keep
    out = json.loads(json.dumps(resource))
    for path in excluded:
        _drop_path(out, path, always)
    return out


def _split(path: str) -> tuple[str, str, str]:
    urn = ""
    rest = path
    if path.lower().startswith("urn:"):
        head, _, rest = path.rpartition(":")
        if head.lower() == CORE_USER.lower():
            head = ""
        elif not any(head.lower() == s.lower() for s in (ENTERPRISE, FLIPSIDE)):
            # A bare extension URN ("urn:...:enterprise:2.0:User") names the whole extension.
            return path, "", ""
        urn = head
    attr, _, sub = rest.partition(".")
    return urn, attr, sub


def _copy_path(src: dict, dst: dict, path: str) -> None:
    urn, attr, sub = _split(path)
    holder_src = src if not urn else get_ci(src, urn)
    if not isinstance(holder_src, dict):
        return
    if urn and not attr:
        dst[_key(src, urn)] = holder_src
        return
    key = _key(holder_src, attr)
    if key is None:
        return
    holder_dst = dst if not urn else dst.setdefault(_key(src, urn), {})
    value = holder_src[key]
    if sub:
        sub_key = _key(value[0] if isinstance(value, list) and value else value, sub)
        if sub_key is None:
            return
        value = [{sub_key: v[sub_key]} for v in value if sub_key in v] if isinstance(value, list) else {
            sub_key: value[sub_key]
        }
    holder_dst[key] = value


def _drop_path(out: dict, path: str, always: set[str]) -> None:
    urn, attr, sub = _split(path)
    holder = out if not urn else get_ci(out, urn)
    if not isinstance(holder, dict):
        return
    if urn and not attr:
        out.pop(_key(out, urn), None)
        return
    key = _key(holder, attr)
    if key is None or key in always:
        return
    if not sub:
        holder.pop(key)
        return
    for item in holder[key] if isinstance(holder[key], list) else [holder[key]]:
        if isinstance(item, dict) and (sk := _key(item, sub)):
            item.pop(sk)


def _key(obj: Any, name: str) -> str | None:
    if not isinstance(obj, dict):
        return None
    return next((k for k in obj if k.lower() == name.lower()), None)


# Reading a resource sent by a client ----------------------------------------------------------


@dataclass
class UserInput:
    """A client's User resource, checked and reduced to what Flipside stores."""

    user_name: str
    email: str
    external_id: str | None = None
    full_name: str = ""
    name: dict = field(default_factory=dict)
    emails: list = field(default_factory=list)
    title: str = ""
    locale: str = ""
    preferred_language: str = ""
    time_zone: str = ""
    active: bool | None = None  # None: not sent (unset), which counts as active for sign-in
    display_name: str | None = None
    employee_number: str = ""
    organization: str = ""
    department: str = ""
    manager: str = ""  # the reference as sent; resolved by the service
    level: int | None = None


def _text(value: Any, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(f"{what} must be a string.")
    value = value.strip()
    if len(value) > limit:
        raise ScimError(f"{what} is longer than {limit} characters.")
    return value


def _email_ok(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _emails(raw: Any) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ScimError("emails must be a list.")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise ScimError("Each entry of emails must be an object.")
        value = _text(get_ci(item, "value"), "emails.value", 254)
        if not value or not _email_ok(value):
            raise ScimError(f"“{value}” is not an e-mail address.")
        entry: dict[str, Any] = {"value": value}
        kind = get_ci(item, "type")
        if kind is not None:
            entry["type"] = _text(kind, "emails.type", 20)
        primary = get_ci(item, "primary")
        if primary is not None:
            if not isinstance(primary, bool):
                raise ScimError("emails.primary must be true or false.")
            entry["primary"] = primary
        out.append(entry)
    if sum(1 for e in out if e.get("primary")) > 1:
        raise ScimError("Only one e-mail address can be primary.")
    return out


def _login_email(user_name: str, emails: list[dict]) -> str:
    ranked = (
        [e for e in emails if e.get("primary")]
        + [e for e in emails if e.get("type") == "work"]
        + emails
    )
    if ranked:
        return ranked[0]["value"].lower()
    if _email_ok(user_name):
        return user_name.lower()
    # RFC 7643 only requires userName. Until the directory sends an address the person gets a
    # placeholder on a reserved domain: they cannot sign in or be invited with it.
    digest = hashlib.sha256(user_name.casefold().encode()).hexdigest()[:24]
    return f"scim-{digest}@{PENDING_EMAIL_DOMAIN}"


def user_input(data: Any) -> UserInput:
    """Check a full User resource (POST or PUT, or the result of a PATCH) → UserInput or ScimError."""
    if not isinstance(data, dict):
        raise ScimError("The body must be a JSON object.", scim_type="invalidSyntax")
    schemas = get_ci(data, "schemas")
    bad_schemas = not isinstance(schemas, list) or not all(isinstance(x, str) for x in schemas)
    if schemas is not None and bad_schemas:
        raise ScimError("schemas must be a list of URNs.", scim_type="invalidSyntax")
    if schemas is not None and CORE_USER.lower() not in {x.lower() for x in schemas}:
        raise ScimError(f"schemas must include {CORE_USER}.")
    user_name = _text(get_ci(data, "userName"), "userName", 255)
    if not user_name:
        raise ScimError("userName is required.")
    external_id = _text(get_ci(data, "externalId"), "externalId", 255) or None
    name_raw = get_ci(data, "name") or {}
    if not isinstance(name_raw, dict):
        raise ScimError("name must be an object.")
    name = {part: _text(get_ci(name_raw, part), f"name.{part}", 150) for part in NAME_PARTS}
    name = {k: v for k, v in name.items() if v}
    display = _text(get_ci(data, "displayName"), "displayName", 150)
    given_family = " ".join(p for p in (name.get("givenName"), name.get("familyName")) if p)
    full_name = (display or name.get("formatted") or given_family)[:150]
    emails = _emails(get_ci(data, "emails"))
    zone = _text(get_ci(data, "timezone"), "timezone", 64)
    active = get_ci(data, "active")
    if active is not None and not isinstance(active, bool):
        raise ScimError("active must be true or false.")
    enterprise = get_ci(data, ENTERPRISE) or {}
    flipside = get_ci(data, FLIPSIDE) or {}
    if not isinstance(enterprise, dict) or not isinstance(flipside, dict):
        raise ScimError("An extension must be an object.")
    manager_raw = get_ci(enterprise, "manager")
    # Some directories send the manager's id as a number, alone or as the value.
    if isinstance(manager_raw, int) and not isinstance(manager_raw, bool):
        manager_raw = str(manager_raw)
    if isinstance(manager_raw, dict):
        ref = get_ci(manager_raw, "value")
        if isinstance(ref, int) and not isinstance(ref, bool):
            manager_raw = {"value": str(ref)}
    if isinstance(manager_raw, dict):
        manager = _text(get_ci(manager_raw, "value"), "manager.value", 255)
    elif manager_raw is None or isinstance(manager_raw, str):
        manager = _text(manager_raw, "manager", 255)  # some directories send the id alone
    else:
        raise ScimError("manager must be an object with a value.")
    level = get_ci(flipside, "level")
    whole = isinstance(level, int) and not isinstance(level, bool)
    if level is not None and (not whole or not 0 <= level <= SCIM_LEVEL_MAX):
        raise ScimError(f"level must be a whole number from 0 to {SCIM_LEVEL_MAX}.")
    return UserInput(
        user_name=user_name, email=_login_email(user_name, emails), external_id=external_id,
        full_name=full_name, display_name=display or None, name=name, emails=emails,
        title=_text(get_ci(data, "title"), "title", 150),
        locale=_text(get_ci(data, "locale"), "locale", 64),
        preferred_language=_text(get_ci(data, "preferredLanguage"), "preferredLanguage", 64),
        time_zone=zone, active=active,
        employee_number=_text(get_ci(enterprise, "employeeNumber"), "employeeNumber", 64),
        organization=_text(get_ci(enterprise, "organization"), "organization", 255),
        department=_text(get_ci(enterprise, "department"), "department", 100),
        manager=manager, level=level,
    )
