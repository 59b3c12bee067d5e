"""HR's People pages (list, invite, CSV import) and the organisation's topic catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.pagination import paginate
from accounts.roles import hr_admin_required
from programs import invitations, people, selectors, services
from programs.forms import ImportUploadForm, InviteForm, PeopleSearchForm, TopicForm
from programs.models import Topic
from programs.views import add_service_errors, bound_data


@hr_admin_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    search = PeopleSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    page = paginate(request, selectors.people_search(q))
    context = {"search": search, "page": page, "q": q}
    if request.htmx:
        return render(request, "programs/_people_table.html", context)
    context["uninvited"] = invitations.uninvited_count()
    return render(request, "programs/people.html", context)


@hr_admin_required
@require_POST
def people_invite_all(request: HttpRequest) -> HttpResponse:
    try:
        batch = invitations.invitation_batch_start(actor=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect("programs:people")
    return redirect("programs:invite_batch", batch.pk)


@hr_admin_required
@require_GET
def invite_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = invitations.get_invitation_batch_for_hr(request.user, pk)
    template = "programs/_invite_progress.html" if request.htmx else "programs/invite_batch.html"
    return render(request, template, {"batch": batch})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def people_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(*bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            result = invitations.employee_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            name = result.user.display_name
            if not result.sent:
                messages.info(request, _("%(name)s already has an account and has signed in; no "
                                         "invitation was sent.") % {"name": name})
            elif result.created:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": result.user.email})
            else:
                messages.success(request, _("%(name)s was already in Flipside; the invitation was sent "
                                            "again.") % {"name": name})
            return redirect("programs:people")
    return render(request, "programs/people_invite.html", {"form": form})


@hr_admin_required
@require_POST
def people_reinvite(request: HttpRequest, user_pk: int) -> HttpResponse:
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        raise Http404
    result = invitations.employee_invite(actor=request.user, email=user.email, full_name=user.full_name)
    if result.sent:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
    else:
        messages.info(request, _("%(name)s has already signed in; no invitation was sent.")
                      % {"name": user.display_name})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/programs/people/")
                    else "programs:people")


@hr_admin_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(*bound_data(request, files=True))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            employee_import = people.employee_import_create(actor=request.user, filename=upload.name,
                                                            data=upload.read())
        except people.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("programs:import_preview", employee_import.pk)
    return render(request, "programs/import_upload.html", {
        "form": form, "level_min": people.LEVEL_MIN, "level_max": people.LEVEL_MAX})


@hr_admin_required
@require_GET
def import_preview(request: HttpRequest, import_pk: int) -> HttpResponse:
    employee_import = selectors.get_import_for_hr(request.user, import_pk)
    report = people.employee_import_check(employee_import.raw_text)
    return render(request, "programs/import_preview.html", {
        "employee_import": employee_import, "report": report,
        "column_names": people.COLUMN_NAMES})


@hr_admin_required
@require_POST
def import_apply(request: HttpRequest, import_pk: int) -> HttpResponse:
    employee_import = selectors.get_import_for_hr(request.user, import_pk)
    try:
        result = people.employee_import_apply(employee_import=employee_import, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programs:import_preview", employee_import.pk)
    messages.success(request, _("Import done: %(created)d added, %(updated)d updated, "
                                "%(unchanged)d unchanged.") % result)
    return redirect("programs:people")


@hr_admin_required
@require_http_methods(["GET", "POST"])
def topic_list(request: HttpRequest) -> HttpResponse:
    form = TopicForm(*bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Topic “%(name)s” added.") % {"name": topic.name})
            return redirect("programs:topics")
    topics = Topic.objects.order_by("usual_direction", "name")
    return render(request, "programs/topic_list.html", {"topics": topics, "form": form})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, topic_pk: int) -> HttpResponse:
    topic = Topic.objects.filter(pk=topic_pk).first()
    if topic is None:
        raise Http404
    form = TopicForm(*bound_data(request), instance=Topic.objects.get(pk=topic.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(topic=topic, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Topic saved."))
            return redirect("programs:topics")
    return render(request, "programs/topic_form.html", {"topic": topic, "form": form})
