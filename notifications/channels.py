"""Delivery channels: how a rendered message reaches a person.

A channel is ``Callable[[Message, Rendered], str]``: it delivers the message or raises, and returns
the provider's id for it ("" when there is none). Errors it can classify it raises as
:class:`DeliveryError`; mail-transport errors (``SMTPException``, ``OSError``) mean the channel
itself is down right now, and the outbox gives the whole batch back (see ``notifications.outbox``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from smtplib import SMTPException
from typing import TYPE_CHECKING

from django.core.mail import EmailMultiAlternatives, get_connection

if TYPE_CHECKING:
    from notifications.models import Message
    from notifications.render import Rendered
    from notifications.selectors import ChannelChoices

# The channel is unreachable: the batch is released and the task retries with backoff.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (SMTPException, OSError)


class DeliveryError(Exception):
    """A delivery that did not happen. ``permanent``: it never will (unknown user, revoked token);
    otherwise it is retried later, not before ``retry_after`` seconds when the provider said so."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


# One mail connection per delivery batch (opened on first use, closed by ``batch()``).
_mail: ContextVar[list | None] = ContextVar("notifications_mail", default=None)


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Deliver everything inside over one SMTP connection."""
    holder: list = []
    token = _mail.set(holder)
    try:
        yield
    finally:
        _mail.reset(token)
        if holder:
            with contextlib.suppress(*TRANSPORT_ERRORS):
                holder[0].close()


def _connection():
    holder = _mail.get()
    if holder is None:
        return get_connection()
    if not holder:
        connection = get_connection()
        connection.open()
        holder.append(connection)
    return holder[0]


def send_email(message: Message, rendered: Rendered) -> str:
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=rendered.from_email,
        to=[rendered.to],
        # The outbox key on every message makes a duplicate easy to spot (and to test for).
        headers={"X-Flipside-Outbox": message.key, **rendered.headers},
        connection=_connection(),
    )
    email.attach_alternative(rendered.html, "text/html")
    for name, content, mimetype in rendered.attachments:
        email.attach(name, content, mimetype)
    email.send()
    return ""


def send_chat(message: Message, rendered: Rendered) -> str:
    """Slack or Microsoft Teams, whichever HR connected (see ``notifications.chat_channel``)."""
    from notifications.chat_channel import send_chat as send

    return send(message, rendered)


Channel = Callable[["Message", "Rendered"], str]
CHANNELS: dict[str, Channel] = {"email": send_email, "chat": send_chat}

# The channel choices of the people a batch is queued for, read once (see ``choices_prefetched``).
_choices: ContextVar[ChannelChoices | None] = ContextVar("notifications_channel_choices", default=None)


@contextlib.contextmanager
def choices_prefetched(users: Iterable) -> Iterator[None]:
    """Inside, ``channels_for`` answers for these people without a query per person."""
    from notifications.selectors import channel_choices_for

    token = _choices.set(channel_choices_for(list(users)))
    try:
        yield
    finally:
        _choices.reset(token)


def channels_for(*, user, kind: str) -> frozenset[str]:
    """The channels a message of this preference kind ("reminders", "surveys", "nudges", "other")
    goes to this person by: their choice (e-mail, chat or both) while a chat tool is connected,
    e-mail otherwise."""
    from notifications.selectors import channel_choices_for

    choices = _choices.get() or channel_choices_for([user])
    return choices.channels(user=user, kind=kind)
