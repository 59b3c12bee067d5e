"""The outbox's "chat" channel: a rendered message delivered to its person in Slack or Microsoft Teams.

The same subject, text and links as the e-mail (``Rendered.links`` become buttons; without them the
HTML body's links do). Errors are classified by :mod:`notifications.chat`; the outbox retries the
transient ones and falls back to e-mail on a permanent one. Permanent failures, and transient ones on
their last attempt, are also recorded for HR's settings page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _

from notifications.channels import DeliveryError
from notifications.chat import chat_send
from notifications.chat_payloads import ChatContent, Link, links_from
from notifications.models import Delivery
from notifications.render import language_of
from notifications.selectors import chat_config
from notifications.services import chat_failure_record

if TYPE_CHECKING:
    from notifications.models import Message
    from notifications.render import Rendered


def chat_content(rendered: Rendered, *, language: str | None = None, reference: str = "") -> ChatContent:
    links = tuple(Link(label, url) for label, url in rendered.links if url.startswith(("https://", "http://")))
    if not links:
        with translation.override(language):
            links = links_from(html=rendered.html, text=rendered.text, fallback_label=_("Open"))
    return ChatContent(title=rendered.subject, text=rendered.text.strip(), links=links[:5],
                       reference=reference)


def _last_attempt(message: Message) -> bool:
    from notifications.outbox import MAX_ATTEMPTS

    attempts = (Delivery.objects.filter(message=message, channel=Delivery.Channel.CHAT)
                .values_list("attempts", flat=True).first())
    return (attempts or 0) >= MAX_ATTEMPTS


def send_chat(message: Message, rendered: Rendered) -> str:
    recipient = message.recipient
    if recipient is None:
        raise DeliveryError(_("The message has no recipient."), permanent=True)
    config = chat_config()
    if not config.ready:
        # HR disconnected the chat tool after this was queued: e-mail carries it; nothing to list.
        raise DeliveryError(_("No chat tool is connected."), permanent=True)
    content = chat_content(rendered, language=language_of(recipient), reference=message.key)
    try:
        return chat_send(config=config, email=recipient.email, name=recipient.display_name, content=content)
    except DeliveryError as error:
        if error.permanent or _last_attempt(message):
            chat_failure_record(provider=config.provider, recipient=recipient, kind=message.kind,
                                reason=error.reason)
        raise
