from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from pairing.models import MAX_LANGUAGES, WEEKDAYS, Enrollment, ExitRequest, Pair, Profile
from programs.models import Direction, Program, ProgramTopic, Topic

PROFICIENCY = [
    (1, _("1 — beginner")),
    (2, _("2")),
    (3, _("3 — comfortable")),
    (4, _("4")),
    (5, _("5 — expert")),
]
PRIORITY = [(1, _("1 — first choice")), (2, _("2")), (3, _("3")), (4, _("4")), (5, _("5 — nice to have"))]
SKILL = [
    ("", _("Skip")),
    ("1", _("1 — new to me")),
    ("2", "2"),
    ("3", _("3 — working knowledge")),
    ("4", "4"),
    ("5", _("5 — could teach it")),
]


class TopicChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Topic"))
        kwargs.setdefault("empty_label", _("Choose a topic"))
        super().__init__(queryset=Topic.objects.order_by("name"), **kwargs)


class ProfileAboutForm(forms.ModelForm):
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=400,
        help_text=_("Languages you can hold a mentoring conversation in, separated by commas."),
        widget=forms.TextInput(attrs={"placeholder": _("English, Spanish")}),
    )

    class Meta:
        model = Profile
        fields = ["languages", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4, "maxlength": 1000})}
        help_texts = {"bio": _("A few lines your future pair will read: what you do, what you enjoy.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # The model's initial value is a list; shown as text in a new profile's box it read "[]",
            # which was then saved as a language.
            self.initial["languages"] = ", ".join(self.instance.languages or [])

    def clean_languages(self) -> list[str]:
        names = [part.strip() for part in self.cleaned_data["languages"].split(",") if part.strip()]
        if any(len(name) > 40 for name in names):
            raise forms.ValidationError(_("A language name is at most 40 characters."))
        if len({name.casefold() for name in names}) > MAX_LANGUAGES:
            raise forms.ValidationError(_("List at most %(n)s languages.") % {"n": MAX_LANGUAGES})
        return names


class ExpertiseForm(forms.Form):
    topic = TopicChoiceField()
    proficiency = forms.TypedChoiceField(label=_("How well you know it"), choices=PROFICIENCY, coerce=int)
    can_teach = forms.BooleanField(label=_("I am happy to teach it"), required=False, initial=True)


class InterestForm(forms.Form):
    topic = TopicChoiceField()
    priority = forms.TypedChoiceField(label=_("Priority"), choices=PRIORITY, coerce=int)


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int)
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Use 23:59 for the end of the day."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start >= end:
            self.add_error("end", _("The window must end after it starts (same day)."))
        return data


class ApplyForm(forms.Form):
    """Apply to a program: role, agreement, personal goals and an optional skill self-assessment."""

    role = forms.ChoiceField(label=_("I would like to join as"), widget=forms.RadioSelect)
    capacity = forms.TypedChoiceField(
        label=_("Mentees I can take (mentors only)"), coerce=int, required=False
    )
    learn_goals = forms.CharField(
        label=_("What I want to learn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your personal goals for this program, in your own words."),
    )
    teach_goals = forms.CharField(
        label=_("What I can teach"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Learning runs both ways: what could your pair learn from you?"),
    )
    agreement_version = forms.IntegerField(widget=forms.HiddenInput)
    accept_agreement = forms.BooleanField(
        label=_("I have read the agreement and accept it"),
        error_messages={"required": _("Accept the agreement to apply.")},
    )

    def __init__(
        self,
        *args,
        program: Program,
        roles: list[tuple[str, str]],
        program_topics: list[ProgramTopic],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["role"].choices = roles
        if len(roles) == 1:
            self.initial.setdefault("role", roles[0][0])
        if program.mentor_capacity > 1 and any(value == Enrollment.Role.MENTOR for value, _label in roles):
            self.fields["capacity"].choices = [(n, str(n)) for n in range(1, program.mentor_capacity + 1)]
            self.initial.setdefault("capacity", program.mentor_capacity)
        else:
            del self.fields["capacity"]
        self.skill_fields: dict[str, list[str]] = {Direction.JUNIOR_TEACHES: [], Direction.SENIOR_TEACHES: []}
        for pt in program_topics:
            name = f"skill_{pt.pk}"
            self.fields[name] = forms.ChoiceField(label=pt.topic.name, choices=SKILL, required=False)
            self.skill_fields[pt.direction].append(name)

    def skill_groups(self) -> list[tuple[str, list]]:
        labels = {
            Direction.JUNIOR_TEACHES: _("Topics junior mentors teach"),
            Direction.SENIOR_TEACHES: _("Topics senior mentees teach"),
        }
        return [
            (labels[d], [self[name] for name in names]) for d, names in self.skill_fields.items() if names
        ]

    def skill_scores(self) -> dict[int, int]:
        return {
            int(name.removeprefix("skill_")): int(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("skill_") and value
        }


class GoalsForm(forms.Form):
    """The personal goals only (a plain form: the enrolment's other rules are not the person's to fix)."""

    learn_goals = forms.CharField(
        label=_("What I want to learn"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    teach_goals = forms.CharField(
        label=_("What I can teach"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_enrollment(cls, enrollment: Enrollment) -> GoalsForm:
        return cls(initial={"learn_goals": enrollment.learn_goals, "teach_goals": enrollment.teach_goals})


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Enrollment.Status.APPROVED, _("Approve")),
            (Enrollment.Status.WAITLISTED, _("Waitlist")),
            (Enrollment.Status.DECLINED, _("Decline")),
        ]
    )


class BulkApproveForm(forms.Form):
    enrollments = forms.ModelMultipleChoiceField(
        queryset=Enrollment.objects.none(),
        error_messages={"required": _("Tick at least one application to approve.")},
    )

    def __init__(self, *args, program: Program, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrollments"].queryset = Enrollment.objects.filter(
            program=program, status__in=[Enrollment.Status.APPLIED, Enrollment.Status.WAITLISTED]
        )


class LockForm(forms.Form):
    locked = forms.TypedChoiceField(
        choices=[("1", _("Lock")), ("0", _("Unlock"))], coerce=lambda value: value == "1"
    )


class ListSelect(forms.Select):
    """A plain select (no option groups) whose options are written in Python.

    Django's select renders a template per option (and one more for its attributes): the review's
    four lists of 50 cost more than the rest of the page. The markup is the same: value, label,
    ``selected``, and the attributes the field gives the select (id, required, aria-*).
    """

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((option["value"], " selected" if option["selected"] else "", option["label"])
             for _group, choices, _index in widget["optgroups"] for option in choices))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options)


class PairChoiceField(forms.ModelChoiceField):
    widget = ListSelect

    def label_from_instance(self, obj: Pair) -> str:
        return f"{obj.mentor.user.display_name} + {obj.mentee.user.display_name}"


class SwapForm(forms.Form):
    first = PairChoiceField(label=_("Pair"), queryset=Pair.objects.none(), empty_label=_("Choose a pair"))
    second = PairChoiceField(
        label=_("Swap mentees with"), queryset=Pair.objects.none(), empty_label=_("Choose a pair")
    )

    def __init__(self, *args, program: Program, drafts=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        queryset = (
            Pair.objects.filter(program=program, status=Pair.Status.PROPOSED, published_at__isnull=True)
            .select_related("mentor__user", "mentee__user")
            .order_by("mentor__user__full_name")
        )
        for name in ("first", "second"):
            self.fields[name].queryset = queryset
            if drafts is not None:  # reuse the page's list instead of querying again while rendering
                self.fields[name].choices = [("", self.fields[name].empty_label)] + [
                    (p.pk, self.fields[name].label_from_instance(p)) for p in drafts
                ]

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            raise forms.ValidationError(_("Pick two different pairs."))
        return data


class EnrollmentChoiceField(forms.ModelChoiceField):
    widget = ListSelect

    def label_from_instance(self, obj: Enrollment) -> str:
        parts = [obj.user.display_name, obj.user.job_title, obj.user.department]
        return " · ".join(p for p in parts if p)


class ManualPairForm(forms.Form):
    mentor = EnrollmentChoiceField(
        label=_("Mentor"), queryset=Enrollment.objects.none(), empty_label=_("Choose a mentor")
    )
    mentee = EnrollmentChoiceField(
        label=_("Mentee"), queryset=Enrollment.objects.none(), empty_label=_("Choose a mentee")
    )

    def __init__(self, *args, program: Program, mentors=None, mentees=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        base = Enrollment.objects.filter(program=program, status=Enrollment.Status.APPROVED).select_related(
            "user"
        )
        for name, role, rows in (
            ("mentor", Enrollment.Role.MENTOR, mentors),
            ("mentee", Enrollment.Role.MENTEE, mentees),
        ):
            self.fields[name].queryset = base.filter(role=role)
            if rows is not None:
                self.fields[name].choices = [("", self.fields[name].empty_label)] + [
                    (e.pk, self.fields[name].label_from_instance(e)) for e in rows
                ]


class RespondForm(forms.Form):
    response = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])


class ExitRequestForm(forms.ModelForm):
    class Meta:
        model = ExitRequest
        fields = ["kind", "reason"]
        widgets = {"kind": forms.RadioSelect, "reason": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}
        help_texts = {"reason": _("Only HR reads this. Your pair is never told why, or who asked.")}


class ResolveExitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), widget=forms.RadioSelect, choices=ExitRequest.Outcome.choices
    )

    def __init__(self, *args, requester=None, partner=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if requester is not None and partner is not None:
            names = {"requester": requester.display_name, "partner": partner.display_name}
            self.fields["outcome"].choices = [
                (ExitRequest.Outcome.REMATCH_BOTH, _("End the pair; find both a new match")),
                (
                    ExitRequest.Outcome.REQUESTER_LEAVES,
                    _("End the pair; %(requester)s leaves the program, %(partner)s gets a new match") % names,
                ),
                (ExitRequest.Outcome.BOTH_LEAVE, _("End the pair; both leave the program")),
                (ExitRequest.Outcome.KEPT, _("Keep the pair (close the request, nothing changes)")),
            ]
