"""What the chat channels hold about a person: their channel choices and the chat failures
addressed to them (see accounts/privacy.py)."""

from __future__ import annotations

from accounts.privacy import row
from notifications.models import ChannelPreference, ChatFailure


def export(user) -> dict:
    return {
        "channel_preferences": [row(p) for p in ChannelPreference.objects.filter(user=user)],
        "chat_failures": [row(f) for f in ChatFailure.objects.filter(recipient=user)],
    }


def erase(user) -> None:
    ChannelPreference.objects.filter(user=user).delete()
    # A failure reason can quote what the chat service said about the person.
    ChatFailure.objects.filter(recipient=user).delete()
