"""Problem details for what happens outside the API's views: unknown URLs, wrong methods, media types."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from api.problems import PROBLEM_TYPE, problem_response

API_PREFIX = "/api/"
BODY_METHODS = ("POST", "PUT", "PATCH")


def problem_details(get_response):
    def middleware(request):
        if not request.path.startswith(API_PREFIX):
            return get_response(request)
        content_type = request.content_type or ""
        if (
            request.method in BODY_METHODS
            and request.META.get("CONTENT_LENGTH") not in (None, "", "0")
            and content_type != "application/json"
        ):
            # Answered before LocaleMiddleware runs: pick the caller's language here, or the thread would
            # still speak whatever language its previous request activated.
            with translation.override(translation.get_language_from_request(request)):
                return problem_response(request, 415, _("Send the request body as application/json."))
        response = get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(PROBLEM_TYPE):
            allow = response.get("Allow")
            response = problem_response(
                request,
                response.status_code,
                _("This method is not allowed here.") if response.status_code == 405 else "",
                headers={"Allow": allow} if allow else None,
            )
        return response

    return middleware
