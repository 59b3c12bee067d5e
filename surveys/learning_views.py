"""Where you start: the self-assessment on the topics you came to learn, for whoever skipped it
at enrolment (open until the end-of-program rating exists)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from surveys import learning
from surveys.forms import _scale


class StartForm(forms.Form):
    """One optional 1–5 scale per topic the person came to learn (``learn_<topic id>``)."""

    def __init__(self, *args, topics: list[learning.LearningTopic], **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.topics = topics
        for topic in topics:
            self.fields[topic.field_name] = _scale(
                1, 5, label=topic.name, required=False, help_text=_("1 = beginner, 5 = expert.")
            )
            self.initial[topic.field_name] = topic.score

    def scores(self) -> dict[int, int]:
        return {
            t.topic_id: self.cleaned_data[t.field_name]
            for t in self.topics
            if self.cleaned_data.get(t.field_name) is not None
        }


@login_required
@require_http_methods(["GET", "POST"])
def learning_start(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = learning.get_enrollment_for_learner(request.user, pk)
    context = {"enrollment": enrollment, "program": enrollment.program}
    if not learning.start_rating_open(enrollment):
        return render(request, "surveys/learning_start.html", {**context, "closed": True})
    form = StartForm(request.POST or None, topics=learning.learning_topics(enrollment))
    if request.method == "POST" and form.is_valid():
        try:
            learning.learning_start_save(enrollment=enrollment, scores=form.scores())
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Thank you: your starting point is saved. You rate the same "
                                        "topics again at the end, to see what you learned."))
            return redirect("surveys:mine")
    return render(request, "surveys/learning_start.html", {**context, "form": form})
