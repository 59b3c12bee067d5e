from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User, available_time_zones


def time_zone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(available_time_zones()) if "/" in z or z == "UTC"]


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
        fields = ["full_name", "time_zone", "nudges_opt_out", "accepts_night_sessions"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}
