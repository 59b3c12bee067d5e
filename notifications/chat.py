"""Delivering a message to Slack or Microsoft Teams, and telling a passing failure from a final one.

Slack: ``users.lookupByEmail`` finds the person, ``chat.postMessage`` to their user id posts in the
app's direct-message conversation with them. Teams: one POST of an Adaptive Card to the
organisation's incoming-webhook or Workflows URL, mentioning the person by e-mail address / UPN.

Every answer is classified: a 429 (with its Retry-After), a 5xx, a timeout or a refused connection
is transient and retried later by the outbox; any other 4xx, a redirect, or a Slack ``ok: false``
such as ``invalid_auth`` or ``users_not_found`` is permanent and makes the outbox fall back to
e-mail. The standard library's urllib is enough for two JSON calls (no new dependency).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.channels import DeliveryError
from notifications.chat_payloads import ChatContent, slack_message, teams_message

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
MAX_BODY_BYTES = 64 * 1024
# A Retry-After far in the future is still honoured, up to a day (a typo must not park a row forever).
MAX_RETRY_AFTER = 24 * 3600.0
SLACK_USER_CACHE_SECONDS = 24 * 3600

PROVIDER_SLACK = "slack"
PROVIDER_TEAMS = "teams"


# Slack error codes that will fail the same way next time (the token, the app or the person is
# wrong), versus those that may pass later. Anything else is treated as permanent: a retry loop
# on an error nobody understands helps no one, and HR sees the code on the settings page.
SLACK_TRANSIENT_ERRORS = frozenset({
    "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
    "request_timeout", "timeout",
})
SLACK_ERROR_HINTS = {
    "invalid_auth": gettext_lazy("Slack does not accept the bot token."),
    "not_authed": gettext_lazy("No Slack bot token was sent."),
    "account_inactive": gettext_lazy("The Slack bot token belongs to a deactivated app or user."),
    "token_revoked": gettext_lazy("The Slack bot token has been revoked."),
    "token_expired": gettext_lazy("The Slack bot token has expired."),
    "missing_scope": gettext_lazy("The Slack app lacks a permission (scope)."),
    "users_not_found": gettext_lazy("No Slack user has this person's e-mail address."),
    "user_not_found": gettext_lazy("No Slack user has this person's e-mail address."),
    "channel_not_found": gettext_lazy("Slack cannot open a conversation with this person."),
    "user_disabled": gettext_lazy("This person's Slack account is deactivated."),
    "cannot_dm_bot": gettext_lazy("This Slack user is a bot."),
}


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == name), None)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: a moved webhook is a configuration problem to show HR, and a
    redirect must not carry the bot token to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913 - urllib's signature
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _service_name(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or "?"


def http_request(method: str, url: str, *, headers: dict[str, str] | None = None,
                 payload: dict | None = None, timeout: float | None = None) -> Response:
    """One HTTP exchange. Network failures become transient DeliveryErrors; HTTP errors are returned."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise DeliveryError(_("The chat address is not a web address."), permanent=True)
    data = None
    all_headers = {"Accept": "application/json", "User-Agent": "Flipside"}
    if payload is not None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=data, headers=all_headers, method=method)  # noqa: S310 - scheme checked above
    try:
        with _OPENER.open(request, timeout=timeout or TIMEOUT_SECONDS) as answer:
            return Response(answer.status, dict(answer.headers.items()), answer.read(MAX_BODY_BYTES))
    except urllib.error.HTTPError as error:
        with error:
            body = error.read(MAX_BODY_BYTES) if error.fp is not None else b""
        return Response(error.code, dict(error.headers.items()) if error.headers else {}, body)
    except (OSError, http.client.HTTPException) as error:  # URLError, timeouts and refusals are OSErrors
        reason = getattr(error, "reason", None) or error.__class__.__name__
        raise DeliveryError(_("Could not reach %(host)s: %(reason)s")
                            % {"host": _service_name(url), "reason": reason}) from error


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def check_http_status(response: Response, *, service: str) -> None:
    """Raise the DeliveryError an HTTP status means; return quietly on 2xx."""
    status = response.status
    if 200 <= status < 300:
        return
    header = response.header("Retry-After")
    if status == 429:
        raise DeliveryError(_("%(service)s asks to slow down (HTTP 429).") % {"service": service},
                            retry_after=retry_after_seconds(header))
    if status in (408, 425) or status >= 500:
        raise DeliveryError(_("%(service)s had a temporary problem (HTTP %(status)s).")
                            % {"service": service, "status": status}, retry_after=retry_after_seconds(header))
    detail = " ".join(response.text().split())[:200]
    raise DeliveryError(_("%(service)s refused the message (HTTP %(status)s): %(detail)s")
                        % {"service": service, "status": status, "detail": detail or "-"}, permanent=True)


# --- Slack ----------------------------------------------------------------------------------


def _slack_result(response: Response, *, method: str) -> dict:
    check_http_status(response, service="Slack")
    try:
        data = json.loads(response.body or b"{}")
    except ValueError:
        raise DeliveryError(_("Slack answered %(method)s with something that is not JSON.")
                            % {"method": method}) from None
    if not isinstance(data, dict):
        raise DeliveryError(_("Slack answered %(method)s unexpectedly.") % {"method": method})
    if data.get("ok") is True:
        return data
    code = str(data.get("error") or "unknown_error")
    if code in SLACK_TRANSIENT_ERRORS:
        raise DeliveryError(_("Slack: %(code)s") % {"code": code},
                            retry_after=retry_after_seconds(response.header("Retry-After")))
    hint = str(SLACK_ERROR_HINTS.get(code, ""))
    if code == "missing_scope" and data.get("needed"):
        hint = f"{hint} ({data['needed']})"
    reason = f"{hint} ({method}: {code})" if hint else f"Slack {method}: {code}"
    raise DeliveryError(reason.strip(), permanent=True)


def _slack_api(path: str) -> str:
    return f"{settings.SLACK_API_URL.rstrip('/')}/{path}"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def slack_user_id(*, token: str, email: str) -> str:
    """The Slack user id of a workspace member found by e-mail address (cached for a day)."""
    key = "chat:slack-user:" + hashlib.sha256(f"{token}\0{email.lower()}".encode()).hexdigest()
    cached = cache.get(key)
    if cached:
        return cached
    query = urllib.parse.urlencode({"email": email})
    answer = http_request("GET", f"{_slack_api('users.lookupByEmail')}?{query}", headers=_auth(token))
    data = _slack_result(answer, method="users.lookupByEmail")
    user_id = str((data.get("user") or {}).get("id") or "")
    if not user_id:
        raise DeliveryError(_("Slack found no user id for this address."), permanent=True)
    cache.set(key, user_id, SLACK_USER_CACHE_SECONDS)
    return user_id


def slack_send(*, token: str, email: str, content: ChatContent) -> str:
    """Post a direct message to the person with this e-mail address; returns "slack:<channel>:<ts>"."""
    user_id = slack_user_id(token=token, email=email)
    data = _slack_result(
        http_request("POST", _slack_api("chat.postMessage"), headers=_auth(token),
                     payload=slack_message(channel=user_id, content=content)),
        method="chat.postMessage",
    )
    return f"slack:{data.get('channel', user_id)}:{data.get('ts', '')}"


# --- Microsoft Teams ------------------------------------------------------------------------


def teams_send(*, webhook_url: str, email: str, name: str, content: ChatContent) -> str:
    """Post an Adaptive Card mentioning the person to the webhook; returns "teams"."""
    response = http_request("POST", webhook_url, payload=teams_message(content=content, mention_id=email,
                                                                        mention_name=name))
    check_http_status(response, service="Microsoft Teams")
    # The older Office 365 connector webhooks answer 200 and put a failure in the body text
    # ("Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429").
    text = response.text()
    if "delivery failed" in text.lower():
        transient = "HTTP error 429" in text or "HTTP error 5" in text
        raise DeliveryError(_("Microsoft Teams: %(detail)s") % {"detail": " ".join(text.split())[:200]},
                            permanent=not transient)
    return "teams"


# --- Either ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatConfig:
    """The organisation's chat connection as delivery needs it (never shown to anyone in full)."""

    provider: str = ""
    secret: str = ""
    from_environment: bool = False

    @property
    def ready(self) -> bool:
        return self.provider in {PROVIDER_SLACK, PROVIDER_TEAMS} and bool(self.secret)

    def __repr__(self) -> str:  # logs and tracebacks must not carry the secret
        return f"ChatConfig(provider={self.provider!r}, secret=<{len(self.secret)} chars>)"


def chat_send(*, config: ChatConfig, email: str, name: str, content: ChatContent) -> str:
    """Deliver one message to one person through the configured provider; return a provider id."""
    if not config.ready:
        raise DeliveryError(_("No chat tool is connected."), permanent=True)
    if config.provider == PROVIDER_SLACK:
        return slack_send(token=config.secret, email=email, content=content)
    return teams_send(webhook_url=config.secret, email=email, name=name, content=content)
