"""The survey form, built from the program's questions for one invitation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import SurveyQuestion
from surveys.selectors import SkillRow

TEXT_MAX = 2000

SCALE_HELP = {
    SurveyQuestion.Kind.RATING: _("1 = not at all, 5 = very much."),
    SurveyQuestion.Kind.RECOMMENDATION: _("0 = not at all likely, 10 = extremely likely."),
}


def _scale(
    low: int, high: int, *, label, required: bool, help_text="", css="scale"
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=required,
        help_text=help_text,
        coerce=int,
        empty_value=None,
        choices=[(n, str(n)) for n in range(low, high + 1)],
        widget=forms.RadioSelect(attrs={"class": css}),
        error_messages={
            "required": _("Please answer this question."),
            "invalid_choice": _("Pick a number from %(low)s to %(high)s.") % {"low": low, "high": high},
        },
    )


def add_reverse_back(form: forms.Form, role: str) -> list:
    """Add the two reverse-back questions (yes / maybe / no) to ``form``; returns their bound fields."""
    from surveys.learning import AGAIN_LABEL, OTHER_WAY_LABELS
    from surveys.models import ReturnIntent

    for name, label in (("again", AGAIN_LABEL), ("other_way", OTHER_WAY_LABELS[role])):
        form.fields[f"rb_{name}"] = forms.ChoiceField(
            label=label,
            choices=ReturnIntent.Answer.choices,
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            error_messages={"required": _("Please answer this question.")},
        )
    return [form["rb_again"], form["rb_other_way"]]


class SurveyForm(forms.Form):
    """One field per question (``q_<id>``); the skill self-assessment adds one 1–5 scale per topic
    and direction (``skill_<direction>_<topic id>``)."""

    def __init__(
        self,
        *args,
        questions: list[SurveyQuestion],
        skill_rows: list[SkillRow],
        reverse_back_role: str | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # The end survey's reverse-back questions (surveys.learning), worded for the person's role.
        self.reverse_back_fields = add_reverse_back(self, reverse_back_role) if reverse_back_role else []
        self.questions = questions
        self.skill_rows: list[SkillRow] = []
        self.skill_question: SurveyQuestion | None = None
        for question in questions:
            name = f"q_{question.pk}"
            if question.kind == SurveyQuestion.Kind.RATING:
                self.fields[name] = _scale(
                    1, 5, label=question.text, required=question.required, help_text=SCALE_HELP[question.kind]
                )
            elif question.kind == SurveyQuestion.Kind.RECOMMENDATION:
                self.fields[name] = _scale(
                    0,
                    10,
                    label=question.text,
                    required=question.required,
                    help_text=SCALE_HELP[question.kind],
                    css="scale scale-wide",
                )
            elif question.kind == SurveyQuestion.Kind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    required=question.required,
                    widget=forms.RadioSelect,
                    choices=[(c, c) for c in question.choices],
                    error_messages={
                        "required": _("Please answer this question."),
                        "invalid_choice": _("Pick one of the options."),
                    },
                )
            elif question.kind == SurveyQuestion.Kind.TEXT:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    required=question.required,
                    max_length=TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={
                        "required": _("Please answer this question."),
                        "max_length": _("Keep it under %(n)s characters.") % {"n": TEXT_MAX},
                    },
                )
            elif question.kind == SurveyQuestion.Kind.SKILLS and self.skill_question is None:
                self.skill_question = question
                self.skill_rows = skill_rows
                for row in skill_rows:
                    hint = (
                        _("At enrolment you said %(n)s.") % {"n": row.at_enrolment}
                        if row.at_enrolment
                        else _("1 = beginner, 5 = expert.")
                    )
                    self.fields[row.field_name] = _scale(
                        1, 5, label=row.name, required=question.required, help_text=hint
                    )

    def blocks(self) -> list[dict[str, object]]:
        """What the page shows, in the program's order: single questions, and the skills block."""
        blocks: list[dict[str, object]] = []
        for question in self.questions:
            if f"q_{question.pk}" in self.fields:
                blocks.append({"field": self[f"q_{question.pk}"]})
            elif question is self.skill_question and self.skill_rows:
                blocks.append(
                    {
                        "skills": question,
                        "learned": self._skill_fields(learned=True),
                        "taught": self._skill_fields(learned=False),
                    }
                )
        return blocks

    def _skill_fields(self, *, learned: bool):
        return [self[row.field_name] for row in self.skill_rows if row.learned is learned]

    def answers(self) -> dict[int, object]:
        return {
            q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions if f"q_{q.pk}" in self.fields
        }

    def reverse_back(self) -> dict[str, str] | None:
        if not self.reverse_back_fields:
            return None
        return {name: self.cleaned_data.get(f"rb_{name}") or "" for name in ("again", "other_way")}

    def skills(self) -> dict[tuple[int, str], int]:
        return {
            (row.topic_id, row.direction): self.cleaned_data[row.field_name]
            for row in self.skill_rows
            if self.cleaned_data.get(row.field_name) is not None
        }
