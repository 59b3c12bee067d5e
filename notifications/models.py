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
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
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


# Chat channels


class ChatSettings(models.Model):
    """The organisation's one chat connection (Slack or Microsoft Teams); a single row (id 1).

    The secret (Slack bot token or Teams webhook URL) is stored sealed (notifications.sealing) and
    never shown back in full; the SLACK_BOT_TOKEN / TEAMS_WEBHOOK_URL environment variables take
    precedence when a deployment keeps its secrets there.
    """

    class Provider(models.TextChoices):
        NONE = "", _("No chat tool (e-mail only)")
        SLACK = "slack", _("Slack")
        TEAMS = "teams", _("Microsoft Teams")

    provider = models.CharField(_("chat tool"), max_length=10, choices=Provider.choices, blank=True,
                                default=Provider.NONE)
    secret_sealed = models.TextField(blank=True, default="", editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_detail = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("chat settings")
        verbose_name_plural = _("chat settings")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="chat_settings_single_row")]

    def __str__(self) -> str:
        return str(self.get_provider_display())


class ChatFailure(models.Model):
    """A chat message that will not arrive (or a failed test message): shown to HR on the settings page."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    provider = models.CharField(max_length=10, choices=ChatSettings.Provider.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    kind = models.CharField(max_length=60, blank=True, default="")
    reason = models.CharField(max_length=500)
    is_test = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.provider}: {self.reason}"


class ChannelPreference(models.Model):
    """How one person wants one kind of message: by e-mail, in chat, or both.

    No row means e-mail only, which is also what everyone gets while no chat tool is connected.
    """

    class Kind(models.TextChoices):
        REMINDERS = "reminders", _("Session reminders")
        SURVEYS = "surveys", _("Surveys and survey reminders")
        NUDGES = "nudges", _("Nudges when a pair falls behind")
        OTHER = "other", _("Everything else (invitations, pair offers, notices)")

    class Channels(models.TextChoices):
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat")
        BOTH = "both", _("Both")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="channel_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channels = models.CharField(max_length=10, choices=Channels.choices, default=Channels.EMAIL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="channel_preference_once_per_kind"),
            models.CheckConstraint(condition=models.Q(kind__in=["reminders", "surveys", "nudges", "other"]),
                                   name="channel_preference_known_kind"),
            models.CheckConstraint(condition=models.Q(channels__in=["email", "chat", "both"]),
                                   name="channel_preference_known_channels"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channels}"

    @property
    def channel_set(self) -> frozenset[str]:
        if self.channels == self.Channels.BOTH:
            return frozenset({"email", "chat"})
        return frozenset({self.channels})
