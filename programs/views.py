"""HR's program pages (create, configure, advance, clone) and the participant-facing page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import hr_admin_required, is_hr_admin
from programs import selectors, services
from programs.forms import (
    ITEM_FORMS,
    ITEM_TITLES,
    SECTION_FORMS,
    SECTION_TITLES,
    AdvanceForm,
    AgreementForm,
    CloneForm,
    LeadForm,
    NewProgramForm,
    ProgramTopicsForm,
)
from programs.models import Program, SurveyQuestion


def bound_data(request: HttpRequest, *, files: bool = False) -> tuple:
    """Form arguments: the POST data (even when empty) on a POST, nothing on a GET."""
    if request.method != "POST":
        return ()
    return (request.POST, request.FILES) if files else (request.POST,)


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field, or at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _section_url(program: Program, section: str) -> str:
    return reverse("programs:detail", args=[program.pk]) + (f"#{section}" if section else "")


def _closed(request: HttpRequest, program: Program) -> HttpResponse | None:
    """Closed programs are read-only: say so and go back to the program page."""
    if program.is_editable:
        return None
    messages.error(request, _("This program is closed; its configuration can no longer change."))
    return redirect("programs:detail", program.pk)


@hr_admin_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    programs = selectors.programs_for_hr()
    return render(request, "programs/program_list.html", {"programs": programs})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_new(request: HttpRequest) -> HttpResponse:
    form = NewProgramForm(*bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create_from_template(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is ready to adjust. Everything below comes from the "
                                        "reverse mentoring template.") % {"name": program.name})
            return redirect("programs:detail", program.pk)
    return render(request, "programs/program_new.html", {"form": form})


@login_required
@require_GET
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_hr_admin(request.user):
        # Leads and participants read the participant-facing page instead.
        selectors.get_program_for_reader(request.user, pk)
        return redirect("programs:about", pk)
    program = selectors.get_program_page(request.user, pk)
    return render(request, "programs/program_detail.html", {
        "program": program,
        "missing": program.missing_items_for_next_step(),
        "surveys": selectors.questions_by_survey(program),
        "advance_form": AdvanceForm(),
        "lead_form": LeadForm(),
    })


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_edit_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        raise Http404
    if closed := _closed(request, program):
        return closed
    # The form validates a copy, so the service sees the stored values and records the change.
    form = form_class(*bound_data(request), instance=Program.objects.get(pk=program.pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form_class._meta.fields}
        try:
            services.program_update(program=program, actor=request.user, section=section, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(section)s saved.") % {"section": SECTION_TITLES[section]})
            return redirect(_section_url(program, section))
    return render(request, "programs/section_form.html", {
        "program": program, "form": form, "section": section, "title": SECTION_TITLES[section]})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_topics(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    if closed := _closed(request, program):
        return closed
    form = ProgramTopicsForm(*bound_data(request), program=program)
    if request.method == "POST" and form.is_valid():
        changed = services.program_topics_set(program=program, actor=request.user,
                                              junior_teaches=list(form.cleaned_data["junior_teaches"]),
                                              senior_teaches=list(form.cleaned_data["senior_teaches"]))
        messages.success(request, _("Topics saved.") if changed else _("Nothing changed."))
        return redirect(_section_url(program, "topics"))
    return render(request, "programs/program_topics.html", {"program": program, "form": form})


def _item_for_hr(program: Program, kind: str, item_pk: int) -> models.Model:
    model = services.ITEM_MODELS[kind][0]
    item = model.objects.filter(program=program, pk=item_pk).first()
    if item is None:
        raise Http404
    return item


# Where each list lives on the program page.
ITEM_SECTIONS = {"goals": "goals", "rules": "confidentiality", "questions": "surveys",
                 "resources": "resources"}


@hr_admin_required
@require_http_methods(["GET", "POST"])
def item_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    if kind not in ITEM_FORMS:
        raise Http404
    if closed := _closed(request, program):
        return closed
    model = services.ITEM_MODELS[kind][0]
    initial = None
    if kind == "questions":
        survey = request.GET.get("survey")
        initial = {"kind": SurveyQuestion.Kind.RATING,
                   "survey": survey if survey in SurveyQuestion.Survey.values else None}
    form = ITEM_FORMS[kind](*bound_data(request), instance=model(program=program), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.program_item_create(program=program, actor=request.user, slug=kind, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added."))
            return redirect(_section_url(program, ITEM_SECTIONS[kind]))
    return render(request, "programs/item_form.html", {
        "program": program, "form": form, "kind": kind, "title": ITEM_TITLES[kind][0],
        "back": _section_url(program, ITEM_SECTIONS[kind])})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    if kind not in ITEM_FORMS:
        raise Http404
    item = _item_for_hr(program, kind, item_pk)
    if closed := _closed(request, program):
        return closed
    form = ITEM_FORMS[kind](*bound_data(request), instance=item)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.program_item_update(item=item, actor=request.user, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_section_url(program, ITEM_SECTIONS[kind]))
    return render(request, "programs/item_form.html", {
        "program": program, "form": form, "kind": kind, "item": item, "title": ITEM_TITLES[kind][1],
        "back": _section_url(program, ITEM_SECTIONS[kind])})


@hr_admin_required
@require_POST
def item_delete(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    if kind not in ITEM_FORMS:
        raise Http404
    item = _item_for_hr(program, kind, item_pk)
    try:
        services.program_item_delete(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed “%(item)s”.") % {"item": services.item_label(item)})
    return redirect(_section_url(program, ITEM_SECTIONS[kind]))


@hr_admin_required
@require_POST
def item_move(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    if kind not in ITEM_FORMS or request.POST.get("direction") not in ("up", "down"):
        raise Http404
    item = _item_for_hr(program, kind, item_pk)
    try:
        services.program_item_move(item=item, actor=request.user, up=request.POST["direction"] == "up")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_section_url(program, ITEM_SECTIONS[kind]))


@hr_admin_required
@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    latest = program.latest_agreement()
    form = AgreementForm(*bound_data(request), initial={"text": latest.text if latest else ""})
    if request.method == "POST" and (closed := _closed(request, program)):
        return closed
    if request.method == "POST" and form.is_valid():
        try:
            version = services.agreement_save(program=program, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if version.is_published:
                messages.success(request, _("Agreement version %(v)d is published.") % {"v": version.version})
            else:
                messages.success(request, _("Draft of version %(v)d saved. Publish it when it is ready.")
                                 % {"v": version.version})
            return redirect("programs:agreement", program.pk)
    versions = program.agreement_versions.select_related("created_by").order_by("-version")
    return render(request, "programs/agreement.html", {
        "program": program, "form": form, "latest": latest, "versions": versions})


@hr_admin_required
@require_POST
def agreement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    try:
        version = services.agreement_publish(program=program, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Agreement version %(v)d is published.") % {"v": version.version})
    return redirect("programs:agreement", program.pk)


@hr_admin_required
@require_POST
def program_advance(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    form = AdvanceForm(request.POST)
    form.is_valid()
    try:
        program = services.program_advance(program=program, actor=request.user,
                                           confirm_unsent_surveys=form.cleaned_data.get("confirm_unsent_surveys",
                                                                                        False))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(name)s” is now %(status)s.")
                         % {"name": program.name, "status": program.get_status_display().lower()})
    return redirect("programs:detail", program.pk)


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_clone(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    suggested = _("%(name)s — next cohort") % {"name": program.name}
    form = CloneForm(*bound_data(request), initial={"name": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            clone = services.program_clone(program=program, actor=request.user,
                                           name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is a draft copy. Set its dates and publish its "
                                        "agreement.") % {"name": clone.name})
            return redirect("programs:detail", clone.pk)
    return render(request, "programs/program_clone.html", {"program": program, "form": form})


@hr_admin_required
@require_GET
def program_history(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    page = Paginator(selectors.program_history(program), 50).get_page(request.GET.get("page"))
    return render(request, "programs/program_history.html", {"program": program, "page": page})


@hr_admin_required
@require_POST
def lead_add(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    form = LeadForm(request.POST)
    if form.is_valid():
        user = form.cleaned_data["user"]
        try:
            added = services.program_lead_add(program=program, actor=request.user, user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            message = (_("%(name)s is now a program lead.") if added
                       else _("%(name)s already leads this program."))
            messages.success(request, message % {"name": user.display_name})
    else:
        for error in form.errors.get("user", []):
            messages.error(request, error)
    return redirect(_section_url(program, "leads"))


@hr_admin_required
@require_POST
def lead_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    program = selectors.get_program_for_hr(request.user, pk)
    user = program.leads.filter(pk=user_pk).first()
    if user is None:
        raise Http404
    services.program_lead_remove(program=program, actor=request.user, user=user)
    messages.success(request, _("%(name)s no longer leads this program.") % {"name": user.display_name})
    return redirect(_section_url(program, "leads"))


@login_required
@require_GET
def program_about(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.get_program_for_reader(request.user, pk)
    page = selectors.program_about(request.user, program)
    menu = program.program_topics.select_related("topic").order_by("direction", "topic__name")
    return render(request, "programs/program_about.html", {"page": page, "program": program, "menu": menu})
