"""Forms of circles: they read what people type (times in *their* zone) and hand clean values to
the services, which own the rules."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from circles.models import Circle, CircleSession
from meetings.forms import DATE_WIDGET, TIME_WIDGET, MeetingsForm, ZonedForm
from meetings.services import allowed_modes
from programs.models import Topic

LENGTHS = [30, 45, 60, 75, 90, 120]


class EnrollmentChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        user = obj.user
        side = _("junior mentor") if obj.is_mentor else _("senior mentee")
        return f"{user.display_name} · {side} · {user.department or '—'}"


class CircleForm(MeetingsForm):
    """HR builds a circle: what it is, who hosts and who is in it."""

    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Circle.Kind.choices, widget=forms.RadioSelect,
                             initial=Circle.Kind.LEARNING,
                             help_text=_("A learning circle: one junior teaches 2–8 seniors. A peer circle: "
                                         "junior mentors share what works. An open session: anyone in the "
                                         "program may join, up to the places."))
    purpose = forms.CharField(label=_("Purpose"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    topics = forms.ModelMultipleChoiceField(label=_("Topics"), queryset=Topic.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    hosts = EnrollmentChoice(label=_("Host(s)"), queryset=None, widget=forms.CheckboxSelectMultiple)
    members = EnrollmentChoice(label=_("Members"), queryset=None, required=False,
                               widget=forms.CheckboxSelectMultiple)
    places = forms.IntegerField(label=_("Places"), min_value=2, max_value=50, initial=8,
                                help_text=_("How many members the circle takes (hosts not counted)."))
    cadence_weeks = forms.IntegerField(label=_("Meets every (weeks)"), min_value=1, max_value=26, initial=4)

    def __init__(self, *args, enrollments, topics, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hosts"].queryset = enrollments
        self.fields["members"].queryset = enrollments
        self.fields["topics"].queryset = topics


class SessionForm(ZonedForm):
    """A host books a session: a day and a start in their own zone, a length and the places."""

    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET)
    start = forms.TimeField(label=_("Start"), widget=TIME_WIDGET)
    minutes = forms.TypedChoiceField(label=_("Length"), coerce=int,
                                     choices=[(m, _("%(n)s minutes") % {"n": m}) for m in LENGTHS])
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=50,
                                help_text=_("How many members can come. Answers beyond this are refused."))
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    mode = forms.ChoiceField(label=_("How you meet"), choices=CircleSession.Mode.choices,
                             widget=forms.RadioSelect)
    location = forms.CharField(label=_("Place"), max_length=200, required=False,
                               help_text=_("For meeting in person: a room, a café, a floor."))
    video_link = forms.CharField(label=_("Video link"), max_length=500, required=False,
                                 help_text=_("For a video call: the full https:// link, or send it later."))
    propose = forms.BooleanField(label=_("Only propose this time (members see it as tentative)"),
                                 required=False)

    field_order = ["day", "start", "minutes", "places", "topic", "mode", "location", "video_link", "propose",
                   "tz"]

    def __init__(self, *args, circle: Circle, members: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        program = circle.program
        self.fields["minutes"].initial = min(LENGTHS, key=lambda m: abs(m - program.session_minutes))
        self.fields["places"].initial = max(members, 1)
        self.fields["topic"].queryset = circle.topics.all() if circle.topics.exists() else Topic.objects.all()
        modes = allowed_modes(program)
        self.fields["mode"].choices = [(m, label) for m, label in CircleSession.Mode.choices if m in modes]
        self.fields["mode"].initial = modes[0]
        self.starts_at = self.ends_at = None

    def clean(self):
        cleaned = super().clean()
        if self.zone_ok:
            self.starts_at = self.local_to_utc("day", "start")
            if self.starts_at and cleaned.get("minutes"):
                self.ends_at = self.starts_at + timedelta(minutes=cleaned["minutes"])
        return cleaned

    def booking(self) -> dict[str, object]:
        data = self.cleaned_data
        return {"starts_at": self.starts_at, "ends_at": self.ends_at, "places": data["places"],
                "mode": data["mode"], "location": data.get("location", ""),
                "video_link": data.get("video_link", "").strip(), "topic": data.get("topic"),
                "propose": data.get("propose", False)}


class CancelForm(MeetingsForm):
    reason = forms.CharField(label=_("Why (members see this)"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(MeetingsForm):
    """The session's notes: a shared summary, the reader's own reflection, topics, action items."""

    summary_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    shared_summary = forms.CharField(label=_("Shared summary (every member can read it)"), max_length=5000,
                                     required=False, widget=forms.Textarea(attrs={"rows": 5}))
    reflection = forms.CharField(label=_("Private reflection (only you can ever read it)"), max_length=5000,
                                 required=False, widget=forms.Textarea(attrs={"rows": 4}))
    topics = forms.ModelMultipleChoiceField(label=_("Topics taught"), queryset=Topic.objects.all(),
                                            required=False, widget=forms.CheckboxSelectMultiple)
    action_owner = forms.TypedChoiceField(label=_("Action item for"), coerce=int, required=False)
    action_text = forms.CharField(label=_("Action item"), max_length=300, required=False)

    def __init__(self, *args, people, is_host: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = {u.pk: u for u in people}
        self.fields["action_owner"].choices = [("", "—")] + [(u.pk, u.display_name) for u in people]
        if not is_host:
            del self.fields["topics"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action_text") and not cleaned.get("action_owner"):
            self.add_error("action_owner", _("Say whose action item it is."))
        return cleaned

    def actions(self) -> list[tuple[object, str]]:
        owner, text = self.cleaned_data.get("action_owner"), self.cleaned_data.get("action_text", "")
        return [(self.people[owner], text)] if owner and text.strip() else []


class FeedbackForm(MeetingsForm):
    rating = forms.TypedChoiceField(
        label=_("How useful was the session for you?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 · very useful")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 · not useful"))])
