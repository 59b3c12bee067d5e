from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.tokens import MAX_EXPIRY_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("What the token is for, e.g. “Workday sync”.")
    )
    access = forms.ChoiceField(
        label=_("Access"),
        initial="read",
        widget=forms.RadioSelect,
        choices=[
            ("read", _("Read-only")),
            ("write", _("Read and write (HR admins: enrolments, matching, publishing)")),
        ],
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        initial=90,
        required=False,
        help_text=_("Leave empty for a token that does not expire."),
    )
