"""SCIM 2.0 endpoints (RFC 7644) under /scim/v2/: discovery and Users. Bearer tokens only."""

from __future__ import annotations

import json
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import ERASED_EMAIL_DOMAIN, User
from scim import schemas as s
from scim.filters import ScimSyntaxError, equality_lookups, matches, parse_filter
from scim.patch import apply_patch
from scim.resources import ScimError, project, user_input, user_resource
from scim.services import (
    scim_token_authenticate,
    scim_user_create,
    scim_user_delete,
    scim_user_replace,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

CONTENT_TYPE = "application/scim+json"
MAX_BODY = 1_000_000


def scim_response(data: Any, status: int = 200, *, etag: str | None = None,
                  location: str | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type=CONTENT_TYPE)
    if etag:
        response["ETag"] = etag
    if location:
        response["Location"] = location
    return response


def scim_error(detail: str, status: int, scim_type: str | None = None) -> HttpResponse:
    body: dict[str, Any] = {"schemas": [s.ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = scim_response(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
    return response


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2").rstrip("/")


def scim_view(methods: tuple[str, ...]) -> Callable:
    """Token check, allowed methods and SCIM error bodies for every endpoint; sessions are ignored."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            token = scim_token_authenticate(secret.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                return scim_error("A valid bearer token is required.", 401)
            if request.method not in methods:
                response = scim_error(f"{request.method} is not allowed here.", 405)
                response["Allow"] = ", ".join(methods)
                return response
            request.scim_token = token
            try:
                return view(request, *args, **kwargs)
            except ScimError as error:
                return scim_error(error.detail, error.status, error.scim_type)

        return wrapper

    return decorate


def _body(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY:
        raise ScimError("The body is too large.", status=413, scim_type=None)
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ScimError("The body is not valid JSON.", scim_type="invalidSyntax") from None


def _list(resources: list[dict], total: int, start: int) -> HttpResponse:
    return scim_response({
        "schemas": [s.LIST], "totalResults": total, "startIndex": start,
        "itemsPerPage": len(resources), "Resources": resources,
    })


def _csv(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    raise ScimError("attributes must be a list of attribute names.", scim_type="invalidSyntax")


def _int(value: Any, default: int, what: str) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ScimError(f"{what} must be a whole number.", scim_type="invalidValue") from None


# Discovery ---------------------------------------------------------------------------------------


@scim_view(("GET",))
def service_provider_config(request: HttpRequest) -> HttpResponse:
    return scim_response(s.service_provider_config(base_url(request), request.build_absolute_uri("/")))


@scim_view(("GET",))
def resource_types(request: HttpRequest, name: str | None = None) -> HttpResponse:
    types = s.resource_types(base_url(request))
    if name is None:
        return _list(types, len(types), 1)
    found = [t for t in types if t["id"] == name]
    return scim_response(found[0]) if found else scim_error(f"No resource type “{name}”.", 404)


@scim_view(("GET",))
def schemas(request: HttpRequest, urn: str | None = None) -> HttpResponse:
    items = s.schemas(base_url(request))
    if urn is None:
        return _list(items, len(items), 1)
    found = [item for item in items if item["id"] == urn]
    return scim_response(found[0]) if found else scim_error(f"No schema “{urn}”.", 404)


# Users --------------------------------------------------------------------------------------------


def scim_users():
    """Everyone a directory may see: not erased, not deleted through SCIM."""
    return (
        User.objects.exclude(email__endswith="@" + ERASED_EMAIL_DOMAIN)
        .exclude(scim__deleted_at__isnull=False)
        .select_related("scim", "manager")
        .order_by("pk")
    )


def get_user_for_scim(pk: str) -> User:
    user = scim_users().filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 19 else None
    if user is None:
        raise ScimError(f"No user with id “{pk}”.", status=404, scim_type=None)
    return user


def _narrow(qs, tree):
    """Use the exact-match terms IdPs send (userName, externalId, emails, id) to query first."""
    for path, value in equality_lookups(tree):
        if path.sub and path.sub.lower() != "value":
            continue
        attr = path.attr.lower()
        if path.urn or not isinstance(value, str):
            continue
        if attr == "username":
            qs = qs.filter(scim__user_name__iexact=value) | qs.filter(scim__isnull=True, email__iexact=value)
        elif attr == "externalid":
            qs = qs.filter(scim__external_id=value)
        elif attr == "emails":
            qs = qs.filter(email__iexact=value) | qs.filter(scim__emails__icontains=value)
        elif attr == "id":
            qs = qs.filter(pk=int(value)) if value.isdigit() and len(value) < 19 else qs.none()
    return qs


def _search(request: HttpRequest, params: dict) -> HttpResponse:
    if params.get("sortBy"):
        raise ScimError("Sorting is not supported.", status=400, scim_type="invalidValue")
    start = max(_int(params.get("startIndex"), 1, "startIndex"), 1)
    count = min(max(_int(params.get("count"), s.MAX_RESULTS, "count"), 0), s.MAX_RESULTS)
    attributes, excluded = _csv(params.get("attributes")), _csv(params.get("excludedAttributes"))
    qs = scim_users()
    base = base_url(request)
    raw_filter = params.get("filter")
    if raw_filter not in (None, ""):
        if not isinstance(raw_filter, str):
            raise ScimError("filter must be a string.", scim_type="invalidFilter")
        try:
            tree = parse_filter(raw_filter)
        except ScimSyntaxError as error:
            raise ScimError(str(error), scim_type=error.scim_type) from None
        people = [user_resource(u, base_url=base) for u in _narrow(qs, tree)]
        hits = [r for r in people if matches(tree, r)]
        total, page = len(hits), hits[start - 1:start - 1 + count]
    else:
        total = qs.count()
        # A startIndex past the end is an empty page, not an OFFSET the database cannot hold.
        in_range = count and start <= total
        page = [user_resource(u, base_url=base) for u in qs[start - 1:start - 1 + count]] if in_range else []
    return _list([project(r, attributes=attributes, excluded=excluded) for r in page], total, start)


@scim_view(("GET", "POST"))
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _search(request, request.GET.dict())
    data = user_input(_body(request))
    user = scim_user_create(data=data, token=request.scim_token)
    resource = user_resource(get_user_for_scim(str(user.pk)), base_url=base_url(request))
    meta = resource["meta"]
    return scim_response(resource, 201, etag=meta["version"], location=meta["location"])


@scim_view(("POST",))
def users_search(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if not isinstance(body, dict) or s.SEARCH not in (body.get("schemas") or []):
        raise ScimError(f"A search body must list the schema {s.SEARCH}.", scim_type="invalidSyntax")
    return _search(request, body)


def _check_precondition(request: HttpRequest, resource: dict) -> None:
    wanted = request.headers.get("If-Match")
    versions = [w.strip() for w in (wanted or "").split(",")]
    if wanted and "*" not in versions and resource["meta"]["version"] not in versions:
        raise ScimError("The resource has changed since you read it.", status=412, scim_type=None)


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
def user_detail(request: HttpRequest, pk: str) -> HttpResponse:
    user = get_user_for_scim(pk)
    base = base_url(request)
    resource = user_resource(user, base_url=base)
    if request.method == "GET":
        if request.headers.get("If-None-Match") == resource["meta"]["version"]:
            return HttpResponse(status=304)
        params = request.GET
        shown = project(resource, attributes=_csv(params.get("attributes")),
                        excluded=_csv(params.get("excludedAttributes")))
        return scim_response(shown, etag=resource["meta"]["version"])
    _check_precondition(request, resource)
    token = request.scim_token
    if request.method == "DELETE":
        scim_user_delete(user=user, token=token)
        return HttpResponse(status=204)
    if request.method == "PUT":
        body = _body(request)
        if isinstance(body, dict) and body.get("id") not in (None, str(user.pk)):
            raise ScimError("id cannot be changed.", scim_type="mutability")
        data = user_input(body)
    else:
        data = user_input(apply_patch(resource, _body(request)))
    scim_user_replace(user=user, data=data, token=token)
    resource = user_resource(get_user_for_scim(pk), base_url=base)
    return scim_response(resource, etag=resource["meta"]["version"])


@scim_view(("GET", "POST", "PUT", "PATCH", "DELETE"))
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    # Groups are not offered: HR roles stay granted inside Flipside (see README).
    return scim_error("There is no such SCIM endpoint here.", 404)
