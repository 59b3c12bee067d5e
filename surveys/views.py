"""Survey pages: answer through the e-mail's single-use link or signed in, and "My surveys"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from meetings import nudges
from surveys import learning, pulse, selectors, services
from surveys.forms import SurveyForm
from surveys.models import SurveyInvitation


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/mine.html", {
        "groups": selectors.invitations_of(request.user),
        # issue 18: the junior mentor's open pulses, and a start rating still to give
        "pulses": pulse.open_pulses_of(request.user),
        "missing_start": learning.enrollments_missing_start(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.get_invitation_for_user(request.user, pk)
    return _answer(request, invitation, here=request.path)


@require_http_methods(["GET", "POST"])
def answer_token(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's link: the token opens this one invitation only, signed in or not."""
    invitation = selectors.invitation_for_token(token)
    if invitation is None:
        return render(request, "surveys/invalid_link.html", status=404)
    return _answer(request, invitation, here=request.path)


def _answer(request: HttpRequest, invitation: SurveyInvitation, *, here: str) -> HttpResponse:
    context = {"invitation": invitation, "program": invitation.program}
    if invitation.is_answered:
        return render(request, "surveys/answered.html", context)
    if invitation.is_expired():
        return render(request, "surveys/expired.html", context, status=410)
    form = SurveyForm(
        request.POST or None,
        questions=selectors.questions_for(invitation),
        skill_rows=selectors.skill_rows_for(invitation),
        reverse_back_role=invitation.enrollment.role if learning.asks_reverse_back(invitation) else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_response_submit(
                invitation=invitation,
                answers=form.answers(),
                skills=form.skills(),
                reverse_back=form.reverse_back(),
            )
        except services.AlreadyAnswered:
            return redirect(here)
        except ValidationError as error:
            if error.code == "expired":
                return render(request, "surveys/expired.html", context, status=410)
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect(here)
    return render(request, "surveys/answer.html", {**context, "form": form, "now": timezone.now()})


def _add_errors(form: SurveyForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@csrf_exempt  # the signed token is the only credential; mail clients' one-click POST has no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST stops nudges."""
    user_id = nudges.unsubscribe_user_id(token)
    if user_id is None:
        return render(request, "surveys/invalid_link.html", {"unsubscribe": True}, status=404)
    if request.method == "POST":
        user = services.nudges_unsubscribe(user_id=user_id)
        if user is None:
            return render(request, "surveys/invalid_link.html", {"unsubscribe": True}, status=404)
        return render(request, "surveys/unsubscribed.html", {"person": user})
    return render(request, "surveys/unsubscribe.html")
