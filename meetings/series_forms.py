"""Forms for recurring slots: the day, time and rhythm are typed in the proposer's own zone."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import DATE_WIDGET, TIME_WIDGET, PlaceMixin, ZonedForm, _length_choices
from meetings.series import INTERVALS, default_until

INTERVAL_CHOICES = [(1, _("Every week")), *[(n, _("Every %(n)s weeks") % {"n": n}) for n in INTERVALS[1:]]]


class SeriesForm(ZonedForm, PlaceMixin):
    first_day = forms.DateField(label=_("First session"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_WIDGET)
    interval_weeks = forms.TypedChoiceField(label=_("How often"), coerce=int, choices=INTERVAL_CHOICES)
    until = forms.DateField(
        label=_("Last possible day"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leave empty to run until the program ends."),
    )
    minutes = forms.TypedChoiceField(label=_("Length"), coerce=int)

    field_order = [
        "first_day",
        "start_time",
        "interval_weeks",
        "until",
        "minutes",
        "mode",
        "location",
        "video_link",
        "tz",
    ]

    def __init__(self, *args, pair, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        program = pair.program
        self.fields["minutes"].choices = _length_choices(program)
        self.fields["minutes"].initial = program.session_minutes
        self.fields["interval_weeks"].initial = min(program.cadence_weeks, INTERVALS[-1])
        if program.ends_on:
            self.fields["until"].initial = program.ends_on
        self.setup_place(pair)

    def clean(self):
        cleaned = super().clean()
        if not self.zone_ok:
            return cleaned
        # The first instance must name one real instant in the proposer's zone (no DST gap or fold).
        if self.local_to_utc("first_day", "start_time") is not None and cleaned.get("until") is None:
            cleaned["until"] = default_until(self.place_pair.program, cleaned["first_day"])
        self.check_place()
        return cleaned

    def values(self) -> dict[str, object]:
        cleaned = self.cleaned_data
        return {
            "first_day": cleaned["first_day"],
            "start_time": cleaned["start_time"],
            "interval_weeks": cleaned["interval_weeks"],
            "until": cleaned.get("until"),
            "minutes": cleaned["minutes"],
            **self.place(),
        }


class SeriesEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you ending it?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your partner sees this in the e-mail."),
        error_messages={"required": _("Say why you are ending the recurring slot.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
