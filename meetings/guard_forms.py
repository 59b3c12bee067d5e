"""What the booking forms add for issue 18: a topic from the program's menu, and the out-of-hours
guard's warning with its confirmation (a checkbox posted with the second submit; no JavaScript).

The checkbox carries the signature of the warned times (meetings.hours.signature), so a tick given
for one set of times does not confirm other times typed afterwards.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meetings import hours
from meetings.topics import menu_for

CONFIRM = "confirm_hours"


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        junior = obj.direction == "junior_teaches"
        return f"{obj.topic.name} ({gettext('mentor teaches') if junior else gettext('mentee teaches')})"


def add_topic_field(form: forms.Form, pair, *, initial=None) -> None:
    """An optional topic from the pair's program menu (left out when the menu is empty)."""
    menu = menu_for(pair)
    if not menu.exists():
        return
    form.fields["topic"] = TopicChoiceField(
        label=_("Topic"), queryset=menu, required=False, initial=initial, empty_label=_("No topic yet"),
        help_text=_("Its agenda and preparation kit go into the invitation and onto the session page."))


class HoursGuardMixin(forms.Form):
    """Call ``guard_hours`` from ``clean`` once the times are known."""

    confirm_hours = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hours_warnings: list[str] = []
        self.hours_signature = ""

    def guard_hours(self, *, pair, times: list[tuple[datetime, datetime]], fields: list[str]) -> None:
        verdicts = hours.check(pair=pair, actor=self.user, times=times)
        for field, verdict in zip(fields, verdicts, strict=True):
            if verdict.level is hours.Level.REFUSE:
                self.add_error(field if field in self.fields else None, verdict.message)
        self.hours_warnings = [v.message for v in verdicts if v.level is hours.Level.WARN]
        self.hours_signature = hours.signature(verdicts)
        if self.hours_warnings and self.cleaned_data.get(CONFIRM) != self.hours_signature:
            # The summary at the top (read out first) names the partner's local time as well.
            self.add_error(None, " ".join(self.hours_warnings) + " " + gettext(
                "Tick “send it anyway” above the button to go ahead, or pick another time."))

    def hours_confirmed(self) -> str:
        """What the service checks the confirmation against (the signature the person ticked)."""
        return self.cleaned_data.get(CONFIRM) or ""
