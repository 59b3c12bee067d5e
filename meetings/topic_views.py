"""The pair's view of the program's topic menu: agendas and kits, and proposing a new topic."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from meetings.forms import apply_service_errors
from meetings.selectors import get_meeting_pair_for_user
from meetings.topics import menu_for
from pairing.models import Pair
from programs import topic_menu
from programs.forms import TopicProposalForm
from programs.models import TopicProposal


@login_required
@require_http_methods(["GET", "POST"])
def pair_topics(request: HttpRequest, pair_id: int) -> HttpResponse:
    """The menu with each topic's agenda and kit; a member of an active pair may propose a topic."""
    pair = get_meeting_pair_for_user(request.user, pair_id)
    partner = pair.partner_of(request.user)
    active = pair.status == Pair.Status.ACTIVE
    form = TopicProposalForm(request.POST if request.method == "POST" else None,
                             initial={"direction": "junior_teaches"})
    if request.method == "POST" and not active:
        messages.info(request, _("This pair has ended, so it no longer proposes topics."))
        return redirect("meetings:topics", pair.pk)
    if request.method == "POST" and form.is_valid():
        try:
            topic_menu.topic_proposal_create(program=pair.program, proposer=request.user,
                                             **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: HR will look at “%(name)s” and you will hear back.") % {
                "name": form.cleaned_data["name"]})
            return redirect(reverse("meetings:topics", args=[pair.pk]) + "#propose")
    mine = TopicProposal.objects.filter(program=pair.program, proposed_by=request.user)[:10]
    return render(request, "meetings/topics.html", {
        "pair": pair, "partner": partner, "items": list(menu_for(pair)), "form": form, "mine": mine,
        "active": active})
