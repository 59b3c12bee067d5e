"""HR's topic menu pages: each topic's agenda and preparation kit, and participants' proposals."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import hr_admin_required
from programs import selectors, topic_menu
from programs.forms import MenuItemForm, ProposalDecisionForm
from programs.models import ProgramTopic, TopicProposal
from programs.views import _closed, add_service_errors, bound_data


@hr_admin_required
@require_GET
def menu(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    items = list(ProgramTopic.objects.filter(program=program).select_related("topic")
                 .order_by("direction", "topic__name"))
    proposals = list(TopicProposal.objects.filter(program=program)
                     .select_related("proposed_by", "decided_by")[:50])
    return render(request, "programs/topic_menu.html", {
        "program": program, "items": items,
        "pending": [p for p in proposals if p.status == TopicProposal.Status.PENDING],
        "decided": [p for p in proposals if p.status != TopicProposal.Status.PENDING][:10],
        "decision_form": ProposalDecisionForm()})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def menu_item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    item = ProgramTopic.objects.filter(program=program, pk=item_pk).select_related("topic").first()
    if item is None:
        raise Http404
    if closed := _closed(request, program):
        return closed
    form = MenuItemForm(*bound_data(request), instance=ProgramTopic.objects.get(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        try:
            topic_menu.program_topic_update_kit(item=item, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Agenda and kit of “%(topic)s” saved.") % {"topic": item.topic.name})
            return redirect("programs:topic_menu", program.pk)
    return render(request, "programs/topic_menu_item.html", {"program": program, "item": item, "form": form})


@hr_admin_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    proposal = TopicProposal.objects.filter(program=program, pk=proposal_pk).first()
    if proposal is None:
        raise Http404
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or decline the proposal."))
        return redirect("programs:topic_menu", program.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        topic_menu.topic_proposal_decide(proposal=proposal, actor=request.user, approve=approve,
                                         note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        message = (_("“%(name)s” is on the menu; add its agenda and kit below.") if approve
                   else _("“%(name)s” declined.")) % {"name": proposal.name}
        messages.success(request, message + " " + _("The proposer has been told."))
    return redirect("programs:topic_menu", program.pk)
