"""Pages of a pair's sessions. Only the pair's two people ever reach them; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings import commitment, feed_providers, selectors, series_views, services
from meetings.forms import (
    BookForm,
    CancelForm,
    ConfirmForm,
    DeclineForm,
    OutcomeForm,
    PlaceForm,
    ProposeForm,
    RescheduleForm,
    SessionLogForm,
    apply_service_errors,
)
from meetings.hours import without_refused
from meetings.ics import feed_ics
from meetings.models import Meeting
from meetings.selectors import get_action_item_for_user, get_meeting_for_user, get_meeting_pair_for_user
from pairing.models import Pair
from programs.models import Direction, ProgramTopic, Topic


def _pair_url(pair_id: int) -> str:
    return reverse("meetings:pair", args=[pair_id])


def _posted(request: HttpRequest):
    """Bind forms on POST even when nothing was ticked (an empty POST is falsy)."""
    return request.POST if request.method == "POST" else None


def _inactive(request: HttpRequest, pair: Pair) -> HttpResponse | None:
    """Ended pairs keep their page but book nothing new."""
    if pair.status == Pair.Status.ACTIVE:
        return None
    messages.info(request, _("This pair has ended, so no new sessions can be booked."))
    return redirect(_pair_url(pair.pk))


def _not_changeable(request: HttpRequest, meeting: Meeting, *, active: bool = True) -> HttpResponse | None:
    """Reschedule and cancel only make sense for a confirmed session that has not started (and
    only an active pair moves sessions; an ended one may still cancel what is left)."""
    if meeting.is_upcoming() and (not active or meeting.pair.status == Pair.Status.ACTIVE):
        return None
    messages.info(request, _("Only a confirmed session that has not started can be moved or cancelled."))
    return redirect("meetings:meeting", meeting.pk)


@login_required
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    """My sessions across pairs, and my private calendar link."""
    context = selectors.sessions_page(request.user)
    context["feed_url"] = request.build_absolute_uri(context["feed_url_path"])
    return render(request, "meetings/sessions.html", context)


@login_required
@require_GET
def pair_detail(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = get_meeting_pair_for_user(request.user, pair_id)
    return render(request, "meetings/pair.html", {**selectors.pair_page(pair, request.user),
                                                  **series_views.pair_panel(pair, request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = get_meeting_pair_for_user(request.user, pair_id)
    if response := _inactive(request, pair):
        return response
    partner = pair.partner_of(request.user)
    suggestions = without_refused(pair, request.user, selectors.suggested_times(pair, request.user))
    form = ProposeForm(_posted(request), user=request.user, pair=pair, partner=partner,
                       suggestions=suggestions)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_propose(pair=pair, proposer=request.user, slots_utc=form.slots, **form.place(),
                                     topic=form.cleaned_data.get("topic"),
                                     hours_confirmed=form.hours_confirmed())
        except ValidationError as error:
            apply_service_errors(form, error, form.service_aliases())
        else:
            messages.success(request, _("Your times are on their way: %(name)s picks one.") % {
                "name": partner.first_name})
            return redirect(_pair_url(pair.pk))
    return render(request, "meetings/propose.html", {
        "form": form, "pair": pair, "partner": partner, "has_suggestions": bool(suggestions),
        "rebook": commitment.rebook_due(pair) if pair.mentee.user_id == request.user.pk else None,
        "after_cancel": request.GET.get("after_cancel") == "1",
        "availability_missing": selectors.availability_of(request.user) is None,
        "partner_availability_missing": selectors.availability_of(partner) is None})


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = get_meeting_pair_for_user(request.user, pair_id)
    if response := _inactive(request, pair):
        return response
    partner = pair.partner_of(request.user)
    openings = without_refused(pair, request.user,
                               selectors.suggested_times(pair, request.user, both=False))
    form = BookForm(_posted(request), user=request.user, pair=pair, partner=partner, openings=openings)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_book(pair=pair, booker=request.user, starts_at=form.starts_at,
                                  ends_at=form.ends_at, **form.place(), topic=form.cleaned_data.get("topic"),
                                  hours_confirmed=form.hours_confirmed())
        except ValidationError as error:
            apply_service_errors(form, error, {"starts_at": form.time_field, "confirm_hours": "__all__"})
        else:
            messages.success(request, _("Booked. You and %(name)s both get a calendar invitation.") % {
                "name": partner.first_name})
            return redirect(_pair_url(pair.pk))
    return render(request, "meetings/book.html", {
        "form": form, "pair": pair, "partner": partner, "openings": openings,
        "partner_availability": selectors.availability_of(partner)})


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    return render(request, "meetings/meeting.html", {
        "meeting": meeting, "pair": meeting.pair, "partner": meeting.pair.partner_of(request.user),
        "events": meeting.events.select_related("actor"), "slots": meeting.slots.all(),
        "now": timezone.now(), "is_active": meeting.pair.status == Pair.Status.ACTIVE})


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    partner = meeting.pair.partner_of(request.user)
    if meeting.status != Meeting.Status.PROPOSED or meeting.proposed_by_id == request.user.pk:
        return redirect("meetings:meeting", meeting.pk)
    form = ConfirmForm(_posted(request), meeting=meeting, user=request.user, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_confirm(meeting=meeting, user=request.user, slot_id=form.cleaned_data["slot"].pk)
        except ValidationError as error:
            apply_service_errors(form, error, {"starts_at": "slot"})
        else:
            messages.success(request, _("Confirmed. You and %(name)s both get a calendar invitation.") % {
                "name": partner.first_name})
            return redirect(_pair_url(meeting.pair_id))
    return render(request, "meetings/confirm.html", {"form": form, "meeting": meeting, "partner": partner,
                                                     "pair": meeting.pair})


@login_required
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    partner = meeting.pair.partner_of(request.user)
    if meeting.status != Meeting.Status.PROPOSED:
        return redirect("meetings:meeting", meeting.pk)
    form = DeclineForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_decline(meeting=meeting, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Done. %(name)s has been told.") % {"name": partner.first_name})
            return redirect(_pair_url(meeting.pair_id))
    return render(request, "meetings/decline.html", {
        "form": form, "meeting": meeting, "partner": partner, "pair": meeting.pair,
        "own": meeting.proposed_by_id == request.user.pk})


@login_required
@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    if response := _not_changeable(request, meeting):
        return response
    partner = meeting.pair.partner_of(request.user)
    form = RescheduleForm(_posted(request), user=request.user, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_reschedule(meeting=meeting, user=request.user, starts_at=form.starts_at,
                                        ends_at=form.ends_at, reason=form.cleaned_data["reason"],
                                        hours_confirmed=form.hours_confirmed())
        except ValidationError as error:
            apply_service_errors(form, error, {"starts_at": "time", "confirm_hours": "__all__"})
        else:
            messages.success(request, _("Moved. You and %(name)s both get an updated invitation.") % {
                "name": partner.first_name})
            return redirect(_pair_url(meeting.pair_id))
    return render(request, "meetings/reschedule.html", {
        "form": form, "meeting": meeting, "partner": partner, "pair": meeting.pair,
        "cutoff_hours": meeting.pair.program.reschedule_cutoff_hours})


@login_required
@require_http_methods(["GET", "POST"])
def place(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    if not (meeting.is_proposed or meeting.is_upcoming()) or meeting.pair.status != Pair.Status.ACTIVE:
        messages.info(request, _("Only a proposed or upcoming session can be changed."))
        return redirect("meetings:meeting", meeting.pk)
    form = PlaceForm(_posted(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update_place(meeting=meeting, user=request.user, **form.place())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved. For a booked session you both get an updated invitation."))
            return redirect("meetings:meeting", meeting.pk)
    return render(request, "meetings/place.html", {
        "form": form, "meeting": meeting, "pair": meeting.pair,
        "partner": meeting.pair.partner_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    if response := _not_changeable(request, meeting, active=False):
        return response
    partner = meeting.pair.partner_of(request.user)
    form = CancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Cancelled. %(name)s has been told and both calendars are updated.")
                             % {"name": partner.first_name})
            if meeting.pair.status == Pair.Status.ACTIVE:
                # The commitment guard: offer new times right away (meetings.commitment).
                return redirect(reverse("meetings:propose", args=[meeting.pair_id]) + "?after_cancel=1")
            return redirect(_pair_url(meeting.pair_id))
    return render(request, "meetings/cancel.html", {
        "form": form, "meeting": meeting, "partner": partner, "pair": meeting.pair,
        "rebook_days": meeting.pair.program.commitment_rebook_days,
        "is_mentee": meeting.pair.mentee.user_id == request.user.pk})


@login_required
@require_POST
def outcome(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose held or no-show."))
        return redirect(_pair_url(meeting.pair_id))
    try:
        services.meeting_mark(meeting=meeting, user=request.user, outcome=form.cleaned_data["outcome"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_pair_url(meeting.pair_id))
    if form.cleaned_data["outcome"] == Meeting.Status.HELD:
        messages.success(request, _("Marked as held. Add what you covered while it is fresh."))
        return redirect("meetings:log", meeting.pk)
    messages.success(request, _("Marked as a no-show."))
    return redirect(_pair_url(meeting.pair_id))


def _log_form_kwargs(meeting: Meeting, user, partner, side: str, session_log) -> dict[str, object]:
    """The author's choices: the program's topics in their own teaching direction."""
    direction = Direction.JUNIOR_TEACHES if side == "mentor" else Direction.SENIOR_TEACHES
    chosen = _my_topics(session_log, side)
    in_program = ProgramTopic.objects.filter(program=meeting.pair.program, direction=direction)
    topics = (Topic.objects.filter(Q(pk__in=in_program.values("topic_id")) | Q(pk__in=[t.pk for t in chosen]))
              if in_program.exists() else Topic.objects.all())
    return {"topics": topics, "people": [user, partner], "today": timezone.now().astimezone(user.zone).date(),
            "topics_label": _("What you taught %(name)s") % {"name": partner.first_name}}


def session_topic(meeting: Meeting, side: str) -> list:
    """The booked topic pre-ticks the log of the side that teaches it (until they save their own)."""
    topic = meeting.topic
    teaches = Direction.JUNIOR_TEACHES if side == "mentor" else Direction.SENIOR_TEACHES
    return [topic.topic] if topic is not None and topic.direction == teaches else []


def _my_topics(session_log, side: str) -> list:
    if session_log is None:
        return []
    return list((session_log.topics_by_mentor if side == "mentor" else session_log.topics_by_mentee).all())


def _log_initial(session_log, reflection, user, partner, side: str, meeting: Meeting) -> dict[str, object]:
    mine = next((g for g in session_log.goal_progress.all() if g.author.user_id == user.pk), None) \
        if session_log else None
    return {
        "topics": _my_topics(session_log, side) or session_topic(meeting, side),
        "shared_summary": session_log.shared_summary if session_log else "",
        "summary_revision": session_log.summary_revision if session_log else 0,
        "reflection": reflection.text if reflection else "",
        "goal_note": mine.note if mine else "", "goal_rating": mine.rating if mine else None,
        "action_0_owner": str(user.pk), "action_1_owner": str(partner.pk),
    }


def _save_log(request: HttpRequest, form: SessionLogForm, meeting: Meeting):
    """Save the author's part; on a clash over the shared summary, show the partner's version in
    the box and keep the author's text beside it. Returns (form, their unsaved summary or None, ok)."""
    try:
        services.session_log_save(
            meeting=meeting, author=request.user, topics=list(form.cleaned_data["topics"]),
            shared_summary=form.cleaned_data["shared_summary"],
            summary_revision=form.cleaned_data["summary_revision"],
            reflection=form.cleaned_data["reflection"], goal_note=form.cleaned_data["goal_note"],
            goal_rating=form.cleaned_data["goal_rating"], action_items=form.action_items())
    except services.SummaryConflict as conflict:
        unsaved = form.cleaned_data["shared_summary"]
        form.show_summary_conflict(conflict)
        return form, unsaved, False
    except ValidationError as error:
        form.add_error(None, error)
        return form, None, False
    return form, None, True


@login_required
@require_http_methods(["GET", "POST"])
def log_session(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    if not meeting.can_be_logged():
        messages.info(request, _("A session can be logged once it has started."))
        return redirect(_pair_url(meeting.pair_id))
    user, side = request.user, meeting.pair.side_of(request.user)
    partner = meeting.pair.partner_of(user)
    context = selectors.log_page(meeting, user)
    form_kwargs = _log_form_kwargs(meeting, user, partner, side, context["log"])
    initial = _log_initial(context["log"], context["my_reflection"], user, partner, side, meeting)
    form, unsaved = SessionLogForm(_posted(request), initial=initial, **form_kwargs), None
    if request.method == "POST" and form.is_valid():
        form, unsaved, saved = _save_log(request, form, meeting)
        if saved:
            messages.success(request, _("Saved. %(name)s sees the shared parts; your reflection stays "
                                        "private.") % {"name": partner.first_name})
            return redirect("meetings:log", meeting.pk)
    return render(request, "meetings/log.html", {
        **context, "form": form, "meeting": meeting, "pair": meeting.pair, "partner": partner, "side": side,
        "your_summary": unsaved})


@login_required
@require_POST
def action_item_done(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_action_item_for_user(request.user, item_id)
    done = request.POST.get("done") == "1"
    services.action_item_set_done(item=item, user=request.user, done=done)
    messages.success(request, _("Marked as done.") if done else _("Opened again."))
    return redirect(_pair_url(item.pair_id) + "#actions")


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, _("Your old calendar link no longer works. Subscribe with the new one below."))
    return redirect(reverse("meetings:sessions") + "#calendar")


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: anyone with the link can read it, until its owner revokes it."""
    user = selectors.feed_user(token)
    if user is None:
        raise Http404
    # A calendar app fetches this without a session: the owner's language, not the app's Accept-Language.
    with translation.override(user.language or translation.get_language()):
        body = feed_ics(selectors.feed_meetings(user), name=_("Flipside mentoring"),
                        extra=feed_providers.events_for(user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="flipside.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
