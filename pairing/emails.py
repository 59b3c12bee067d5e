"""E-mails of the pairing workflow: a subject, a text body and an HTML body per message.

Messages are rendered when the transaction commits (so nothing is sent for a change that
rolled back) and each person's message is rendered in their own time zone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def render_message(*, template: str, recipient: User, context: dict) -> EmailMultiAlternatives:
    base = f"emails/pairing/{template}"
    ctx = {**context, "recipient": recipient, "site_url": settings.SITE_URL}
    with timezone.override(recipient.zone):
        subject = " ".join(render_to_string(f"{base}_subject.txt", ctx).split())
        text = render_to_string(f"{base}.txt", ctx)
        html = render_to_string(f"{base}.html", ctx)
    message = EmailMultiAlternatives(subject=f"[Flipside] {subject}", body=text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    return message


def send_after_commit(messages: list[tuple[str, User, dict]]) -> None:
    """Queue ``(template, recipient, context)`` messages to go out once the transaction commits."""
    if not messages:
        return

    def send() -> None:
        try:
            built = [render_message(template=t, recipient=r, context=c) for t, r, c in messages if r.email]
            with get_connection() as connection:
                connection.send_messages(built)
        except Exception:
            # The change is committed; a mail outage must not turn it into an error page.
            logger.exception("Could not send %d pairing e-mail(s)", len(messages))

    transaction.on_commit(send)
