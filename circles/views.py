"""Pages of circles for their hosts and members. Everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles import selectors, services
from circles.forms import CancelForm, FeedbackForm, NoteForm, SessionForm
from circles.models import CircleMember, CircleRsvp
from circles.selectors import (
    get_action_item_for_owner,
    get_circle_for_host,
    get_circle_for_member,
    get_session_for_host,
    get_session_for_member,
)
from meetings.forms import apply_service_errors


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """My circles, and open sessions in my programs I could join."""
    return render(request, "circles/mine.html", selectors.my_circles(request.user))


@login_required
@require_GET
def circle_detail(request: HttpRequest, circle_id: int) -> HttpResponse:
    circle = get_circle_for_member(request.user, circle_id)
    return render(request, "circles/circle.html", selectors.circle_page(circle, request.user))


@login_required
@require_POST
def join(request: HttpRequest, circle_id: int) -> HttpResponse:
    circle = get_circle_for_member(request.user, circle_id)
    try:
        services.circle_join(circle=circle, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("You joined %(name)s.") % {"name": circle.name})
    return redirect("circles:circle", circle.pk)


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, circle_id: int) -> HttpResponse:
    """A host books (or proposes) a session; every member gets a calendar invitation."""
    circle = get_circle_for_host(request.user, circle_id)
    members = circle.memberships.filter(role=CircleMember.Role.MEMBER).count()
    form = SessionForm(_posted(request), user=request.user, circle=circle, members=members)
    if request.method == "POST" and form.is_valid() and form.starts_at:
        try:
            session = services.session_book(circle=circle, booker=request.user, **form.booking())
        except ValidationError as error:
            apply_service_errors(form, error, {"starts_at": "day"})
        else:
            messages.success(request, _("Booked. Every member gets a calendar invitation and can say "
                                        "whether they are coming."))
            return redirect("circles:session", session.pk)
    return render(request, "circles/book.html", {"form": form, "circle": circle})


@login_required
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_member(request.user, session_id)
    return render(request, "circles/session.html", selectors.session_page(session, request.user))


@login_required
@require_POST
def rsvp(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_member(request.user, session_id)
    answer = request.POST.get("answer", "")
    try:
        services.rsvp_set(session=session, user=request.user, answer=answer)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("See you there.") if answer == CircleRsvp.Answer.YES
                         else _("Thanks for letting the host know."))
    return redirect("circles:session", session.pk)


@login_required
@require_POST
def confirm(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_host(request.user, session_id)
    try:
        services.session_confirm(session=session, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Confirmed. Every member's calendar is updated."))
    return redirect("circles:session", session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_host(request.user, session_id)
    form = CancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Cancelled. Every member gets a calendar cancellation."))
        return redirect("circles:session", session.pk)
    return render(request, "circles/cancel.html", {"form": form, "session": session,
                                                   "circle": session.circle})


@login_required
@require_POST
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_host(request.user, session_id)
    came = [int(v) for v in request.POST.getlist("attended") if v.isdigit()]
    try:
        services.attendance_record(session=session, user=request.user, attended_ids=came)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Attendance saved."))
    return redirect("circles:session", session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, session_id: int) -> HttpResponse:
    """Shared summary, my private reflection, topics taught (hosts) and action items."""
    session = get_session_for_member(request.user, session_id)
    page = selectors.notes_page(session, request.user)
    is_host = selectors.role_in(session.circle, request.user) == CircleMember.Role.HOST
    note, reflection = page["note"], page["reflection"]
    initial = {"summary_revision": note.summary_revision if note else 0,
               "shared_summary": note.shared_summary if note else "",
               "reflection": reflection.text if reflection else "",
               "topics": list(note.topics_taught.all()) if note else []}
    form = NoteForm(_posted(request), initial=initial, people=services.people_of(session.circle),
                    is_host=is_host)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.circle_note_save(session=session, author=request.user,
                                      shared_summary=data["shared_summary"],
                                      revision=data.get("summary_revision"), reflection=data["reflection"],
                                      topics=data.get("topics") if is_host else None, actions=form.actions())
        except ValidationError as error:
            apply_service_errors(form, error, {"actions": "action_text"})
        else:
            messages.success(request, _("Notes saved."))
            return redirect("circles:notes", session.pk)
    return render(request, "circles/notes.html", {
        **page, "form": form, "session": session, "circle": session.circle, "is_host": is_host,
        "can_write": session.can_be_logged()})


@login_required
@require_POST
def action_done(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_action_item_for_owner(request.user, item_id)
    done = request.POST.get("done") == "1"
    services.action_item_set_done(item=item, user=request.user, done=done)
    messages.success(request, _("Marked as done.") if done else _("Opened again."))
    return redirect("circles:circle", item.circle_id)


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, session_id: int) -> HttpResponse:
    """The after-session survey: one question, for members who were going."""
    session = get_session_for_member(request.user, session_id)
    form = FeedbackForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_save(session=session, user=request.user, rating=form.cleaned_data["rating"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your answer is counted only with at least a few others."))
            return redirect("circles:session", session.pk)
    return render(request, "circles/feedback.html", {"form": form, "session": session,
                                                     "circle": session.circle})
