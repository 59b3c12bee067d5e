"""RFC 9457 problem details: every error the API sends has this shape."""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

PROBLEM_TYPE = "application/problem+json"
# The titles people read, in the caller's language (the "type" slug stays the English phrase).
# The caller's language is the request's Accept-Language (LocaleMiddleware; English without one), never
# the token owner's saved preference: an integration's logs and error handling must not change language
# because a person changed theirs on Account → Preferences. Machines branch on "type" and "status".
TITLES = {
    400: _("Bad request"), 401: _("Unauthorized"), 403: _("Forbidden"), 404: _("Not found"),
    405: _("Method not allowed"), 406: _("Not acceptable"), 409: _("Conflict"), 412: _("Precondition failed"),
    413: _("Content too large"), 415: _("Unsupported media type"), 422: _("Unprocessable content"),
    428: _("Precondition required"), 429: _("Too many requests"), 500: _("Internal server error"),
    503: _("Service unavailable"),
}
TYPE_BASE = "/api/docs/#problems/"


class Problem(Exception):  # noqa: N818 - the RFC's word
    """Raise anywhere in an endpoint to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        errors: list[dict] | None = None,
        title: str | None = None,
        slug: str | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, str(detail), errors or []
        self.title, self.slug, self.headers = title, slug, headers or {}


def problem_response(
    request,
    status: int,
    detail: str = "",
    *,
    errors: list[dict] | None = None,
    title: str | None = None,
    slug: str | None = None,
    headers: dict | None = None,
) -> JsonResponse:
    phrase = HTTPStatus(status).phrase
    body = {
        "type": TYPE_BASE + (slug or phrase.lower().replace(" ", "-").replace("'", "")),
        "title": str(title or TITLES.get(status, phrase)),
        "status": status,
        "detail": str(detail or TITLES.get(status, phrase)),
        "instance": request.path if request is not None else "",
        "errors": errors or [],
    }
    response = JsonResponse(body, status=status, content_type=PROBLEM_TYPE)
    # Also on problems built after LocaleMiddleware has answered (api.middleware), which it cannot label.
    response["Content-Language"] = translation.get_language() or "en"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(request, exc: Problem) -> JsonResponse:
    return problem_response(
        request,
        exc.status,
        exc.detail,
        errors=exc.errors,
        title=exc.title,
        slug=exc.slug,
        headers=exc.headers,
    )


def validation_errors(raw: list[dict]) -> list[dict]:
    """Pydantic's error list, reduced to a field path and a message."""
    out = []
    for err in raw:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload")]
        out.append({"field": ".".join(loc), "message": str(err.get("msg", _("Invalid value.")))})
    return out


def django_errors(exc) -> list[dict]:
    """A Django ValidationError as the same field/message list."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": "" if f == "__all__" else f, "message": str(m)}
            for f, msgs in exc.message_dict.items()
            for m in msgs
        ]
    return [{"field": "", "message": str(m)} for m in exc.messages]
