"""Reads of the chat channels: the organisation's connection, recent failures, personal preferences."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from notifications.chat import ChatConfig
from notifications.models import ChannelPreference, ChatFailure, ChatSettings
from notifications.sealing import SecretUnreadable, mask, unseal

EMAIL_ONLY = frozenset({"email"})

# Where a deployment may put each provider's secret instead of the database.
ENVIRONMENT_SECRETS = {ChatSettings.Provider.SLACK: "SLACK_BOT_TOKEN",
                       ChatSettings.Provider.TEAMS: "TEAMS_WEBHOOK_URL"}


def chat_settings_get() -> ChatSettings:
    """The settings row; an unsaved default one when HR has never saved the page."""
    return ChatSettings.objects.filter(pk=1).select_related("updated_by").first() or ChatSettings(pk=1)


def environment_secret(provider: str) -> str:
    name = ENVIRONMENT_SECRETS.get(provider)
    return getattr(settings, name, "") if name else ""


@dataclass(frozen=True)
class SecretState:
    """What the settings page may say about the secret: where it comes from and its last 4 characters."""

    source: str  # "environment", "stored", "unreadable" or "missing"
    masked: str = ""
    variable: str = ""

    @property
    def last4(self) -> str:
        return self.masked.lstrip("•")


def _resolve(row: ChatSettings) -> tuple[str, SecretState]:
    from_env = environment_secret(row.provider)
    if from_env:
        return from_env, SecretState("environment", mask(from_env), ENVIRONMENT_SECRETS[row.provider])
    if not row.secret_sealed:
        return "", SecretState("missing")
    try:
        secret = unseal(row.secret_sealed)
    except SecretUnreadable:
        return "", SecretState("unreadable")
    return secret, SecretState("stored", mask(secret))


def chat_config(row: ChatSettings | None = None) -> ChatConfig:
    """The connection delivery uses (one query unless the row is given)."""
    row = row or chat_settings_get()
    if not row.provider:
        return ChatConfig()
    secret, state = _resolve(row)
    return ChatConfig(provider=row.provider, secret=secret, from_environment=state.source == "environment")


def chat_secret_state(row: ChatSettings) -> SecretState:
    if not row.provider:
        return SecretState("missing")
    return _resolve(row)[1]


def chat_failures_recent(*, limit: int = 20) -> list[ChatFailure]:
    """The latest chat failures, newest first, with their recipients (one query)."""
    return list(ChatFailure.objects.select_related("recipient")[:limit])


def channel_preferences_of(user) -> dict[str, str]:
    """Every kind with the person's choice; kinds they never chose are e-mail (one query)."""
    chosen = dict(ChannelPreference.objects.filter(user=user).values_list("kind", "channels"))
    email = ChannelPreference.Channels.EMAIL
    return {kind: chosen.get(kind, email) for kind in ChannelPreference.Kind.values}


def preference_kind(message_kind: str) -> str:
    """The preference for a message kind: "meeting_reminder" → reminders, "survey_reminder" → surveys."""
    kind = message_kind.lower()
    if kind in ChannelPreference.Kind.values:
        return kind
    if "survey" in kind:
        return ChannelPreference.Kind.SURVEYS
    if "nudge" in kind or "escalat" in kind:
        return ChannelPreference.Kind.NUDGES
    if "reminder" in kind:
        return ChannelPreference.Kind.REMINDERS
    return ChannelPreference.Kind.OTHER


def _as_channels(choice: str | None) -> frozenset[str]:
    if choice == ChannelPreference.Channels.BOTH:
        return frozenset({"email", "chat"})
    if choice == ChannelPreference.Channels.CHAT:
        return frozenset({"chat"})
    return EMAIL_ONLY


@dataclass(frozen=True)
class ChannelChoices:
    """The chat connection and the channel choices of a batch of people, read once for the batch."""

    config: ChatConfig
    user_ids: frozenset[int]
    chosen: dict[tuple[int, str], str]

    def channels(self, *, user, kind: str) -> frozenset[str]:
        if user is None or not self.config.ready:
            return EMAIL_ONLY
        if user.pk not in self.user_ids:  # someone the batch did not know: read them alone
            return channel_choices_for([user], config=self.config).channels(user=user, kind=kind)
        return _as_channels(self.chosen.get((user.pk, preference_kind(kind))))


def channel_choices_for(users, *, config: ChatConfig | None = None) -> ChannelChoices:
    """Channel choices of many people in at most two queries (none of theirs while chat is off)."""
    config = config or chat_config()
    ids = frozenset(u.pk for u in users if u is not None)
    if not config.ready or not ids:
        return ChannelChoices(config, ids, {})
    rows = ChannelPreference.objects.filter(user_id__in=ids).values_list("user_id", "kind", "channels")
    return ChannelChoices(config, ids, {(user_id, kind): channels for user_id, kind, channels in rows})


def preferred_channels(*, user, kind: str, config: ChatConfig | None = None) -> frozenset[str]:
    """The channels a message of ``kind`` goes to for ``user``: e-mail unless chat is connected and chosen."""
    return channel_choices_for([user], config=config).channels(user=user, kind=kind)
