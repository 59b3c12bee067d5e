"""Forms of the chat channels: HR's connection settings and a person's channel preferences."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from notifications.models import ChannelPreference, ChatSettings
from notifications.selectors import SecretState, environment_secret

# A webhook must be https; plain http is accepted only on this machine (a local test server).
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class ChatSettingsForm(forms.Form):
    provider = forms.ChoiceField(label=_("Chat tool"), choices=ChatSettings.Provider.choices, required=False,
                                 widget=forms.RadioSelect)
    secret = forms.CharField(
        label=_("Slack bot token or Teams webhook URL"), required=False, max_length=2000, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Slack: the Bot User OAuth Token (starts with xoxb-) of an app with the chat:write, "
                    "users:read and users:read.email scopes. Teams: the URL of an incoming webhook or of a "
                    "Workflows flow “when a Teams webhook request is received”. Leave empty to keep the "
                    "current one."),
    )

    def __init__(self, *args, current: ChatSettings, secret_state: SecretState, **kwargs) -> None:
        kwargs.setdefault("initial", {"provider": current.provider})
        super().__init__(*args, **kwargs)
        self.current = current
        self.secret_state = secret_state
        self.fields["secret"].widget.attrs["aria-describedby"] = "id_secret_helptext id_secret_state"

    def clean(self) -> dict:
        data = super().clean()
        provider = data.get("provider", "")
        secret = data.get("secret", "")
        if not provider:
            data["secret"] = ""
            return data
        if environment_secret(provider):
            # The environment wins; a value typed here would be stored but never used.
            if secret:
                self.add_error("secret", _("This server takes the secret from its environment; "
                                           "leave the field empty."))
            return data
        if not secret:
            unchanged = provider == self.current.provider and self.secret_state.source == "stored"
            if not unchanged:
                self.add_error("secret", _("Enter the secret for this chat tool."))
            return data
        if provider == ChatSettings.Provider.SLACK:
            if not secret.startswith("xoxb-") or any(c.isspace() for c in secret) or len(secret) > 255:
                self.add_error("secret", _("A Slack bot token starts with “xoxb-” and has no spaces."))
        elif provider == ChatSettings.Provider.TEAMS:
            self._check_webhook(secret)
        return data

    def _check_webhook(self, url: str) -> None:
        try:
            URLValidator(schemes=["https", "http"])(url)
        except forms.ValidationError:
            self.add_error("secret", _("Enter the full webhook URL, starting with https://."))
            return
        parts = urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in _LOOPBACK:
            self.add_error("secret", _("The webhook URL must start with https://."))


class ChannelPreferencesForm(forms.Form):
    """One e-mail / chat / both choice per kind of message."""

    def __init__(self, *args, current: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in ChannelPreference.Kind.choices:
            self.fields[kind] = forms.ChoiceField(label=label, choices=ChannelPreference.Channels.choices,
                                                  initial=current.get(kind), widget=forms.RadioSelect)
