"""The dashboard's filters (GET parameters, so a filtered view can be shared as a link)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.dates import show_month
from evaluation.selectors import Filters

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


class FilterForm(forms.Form):
    """Date range, department and intake. Departments and intakes are offered only when at least
    k people are behind them (and no smaller group could be worked out from them)."""

    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    department = forms.ChoiceField(label=_("Department"), required=False)
    cohort = forms.ChoiceField(label=_("Intake"), required=False,
                               help_text=_("The month people applied."))

    # GET names in the URL ("from" is a Python keyword, so fields map to shorter names).
    PARAMS = {"from": "date_from", "to": "date_to", "department": "department", "cohort": "cohort"}

    def __init__(self, query, *, departments: list[str], cohorts: list[dt.date], k: int):
        data = {param: query.get(param, "") for param in self.PARAMS}
        super().__init__(data if any(v.strip() for v in data.values()) else None)
        self.k = k
        self.fields["department"].choices = [("", _("All departments")), *[(d, d) for d in departments]]
        intakes = [(c.strftime("%Y-%m"), show_month(c)) for c in cohorts]
        self.fields["cohort"].choices = [("", _("All intakes")), *intakes]
        self.fields["department"].error_messages["invalid_choice"] = _(
            "Choose a department from the list. Departments with fewer than %(k)s participants cannot be "
            "shown on their own.") % {"k": k}
        self.fields["cohort"].error_messages["invalid_choice"] = _(
            "Choose an intake from the list. Intakes with fewer than %(k)s participants cannot be shown "
            "on their own.") % {"k": k}
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _("Enter a date as YYYY-MM-DD.")

    def add_prefix(self, field_name: str) -> str:
        reverse = {field: param for param, field in self.PARAMS.items()}
        return reverse.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Choose a date between 2000 and 2100."))
                data[name] = None
        if data.get("department") and data.get("cohort"):
            # Department × intake would publish the cells of a two-way table whose margins the single
            # filters publish: hidden cells could then be worked out from the margins.
            self.add_error("cohort", _("Choose a department or an intake, not both: together they can single "
                                       "out groups of fewer than %(k)s people.") % {"k": self.k})
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range must not be before its start."))
        return data

    def filters(self) -> Filters:
        """The validated filters (no filters for an unbound form)."""
        if not self.is_bound:
            return Filters()
        data = self.cleaned_data
        cohort = None
        if data.get("cohort"):
            year, month = (int(part) for part in data["cohort"].split("-"))
            cohort = dt.date(year, month, 1)
        return Filters(date_from=data.get("date_from"), date_to=data.get("date_to"),
                       department=data.get("department") or None, cohort=cohort)
