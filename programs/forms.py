from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import TimeZoneField
from accounts.models import User
from programs import people
from programs.models import (
    ConfidentialityRule,
    Direction,
    Goal,
    Program,
    ProgramTopic,
    Resource,
    SurveyQuestion,
    Topic,
    TopicProposal,
)
from programs.services import SECTION_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


DATE_WIDGETS = {name: DateInput() for name in ("enrolment_opens", "enrolment_closes", "starts_on", "ends_on")}
TEXTAREA = forms.Textarea(attrs={"rows": 6})


class NewProgramForm(forms.ModelForm):
    """Name, cohort and dates; everything else comes from the reverse mentoring template."""

    class Meta:
        model = Program
        fields = ["name", "cohort", "enrolment_opens", "enrolment_closes", "starts_on", "ends_on"]
        widgets = DATE_WIDGETS
        help_texts = {"ends_on": _("Leave empty for six months after the start.")}


class SectionForm(forms.ModelForm):
    """Base of the per-section forms; `section` names the fields it edits (services.SECTION_FIELDS)."""

    section = ""


def _section_form(section: str, **meta_extra) -> type[SectionForm]:
    meta = type("Meta", (), {"model": Program, "fields": SECTION_FIELDS[section], **meta_extra})
    return type(f"{section.title()}Form", (SectionForm,), {"Meta": meta, "section": section})


SECTION_FORMS: dict[str, type[SectionForm]] = {
    "overview": _section_form("overview", widgets={
        **DATE_WIDGETS, "description": forms.Textarea(attrs={"rows": 4})}),
    "framework": _section_form("framework", widgets={
        "mentor_responsibilities": TEXTAREA, "mentee_responsibilities": TEXTAREA,
        "meeting_modes": forms.RadioSelect}),
    "confidentiality": _section_form("confidentiality", widgets={"communication_guidelines": TEXTAREA}),
    "eligibility": _section_form("eligibility"),
    "matching": _section_form("matching"),
    "surveys": _section_form("surveys"),
    "commitment": _section_form("commitment"),
    "hours": _section_form("hours", widgets={
        "working_hours_start": forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
        "working_hours_end": forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")}),
}
SECTION_TITLES = {
    "overview": _("Overview and dates"),
    "framework": _("Framework"),
    "confidentiality": _("Confidentiality and communication"),
    "eligibility": _("Eligibility"),
    "matching": _("Matching weights"),
    "surveys": _("Reminders and surveys"),
    "commitment": _("Commitment and recurring slots"),
    "hours": _("Working hours guard"),
}


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description", "kind", "target", "sessions", "direction"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RuleForm(forms.ModelForm):
    class Meta:
        model = ConfidentialityRule
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}


class ChoicesField(forms.CharField):
    """The options of a single-choice question, one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        options = [line.strip() for line in text.splitlines() if line.strip()]
        for option in options:
            if len(option) > 120:
                raise forms.ValidationError(_("Keep each option under 120 characters."))
        if len(options) > 20:
            raise forms.ValidationError(_("Give at most 20 options."))
        if len({o.lower() for o in options}) != len(options):
            raise forms.ValidationError(_("Each option must be different."))
        return options


class QuestionForm(forms.ModelForm):
    choices = ChoicesField(label=_("Choices"), required=False,
                           help_text=_("For a single-choice question: the options, one per line."))

    class Meta:
        model = SurveyQuestion
        fields = ["survey", "kind", "text", "choices", "required", "first_session_only",
                  "measures_satisfaction"]
        labels = {"survey": _("Survey"), "kind": _("Kind of answer")}


class ResourceForm(forms.ModelForm):
    url = forms.URLField(label=_("Link"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Resource
        fields = ["audience", "title", "description", "url", "body", "required_before_matching"]
        widgets = {"body": TEXTAREA, "audience": forms.RadioSelect}


ITEM_FORMS: dict[str, type[forms.ModelForm]] = {
    "goals": GoalForm, "rules": RuleForm, "questions": QuestionForm, "resources": ResourceForm,
}
ITEM_TITLES = {
    "goals": (_("Add a goal"), _("Edit goal")),
    "rules": (_("Add a confidentiality rule"), _("Edit confidentiality rule")),
    "questions": (_("Add a survey question"), _("Edit survey question")),
    "resources": (_("Add a training resource"), _("Edit training resource")),
}


class TopicChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Topic) -> str:
        return obj.name


class ProgramTopicsForm(forms.Form):
    # Topics usually taught in the list's direction come first.
    junior_teaches = TopicChoiceField(
        queryset=Topic.objects.order_by("usual_direction", "name"), required=False,
        label=_("The junior mentor teaches the senior mentee"))
    senior_teaches = TopicChoiceField(
        queryset=Topic.objects.order_by("-usual_direction", "name"), required=False,
        label=_("The senior mentee teaches the junior mentor"))

    def __init__(self, *args, program: Program, **kwargs) -> None:
        chosen = {Direction.JUNIOR_TEACHES: [], Direction.SENIOR_TEACHES: []}
        for pt in program.program_topics.all():
            chosen[pt.direction].append(pt.topic_id)
        kwargs.setdefault("initial", {"junior_teaches": chosen[Direction.JUNIOR_TEACHES],
                                      "senior_teaches": chosen[Direction.SENIOR_TEACHES]})
        super().__init__(*args, **kwargs)


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "description", "usual_direction"]
        widgets = {"usual_direction": forms.RadioSelect}


class AgreementForm(forms.Form):
    text = forms.CharField(label=_("Agreement text"), widget=forms.Textarea(attrs={"rows": 18}),
                           max_length=20000,
                           help_text=_("Expectations, the rules you agree on, the time commitment and how "
                                       "either person can end the pairing without blame."))
    publish = forms.BooleanField(label=_("Publish now (participants accept this version from now on)"),
                                 required=False)


class AdvanceForm(forms.Form):
    confirm_unsent_surveys = forms.BooleanField(
        required=False, label=_("Close without sending the end-of-program survey"))


class CloneForm(forms.Form):
    name = forms.CharField(label=_("Name of the new program"), max_length=120)


class EmailUserField(forms.EmailField):
    """An e-mail address that must belong to an active person in Flipside; cleans to the User."""

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("Nobody with the address %(email)s is in Flipside yet. Invite or "
                                          "import them first.") % {"email": email})
        if not user.is_active:
            raise forms.ValidationError(_("%(email)s belongs to a deactivated account.") % {"email": email})
        return user


class LeadForm(forms.Form):
    user = EmailUserField(label=_("E-mail address of the new lead"),
                          widget=forms.EmailInput(attrs={"autocomplete": "off"}))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    level = forms.IntegerField(label=_("Level"), min_value=people.LEVEL_MIN, max_value=people.LEVEL_MAX,
                               required=False,
                               help_text=_("Grade in the organisation; higher is more senior."))
    manager = EmailUserField(label=_("Manager's e-mail address"), required=False)
    location = forms.CharField(label=_("Location"), max_length=100, required=False)
    time_zone = TimeZoneField(initial="UTC", help_text=_("They can change it later in their preferences."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Not the sign-up page: do not pre-select the HR admin's own zone.
        self.fields["time_zone"].widget.attrs.pop("data-detect-timezone", None)

    def clean(self):
        data = super().clean()
        manager, email = data.get("manager"), data.get("email")
        if manager and email and manager.email.lower() == email.lower():
            self.add_error("manager", _("A person cannot be their own manager."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Employee list (CSV)"),
                           help_text=_("Columns: name, email, department, title, level, manager email, "
                                       "location, time zone. The first row holds the column names."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > people.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB. Split it into smaller files.")
                                        % {"mb": people.MAX_UPLOAD_BYTES // (1024 * 1024)})
        return upload


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search people"), required=False, max_length=100,
                        widget=forms.SearchInput(
                            attrs={"placeholder": _("Name, e-mail, department or title")}))


class MenuItemForm(forms.ModelForm):
    """A menu entry's session agenda and preparation kit (HR edits them per program)."""

    class Meta:
        model = ProgramTopic
        fields = ["agenda", "prep_links", "prep_exercise", "prep_questions"]
        widgets = {"agenda": forms.Textarea(attrs={"rows": 6}),
                   "prep_links": forms.Textarea(attrs={"rows": 4}),
                   "prep_exercise": forms.Textarea(attrs={"rows": 3}),
                   "prep_questions": forms.Textarea(attrs={"rows": 4})}


class ProposalDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    note = forms.CharField(label=_("Note to the proposer (optional)"), max_length=300, required=False)


class TopicProposalForm(forms.ModelForm):
    """A pair member's suggestion for the topic menu."""

    class Meta:
        model = TopicProposal
        fields = ["name", "direction", "why"]
        widgets = {"direction": forms.RadioSelect, "why": forms.Textarea(attrs={"rows": 3})}
        labels = {"name": _("Topic")}
