"""The junior mentor's private pulse: answered signed in or through the e-mail's link.

Only the mentor it was sent to can open it (the link's token, or their own sign-in); the
thank-you page keeps the no-fault exit one click away.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from surveys import pulse
from surveys.forms import _scale
from surveys.models import SafetyPulse

QUESTION = _("How comfortable are you giving your mentee honest feedback?")


class PulseForm(forms.Form):
    score = _scale(1, 5, label=QUESTION, required=True,
                   help_text=_("1 = not comfortable at all, 5 = completely comfortable."))
    note = forms.CharField(
        label=_("Anything HR should know? (optional, seen by HR only)"),
        required=False,
        max_length=pulse.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Keep it under %(n)s characters.") % {"n": pulse.NOTE_MAX}},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def pulse_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pulse.get_pulse_for_mentor(request.user, pk), here=request.path)


@require_http_methods(["GET", "POST"])
def pulse_token(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's link: the token opens this one pulse only, signed in or not."""
    row = pulse.pulse_for_token(token)
    if row is None:
        return render(request, "surveys/invalid_link.html", status=404)
    return _answer(request, row, here=request.path)


def _answer(request: HttpRequest, row: SafetyPulse, *, here: str) -> HttpResponse:
    context = {"pulse": row, "program": row.program, "question": QUESTION}
    if row.is_answered:
        return render(request, "surveys/pulse_done.html", context)
    if row.is_expired():
        return render(request, "surveys/pulse_done.html", {**context, "expired": True}, status=410)
    form = PulseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pulse.safety_pulse_answer(
                pulse=row, score=form.cleaned_data["score"], note=form.cleaned_data["note"]
            )
        except pulse.AlreadyAnswered:
            pass
        except ValidationError as error:
            if error.code == "expired":
                return render(request, "surveys/pulse_done.html", {**context, "expired": True}, status=410)
            form.add_error(None, error)
            return render(request, "surveys/pulse.html", {**context, "form": form})
        return redirect(here)
    return render(request, "surveys/pulse.html", {**context, "form": form})
