"""The NinjaAPI instance: bearer-token auth, the rate limit, and problem details for every error."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from accounts.roles import is_hr_admin
from api import problems
from api.problems import Problem
from api.schemas import ProblemOut
from api.tokens import rate_limit_wait, token_authenticate

MAX_ID = 2**31 - 1  # ids are PostgreSQL integers: bigger numbers are a 422, not a database error
ERROR_CODES = (400, 401, 403, 404, 409, 415, 422, 429)
ERRORS = dict.fromkeys(ERROR_CODES, ProblemOut)


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``: the request then acts exactly as the token's owner."""

    def authenticate(self, request, token: str):
        found = token_authenticate(token)
        if found is None:
            return None
        wait = rate_limit_wait(found)
        if wait:
            raise Problem(
                429,
                _("Too many requests for this token. Try again in %(s)d seconds.") % {"s": wait},
                headers={"Retry-After": str(wait)},
            )
        request.user = found.user
        return found


class FlipsideAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Error responses are documented as ``application/problem+json``, as they are sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        response["content"] = {problems.PROBLEM_TYPE: content.pop("application/json")}
        schema.setdefault("components", {}).setdefault("securitySchemes", {})
        return schema


api = FlipsideAPI(
    title="Flipside API",
    version="1",
    description=str(
        _(
            "Programs, people, enrolments, pairs, meetings, survey questions and dashboard figures. "
            "Send a personal token as `Authorization: Bearer …` (Account → API tokens)."
        )
    ),
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs/",
    openapi_url="/schema/",
)


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return problems.from_problem(request, exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problems.problem_response(
        request,
        401,
        _("Send a valid, unexpired API token as 'Authorization: Bearer <token>'."),
        headers={"WWW-Authenticate": 'Bearer realm="flipside"'},
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    return problems.problem_response(
        request, 422, _("Some values are not valid."), errors=problems.validation_errors(exc.errors)
    )


@api.exception_handler(DjangoValidationError)
def _refused(request, exc: DjangoValidationError):
    errors = problems.django_errors(exc)
    return problems.problem_response(request, 422, errors[0]["message"] if errors else "", errors=errors)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problems.problem_response(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problems.problem_response(request, 404, _("There is nothing here you can read."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problems.problem_response(request, 403, str(exc) or _("You may not do this."))


# --- helpers shared by the endpoints ---------------------------------------------------------


def require_hr(request) -> None:
    if not is_hr_admin(request.user):
        raise Problem(403, _("Only HR admins may use this endpoint."))


def require_write(request) -> None:
    if request.auth.read_only:
        raise Problem(
            403, _("This token is read-only. Make a read-write token to change data."), slug="read-only-token"
        )


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"id:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _sep, value = text.partition(":")
        pk = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pk, kind = -1, ""
    if kind != "id" or not 0 <= pk <= MAX_ID:
        raise Problem(
            400,
            _("This cursor is not one the API gave out."),
            errors=[{"field": "cursor", "message": str(_("Unknown cursor."))}],
            slug="bad-cursor",
        )
    return pk


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """The time in UTC; a time without a zone is read as UTC.

    Converted here because PostgreSQL refuses odd offsets (e.g. -23:33) that ISO 8601 allows.
    """
    if value is None:
        return None
    try:
        return value.replace(tzinfo=dt.UTC) if timezone.is_naive(value) else value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise Problem(
            422,
            _("This time is out of range."),
            errors=[{"field": "updated_since", "message": str(_("Out of range."))}],
        ) from exc


def paginate(qs, *, cursor: str | None, limit: int, updated_since: dt.datetime | None) -> dict:
    """One page in id order (ids never change), filtered by ``updated_at`` for incremental sync.

    Keyset pagination: the same queries whatever the page number or the table size.
    """
    since = aware(updated_since)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    if cursor:
        qs = qs.filter(pk__gt=decode_cursor(cursor))
    rows = list(qs.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more and rows else None}
