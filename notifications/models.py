"""The one outbox: a ``Message`` per thing to tell one person, a ``Delivery`` per channel it goes by.

A message's ``key`` is its idempotency key (``<kind>:<what>[:<recipient>]``): queueing the same key
twice — a second beat, a retried task, a double click — finds the row that exists and adds nothing.
Each delivery is *claimed* (``claimed_until``, ``claim_id``) before its channel is called and stamped
``sent_at`` right after; a worker that dies holding a claim leaves it to expire (the lease).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One message to one person. What it says is rendered when it is delivered, by its kind's handler
    (see :mod:`notifications.kinds`), from the domain row ``ref_id`` points to and ``context``."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The domain row the message is about (a reminder, an invitation …), loaded by the kind's handler.
    ref_id = models.BigIntegerField(null=True, blank=True)
    # Plain values only (ids, names, flags): never notes or answers.
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "ref_id"], name="message_kind_ref")]

    def __str__(self) -> str:
        return self.key


class Delivery(models.Model):
    """One message by one channel: delivered exactly once, or failed/skipped with the reason."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent (no longer relevant)")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_id = models.UUIDField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"], condition=Q(state="pending"), name="delivery_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery of message {self.message_id} ({self.state})"
