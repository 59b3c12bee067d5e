"""Pages of a pair's recurring slot. Only the pair's two people reach them; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meetings import series
from meetings.forms import apply_service_errors
from meetings.models import MeetingSeries
from meetings.selectors import get_meeting_pair_for_user, pairs_for_user
from meetings.series_forms import SeriesEndForm, SeriesForm
from pairing.models import Pair


def get_series_for_user(user, series_id: int) -> MeetingSeries:
    """The series if ``user`` belongs to its pair, else 404."""
    found = (
        MeetingSeries.objects.filter(pk=series_id, pair__in=pairs_for_user(user))
        .select_related("pair__program", "pair__mentor__user", "pair__mentee__user", "proposed_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _pair_url(pair_id: int) -> str:
    return reverse("meetings:pair", args=[pair_id]) + "#series"


@login_required
@require_http_methods(["GET", "POST"])
def propose_series(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = get_meeting_pair_for_user(request.user, pair_id)
    if pair.status != Pair.Status.ACTIVE or not pair.program.series_allowed or series.open_series(pair):
        messages.info(
            request,
            _(
                "A recurring slot can't be proposed here right now: the pair has one already, "
                "has ended, or the program does not use them."
            ),
        )
        return redirect(_pair_url(pair.pk))
    partner = pair.partner_of(request.user)
    form = SeriesForm(request.POST if request.method == "POST" else None, user=request.user, pair=pair)
    if request.method == "POST" and form.is_valid():
        try:
            series.series_propose(pair=pair, proposer=request.user, **form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Proposed. %(name)s accepts or declines it; then every session is in both calendars.")
                % {"name": partner.first_name},
            )
            return redirect(_pair_url(pair.pk))
    return render(request, "meetings/series_propose.html", {"form": form, "pair": pair, "partner": partner})


@login_required
@require_POST
def answer_series(request: HttpRequest, series_id: int) -> HttpResponse:
    found = get_series_for_user(request.user, series_id)
    partner = found.pair.partner_of(request.user)
    accept = request.POST.get("answer") == "accept"
    try:
        if accept:
            series.series_accept(series=found, user=request.user)
        else:
            series.series_decline(
                series=found, user=request.user, reason=request.POST.get("reason", "")[:1000]
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Agreed. Every session is now in your sessions and both calendars.")
            if accept
            else _("Closed. %(name)s has been told.") % {"name": partner.first_name},
        )
    return redirect(_pair_url(found.pair_id))


@login_required
@require_http_methods(["GET", "POST"])
def end_series(request: HttpRequest, series_id: int) -> HttpResponse:
    found = get_series_for_user(request.user, series_id)
    if found.status != MeetingSeries.Status.ACTIVE:
        messages.info(request, _("Only an agreed recurring slot can be ended."))
        return redirect(_pair_url(found.pair_id))
    partner = found.pair.partner_of(request.user)
    form = SeriesEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            series.series_end(series=found, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Ended. The sessions still ahead are removed from both calendars."))
            return redirect(_pair_url(found.pair_id))
    return render(
        request,
        "meetings/series_end.html",
        {
            "form": form,
            "series": found,
            "pair": found.pair,
            "partner": partner,
            "when": series.describe(found, request.user),
        },
    )


def pair_panel(pair: Pair, user) -> dict[str, object]:
    """What the pair page adds for the commitment guard and the recurring slot (four queries)."""
    from meetings import commitment

    rows = series.series_for_page(pair)
    current = next(
        (s for s in rows if s.status in (MeetingSeries.Status.PROPOSED, MeetingSeries.Status.ACTIVE)), None
    )
    rebook = commitment.rebook_due(pair) if pair.mentee.user_id == user.pk else None
    return {
        "series": current,
        "series_when": series.describe(current, user) if current else "",
        "series_waiting_for_me": bool(
            current and current.status == MeetingSeries.Status.PROPOSED and current.proposed_by_id != user.pk
        ),
        "series_can_propose": (
            current is None and pair.status == Pair.Status.ACTIVE and pair.program.series_allowed
        ),
        "rebook": rebook,
        "record": commitment.pair_counts(pair),
    }
