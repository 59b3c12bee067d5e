"""State changes of the chat channels: the organisation's connection, failures, personal preferences."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from notifications.chat import DeliveryError, chat_send
from notifications.chat_payloads import ChatContent, Link
from notifications.models import ChannelPreference, ChatFailure, ChatSettings
from notifications.sealing import seal
from notifications.selectors import chat_config, chat_settings_get

logger = logging.getLogger(__name__)

# The settings page lists recent failures; older ones are dropped as new ones arrive.
FAILURES_KEPT = 200


@transaction.atomic
def chat_settings_update(*, actor: User, provider: str, secret: str = "") -> ChatSettings:
    """Connect, change or disconnect the chat tool. An empty ``secret`` keeps the stored one;
    disconnecting forgets it. Audited without the secret."""
    row, _created = ChatSettings.objects.select_for_update().get_or_create(pk=1)
    changed = []
    if provider != row.provider:
        changed.append("provider")
    row.provider = provider
    if not provider:
        if row.secret_sealed:
            changed.append("secret")
        row.secret_sealed = ""
    elif secret:
        row.secret_sealed = seal(secret)
        changed.append("secret")
    if changed:
        # A new connection has not been tested yet.
        row.last_test_at, row.last_test_ok, row.last_test_detail = None, None, ""
    row.updated_at, row.updated_by = timezone.now(), actor
    row.full_clean()
    row.save()
    audit_record(kind=AuditEvent.Kind.CONFIG_CHANGED, actor=actor,
                 summary=f"{actor.email} set the chat tool to {row.get_provider_display()}",
                 data={"provider": provider, "changed": changed})
    return row


def chat_failure_record(*, provider: str, reason: str, recipient: User | None = None, kind: str = "",
                        is_test: bool = False) -> ChatFailure:
    """Remember a chat message that will not arrive, for HR's settings page."""
    failure = ChatFailure.objects.create(provider=provider, recipient=recipient, kind=kind[:60],
                                         reason=reason[:500], is_test=is_test)
    stale = ChatFailure.objects.order_by("-at", "-id").values_list("id", flat=True)[FAILURES_KEPT:]
    ChatFailure.objects.filter(id__in=list(stale)).delete()
    return failure


@dataclass(frozen=True)
class ChatTestOutcome:
    ok: bool
    detail: str


def chat_test_send(*, actor: User) -> ChatTestOutcome:
    """Send a test message to the HR admin themself and remember the outcome on the settings row.

    Not atomic on purpose: no transaction is held open while a chat service answers (up to 5 s).
    """
    row = chat_settings_get()
    config = chat_config(row)
    if not config.ready:
        detail = _("Choose a chat tool and enter its secret first.")
        return ChatTestOutcome(False, detail)
    settings_url = settings.SITE_URL + reverse("notifications:chat_settings")
    content = ChatContent(
        title=_("Flipside test message"),
        text=_("If you can read this, Flipside can reach people in %(tool)s. People who choose chat "
               "under Account → Notifications get their reminders, surveys and nudges here.")
        % {"tool": row.get_provider_display()},
        links=(Link(_("Open the chat settings"), settings_url),),
    )
    try:
        provider_id = chat_send(config=config, email=actor.email, name=actor.display_name, content=content)
    except DeliveryError as error:
        result = ChatTestOutcome(False, error.reason)
        chat_failure_record(provider=row.provider, reason=error.reason, recipient=actor, kind="test",
                            is_test=True)
    else:
        result = ChatTestOutcome(True, _("it arrived in %(tool)s.") % {"tool": row.get_provider_display()})
        logger.info("chat test message delivered (%s)", provider_id)
    ChatSettings.objects.filter(pk=1).update(last_test_at=timezone.now(), last_test_ok=result.ok,
                                             last_test_detail=result.detail[:300])
    return result


@transaction.atomic
def channel_preferences_update(*, user: User, choices: dict[str, str]) -> None:
    """Save how a person wants each kind of message (e-mail, chat or both)."""
    rows = []
    for kind, channels in choices.items():
        row = ChannelPreference(user=user, kind=kind, channels=channels)
        row.full_clean(exclude=["user"], validate_unique=False)
        rows.append(row)
    ChannelPreference.objects.bulk_create(rows, update_conflicts=True, unique_fields=["user", "kind"],
                                          update_fields=["channels"])
