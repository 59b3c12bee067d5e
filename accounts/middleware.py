from __future__ import annotations

import time

from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import roles_for


class UserTimezoneMiddleware:
    """Show every time in the signed-in person's own time zone."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UserLanguageMiddleware:
    """The signed-in person's chosen language wins over the browser's (LocaleMiddleware's pick).

    Runs after AuthenticationMiddleware; with no choice saved, LocaleMiddleware's Accept-Language
    (or the set_language cookie) result stands. Content-Language follows what was activated.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if not (chosen and chosen in dict(settings.LANGUAGES)):
            return self.get_response(request)
        previous = translation.get_language()
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        try:
            response = self.get_response(request)
        finally:
            # Hand the thread back in the language it had (as the time zone above is): work done in
            # it after this request (a test, a job in the same thread) is not in this person's language.
            translation.activate(previous)
        response.headers["Content-Language"] = chosen
        return response


class RequireTwoFactorMiddleware:
    """People with powerful roles (by default HR admins, program leads and superusers, outside
    DEBUG) must set up two-factor authentication before they can use anything but their account."""

    exempt_prefixes = ("/accounts/", "/static/", "/health/", "/me/preferences/")

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        required = set(settings.MFA_REQUIRED_ROLES)
        user = getattr(request, "user", None)
        if (required and user is not None and user.is_authenticated
                and not request.path.startswith(self.exempt_prefixes)
                and set(roles_for(user).names) & required and not is_mfa_enabled(user)):
            messages.warning(request, _("Your role needs two-factor authentication. Set it up to continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class SessionActivityMiddleware:
    """The idle timeout and the session list's "last seen", refreshed at most every
    ``SESSION_ACTIVITY_SECONDS`` (60).

    In place of ``SESSION_SAVE_EVERY_REQUEST`` and allauth's ``UserSessionsMiddleware``, which wrote
    the session and its ``UserSession`` row on every request: two transactions and five queries on
    every page, for an expiry and a time shown to the minute. A session is refreshed (saved with a
    new expiry, its row's ``last_seen_at`` moved) when its last refresh is older than that, so an idle
    session ends between ``SESSION_COOKIE_AGE`` minus that and ``SESSION_COOKIE_AGE`` after the last
    request. Runs after AuthenticationMiddleware.
    """

    key = "_activity_at"

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user, session = getattr(request, "user", None), getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None and session.session_key:
            now = int(time.time())
            if now - session.get(self.key, 0) >= settings.SESSION_ACTIVITY_SECONDS:
                session[self.key] = now  # modified: SessionMiddleware saves it with a new expiry
                UserSession.objects.create_from_request(request)
        return self.get_response(request)
