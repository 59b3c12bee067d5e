"""Forms for booking and logging. They read what people type (a day and a time in *their* zone)
and hand clean UTC values to the services, which own the rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.dates import show_date, show_time
from meetings import slots
from meetings.formatting import both_zones
from meetings.guard_forms import HoursGuardMixin, add_topic_field
from meetings.models import Meeting
from meetings.services import allowed_lengths, allowed_modes, place_problems, slot_problems

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


def apply_service_errors(form: forms.Form, error: ValidationError,
                         aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: next to the field it names, else at the top."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = aliases.get(key, key)
        target = field if field in form.fields else None
        for item in errors:
            form.add_error(target, item.messages)


def parse_offered(value: str) -> datetime | None:
    """An offered time as posted back (ISO 8601 with its UTC offset), or None if it is not one."""
    try:
        moment = parse_datetime(str(value))
    except ValueError:
        return None
    if moment is None or moment.utcoffset() is None or not 2000 <= moment.year <= 2100:
        return None
    return moment


class AnyChoiceField(forms.ChoiceField):
    """A radio list of offered times that still accepts a time no longer offered (the service
    checks it and says why it is not possible, which beats "select a valid choice")."""

    default_error_messages = {"invalid_choice": _("That time is not one of the offered times.")}

    def valid_value(self, value) -> bool:
        return parse_offered(value) is not None


class AnyMultipleChoiceField(forms.MultipleChoiceField):
    default_error_messages = {"invalid_choice": _("That time is not one of the offered times.")}

    def valid_value(self, value) -> bool:
        return parse_offered(value) is not None


class MeetingsForm(forms.Form):
    """Labels without a trailing colon, like the rest of the product's forms."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ZonedForm(MeetingsForm):
    """A form whose times are typed in the viewer's zone, named in a hidden field.

    If the person changed their zone in another tab, the typed times would be read in a zone
    they did not mean: refuse, and show the form again in the current zone.
    """

    tz = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["tz"].initial = user.time_zone
        self.zone_ok = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("tz") and cleaned["tz"] != self.user.time_zone:
            self.zone_ok = False
            self.data = self.data.copy()
            self.data[self.add_prefix("tz")] = self.user.time_zone
            raise ValidationError(_(
                "Your time zone is now %(zone)s (it was changed, perhaps in another tab). The times you "
                "typed were meant for %(old)s, so nothing was saved: check them and send the form again."),
                params={"zone": self.user.time_zone, "old": cleaned["tz"]}, code="zone_mismatch")
        return cleaned

    def local_to_utc(self, date_field: str, time_field: str) -> datetime | None:
        """Read a day and a time in the viewer's zone; add a field error when they name no
        single instant (DST gap or fold) or only one of them was given."""
        day, at = self.cleaned_data.get(date_field), self.cleaned_data.get(time_field)
        if day is None and at is None:
            return None
        if day is None or at is None:
            missing = date_field if day is None else time_field
            if missing not in self.errors:
                self.add_error(missing, _("Give both a day and a time."))
            return None
        if not 2000 <= day.year <= 2100:
            self.add_error(date_field, _("Pick a day in the program, not in %(year)s.") % {"year": day.year})
            return None
        if at.minute % 15 or at.second:
            self.add_error(time_field, _("Pick a time on the quarter hour (:00, :15, :30 or :45)."))
            return None
        try:
            return slots.local_to_utc(day, at, self.user.zone)
        except slots.NonexistentLocalTime:
            self.add_error(time_field, _(
                "%(time)s on %(day)s does not exist in %(zone)s: the clocks go forward that night. "
                "Pick another time.") % {"time": show_time(at), "day": show_date(day),
                                         "zone": self.user.time_zone})
        except slots.AmbiguousLocalTime:
            self.add_error(time_field, _(
                "%(time)s on %(day)s happens twice in %(zone)s: the clocks go back that night. "
                "Pick another time.") % {"time": show_time(at), "day": show_date(day),
                                         "zone": self.user.time_zone})
        return None


def _length_choices(program) -> list[tuple[int, str]]:
    return [(m, _("%(n)s minutes") % {"n": m}) for m in allowed_lengths(program)]


class PlaceMixin(MeetingsForm):
    mode = forms.ChoiceField(label=_("How you meet"), choices=Meeting.Mode.choices, widget=forms.RadioSelect)
    location = forms.CharField(label=_("Place"), max_length=200, required=False,
                               help_text=_("For meeting in person: a room, a café, a floor."))
    video_link = forms.CharField(
        label=_("Video link"), max_length=500, required=False,
        help_text=_("For a video call: the full https:// link — or leave it empty and send it later."))

    def setup_place(self, pair) -> None:
        self.place_pair = pair
        modes = allowed_modes(pair.program)
        self.fields["mode"].choices = [(m, label) for m, label in Meeting.Mode.choices if m in modes]
        self.fields["mode"].initial = modes[0]
        self.fields["video_link"].initial = pair.program.video_link_for(pair.pk)
        if Meeting.Mode.VIDEO not in modes:
            del self.fields["video_link"]
        if Meeting.Mode.IN_PERSON not in modes:
            del self.fields["location"]

    def check_place(self) -> None:
        """Show problems with the place next to their fields now, not after the times are fixed."""
        if "mode" not in self.cleaned_data:
            return
        for field, message in place_problems(self.place_pair.program, **self.place()).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)

    def place(self) -> dict[str, str]:
        return {"mode": self.cleaned_data["mode"], "location": self.cleaned_data.get("location", ""),
                "video_link": self.cleaned_data.get("video_link", "").strip()}


class ProposeForm(HoursGuardMixin, ZonedForm, PlaceMixin):
    """Up to three times: ticked from the suggestions and/or typed in."""

    suggested = AnyMultipleChoiceField(label=_("Suggested times (free for both of you)"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    date_1 = forms.DateField(label=_("Day 1"), required=False, widget=DATE_WIDGET)
    time_1 = forms.TimeField(label=_("Start 1"), required=False, widget=TIME_WIDGET)
    date_2 = forms.DateField(label=_("Day 2"), required=False, widget=DATE_WIDGET)
    time_2 = forms.TimeField(label=_("Start 2"), required=False, widget=TIME_WIDGET)
    date_3 = forms.DateField(label=_("Day 3"), required=False, widget=DATE_WIDGET)
    time_3 = forms.TimeField(label=_("Start 3"), required=False, widget=TIME_WIDGET)
    minutes = forms.TypedChoiceField(label=_("Length"), coerce=int)

    field_order = ["suggested", "date_1", "time_1", "date_2", "time_2", "date_3", "time_3", "minutes",
                   "mode", "location", "video_link", "tz"]

    def __init__(self, *args, pair, partner, suggestions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pair = pair
        self.fields["suggested"].choices = [
            (start.isoformat(), both_zones(start, end, self.user, partner)) for start, end in suggestions]
        self.fields["minutes"].choices = _length_choices(pair.program)
        self.fields["minutes"].initial = pair.program.session_minutes
        self.setup_place(pair)
        add_topic_field(self, pair)
        self.slots: list[tuple[datetime, datetime]] = []
        self.slot_fields: list[str] = []

    def typed_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"date_{n}"], self[f"time_{n}"]) for n in (1, 2, 3)]

    def clean(self):
        cleaned = super().clean()
        minutes = cleaned.get("minutes")
        if not self.zone_ok or minutes is None:
            return cleaned
        length = timedelta(minutes=minutes)
        starts: list[tuple[datetime, str]] = []
        for value in cleaned.get("suggested") or []:
            starts.append((parse_offered(value), "suggested"))
        for n in (1, 2, 3):
            start = self.local_to_utc(f"date_{n}", f"time_{n}")
            if start is not None:
                starts.append((start, f"time_{n}"))
        if not starts and not self.errors:
            raise ValidationError(_("Offer at least one time: tick a suggestion or type a day and a time."))
        if len(starts) > 3:
            raise ValidationError(_("Offer at most three times (you chose %(n)s)."),
                                  params={"n": len(starts)})
        if len({start for start, _field in starts}) < len(starts):
            raise ValidationError(_("You offered the same time twice."))
        starts.sort()
        self.slots = [(start, start + length) for start, _field in starts]
        self.slot_fields = [field for _start, field in starts]
        # Every problem at once (the service checks again when saving).
        for (start, end), field in zip(self.slots, self.slot_fields, strict=True):
            for problem in slot_problems(pair=self.pair, actor=self.user, start=start, end=end):
                self.add_error(field, problem)
        self.check_place()
        if not self.errors:
            self.guard_hours(pair=self.pair, times=self.slots, fields=self.slot_fields)
        return cleaned

    def service_aliases(self) -> dict[str, str]:
        return {f"slot_{i}": field for i, field in enumerate(self.slot_fields)} | {
            "slots": "suggested", "confirm_hours": "__all__"}


class BookForm(HoursGuardMixin, ZonedForm, PlaceMixin):
    """Book straight into the partner's published availability: pick an open time or type one."""

    opening = AnyChoiceField(label=_("Open times"), required=False, widget=forms.RadioSelect)
    date = forms.DateField(label=_("Or another day"), required=False, widget=DATE_WIDGET)
    time = forms.TimeField(label=_("Start"), required=False, widget=TIME_WIDGET)
    minutes = forms.TypedChoiceField(label=_("Length"), coerce=int)

    field_order = ["opening", "date", "time", "minutes", "mode", "location", "video_link", "tz"]

    def __init__(self, *args, pair, partner, openings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opening"].choices = [
            (start.isoformat(), both_zones(start, end, self.user, partner)) for start, end in openings]
        self.fields["minutes"].choices = _length_choices(pair.program)
        self.fields["minutes"].initial = pair.program.session_minutes
        self.setup_place(pair)
        add_topic_field(self, pair)
        self.pair = pair
        self.starts_at: datetime | None = None
        self.ends_at: datetime | None = None
        self.time_field = "opening"

    def clean(self):
        cleaned = super().clean()
        minutes = cleaned.get("minutes")
        if not self.zone_ok or minutes is None:
            return cleaned
        typed = self.local_to_utc("date", "time")
        opening = cleaned.get("opening")
        if typed is not None and opening:
            raise ValidationError(_("Pick an open time or type one, not both."))
        if typed is not None:
            self.starts_at, self.time_field = typed, "time"
        elif opening:
            self.starts_at = parse_offered(opening)
        elif not self.errors:
            raise ValidationError(_("Pick one of the open times, or type a day and a time."))
        if self.starts_at:
            self.ends_at = self.starts_at + timedelta(minutes=minutes)
        self.check_place()
        if self.starts_at and not self.errors:
            self.guard_hours(pair=self.pair, times=[(self.starts_at, self.ends_at)], fields=[self.time_field])
        return cleaned


class PlaceForm(PlaceMixin):
    """How and where an existing session happens."""

    def __init__(self, *args, meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setup_place(meeting.pair)
        link = meeting.video_link or meeting.pair.program.video_link_for(meeting.pair_id)
        self.initial.update({"mode": meeting.mode, "location": meeting.location, "video_link": link})

    def clean(self):
        cleaned = super().clean()
        self.check_place()
        return cleaned


class ConfirmForm(MeetingsForm):
    slot = forms.ModelChoiceField(label=_("Pick a time"), queryset=None, widget=forms.RadioSelect,
                                  empty_label=None,
                                  error_messages={"required": _("Pick one of the times."),
                                                  "invalid_choice": _("Pick one of the proposed times.")})

    def __init__(self, *args, meeting, user, partner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = meeting.slots.all()
        self.fields["slot"].label_from_instance = lambda s: both_zones(s.starts_at, s.ends_at, user, partner)


class RescheduleForm(HoursGuardMixin, ZonedForm):
    date = forms.DateField(label=_("New day"), widget=DATE_WIDGET)
    time = forms.TimeField(label=_("New start"), widget=TIME_WIDGET)
    minutes = forms.TypedChoiceField(label=_("Length"), coerce=int)
    reason = forms.CharField(label=_("Why are you moving it?"), max_length=1000, widget=forms.Textarea(
        attrs={"rows": 3}), help_text=_("Your partner sees this in the e-mail and on the pair page."),
        error_messages={"required": _("Say why you are moving the session.")})

    field_order = ["date", "time", "minutes", "reason", "tz"]

    def __init__(self, *args, meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minutes"].choices = _length_choices(meeting.pair.program)
        self.fields["minutes"].initial = meeting.minutes if meeting.minutes in allowed_lengths(
            meeting.pair.program) else meeting.pair.program.session_minutes
        self.meeting = meeting
        self.starts_at: datetime | None = None
        self.ends_at: datetime | None = None

    def clean(self):
        cleaned = super().clean()
        if not self.zone_ok or cleaned.get("minutes") is None:
            return cleaned
        self.starts_at = self.local_to_utc("date", "time")
        if self.starts_at:
            self.ends_at = self.starts_at + timedelta(minutes=cleaned["minutes"])
            moved = (self.starts_at, self.ends_at) != (self.meeting.starts_at, self.meeting.ends_at)
            if moved and not self.errors:
                self.guard_hours(pair=self.meeting.pair, times=[(self.starts_at, self.ends_at)],
                                 fields=["time"])
        return cleaned


class CancelForm(MeetingsForm):
    reason = forms.CharField(label=_("Why are you cancelling?"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Your partner sees this in the e-mail and on the pair page."),
                             error_messages={"required": _("Say why you are cancelling.")})


class DeclineForm(MeetingsForm):
    reason = forms.CharField(label=_("A note for your partner (optional)"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(Meeting.Status.HELD, _("Held")),
                                         (Meeting.Status.NO_SHOW, _("No-show"))])


RATINGS = [("", _("Not now")), *[(str(n), str(n)) for n in range(1, 6)]]
ACTION_ROWS = 2


class SessionLogForm(MeetingsForm):
    """One person's part of a session log; the shared summary is edited by both."""

    topics = forms.ModelMultipleChoiceField(queryset=None, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    shared_summary = forms.CharField(
        label=_("Shared summary"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you talked about and agreed. Both of you can edit it."))
    summary_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    reflection = forms.CharField(
        label=_("Private reflection"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only you can ever read this — not your partner, HR or program leads."))
    goal_note = forms.CharField(label=_("Progress on your goals"), max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    goal_rating = forms.TypedChoiceField(label=_("How far along are you (1–5)?"), choices=RATINGS,
                                         coerce=int, empty_value=None, required=False,
                                         widget=forms.RadioSelect)

    def __init__(self, *args, topics, topics_label, people, today, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today  # the author's today, for due dates
        self.fields["topics"].queryset = topics
        self.fields["topics"].label = topics_label
        owners = [(str(person.pk), person.display_name) for person in people]
        for n in range(ACTION_ROWS):
            number = {"n": n + 1}
            self.fields[f"action_{n}_text"] = forms.CharField(
                label=_("Action item %(n)s") % number, max_length=300, required=False)
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label=_("Who does item %(n)s") % number, choices=owners, required=False)
            self.fields[f"action_{n}_due_on"] = forms.DateField(
                label=_("Item %(n)s due by") % number, required=False, widget=DATE_WIDGET)
        self.people = {str(person.pk): person for person in people}

    def action_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"action_{n}_text"], self[f"action_{n}_owner"], self[f"action_{n}_due_on"]]
                for n in range(ACTION_ROWS)]

    def action_items(self) -> list[tuple[str, object, object]]:
        items = []
        for n in range(ACTION_ROWS):
            text = (self.cleaned_data.get(f"action_{n}_text") or "").strip()
            if text:
                owner = self.people.get(self.cleaned_data.get(f"action_{n}_owner") or "")
                items.append((text, owner, self.cleaned_data.get(f"action_{n}_due_on")))
        return items

    def clean(self):
        cleaned = super().clean()
        for n in range(ACTION_ROWS):
            text = (cleaned.get(f"action_{n}_text") or "").strip()
            due_on = cleaned.get(f"action_{n}_due_on")
            if not text:
                if due_on:
                    self.add_error(f"action_{n}_text", _("Say what needs doing."))
                continue
            if cleaned.get(f"action_{n}_owner") not in self.people:
                self.add_error(f"action_{n}_owner", _("An action item belongs to one of you two."))
            if due_on is not None and due_on < self.today:
                self.add_error(f"action_{n}_due_on", _("Pick a due date from today on."))
        return cleaned

    def show_summary_conflict(self, conflict) -> None:
        """Put the partner's newer summary in the box (the page shows the author's beside it)."""
        self.data = self.data.copy()
        self.data["shared_summary"] = conflict.summary
        self.data["summary_revision"] = conflict.revision
        self.add_error("shared_summary", conflict.messages)
