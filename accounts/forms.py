from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import User, available_time_zones


def time_zone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(available_time_zones()) if "/" in z or z == "UTC"]


def language_choices() -> list[tuple[str, str]]:
    """"Follow my browser" (blank), then each language named in itself ("Deutsch")."""
    own = [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]
    return [("", _("Same as my browser")), *own]


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("help_text", _("Session times are shown to you in this zone."))
        super().__init__(choices=time_zone_choices, **kwargs)
        # flipside.js preselects the browser's zone on sign-up when the field is untouched.
        self.widget.attrs["data-detect-timezone"] = "true"


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    time_zone = TimeZoneField(initial="UTC")

    def signup(self, request, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.time_zone = self.cleaned_data["time_zone"]
        user.save(update_fields=["full_name", "time_zone"])


class PreferencesForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = User
        fields = ["full_name", "time_zone", "language", "nudges_opt_out", "accepts_night_sessions"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}
        labels = {"language": _("Language")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Language names in their own language, so a person who cannot read the page still finds theirs.
        self.fields["language"].choices = language_choices()
