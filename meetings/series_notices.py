"""E-mails about a whole recurring slot: the proposal, its answer, and the calendar invitation that
carries the series (RRULE, EXDATE) — or its update (SEQUENCE + 1) or cancellation.

One :class:`~meetings.models.SeriesNotice` per person and change (unique per series, person, sequence
and kind), queued in the outbox (kind "series-notice") in the change's own transaction. Notices about one
instance (skipped or moved) are ordinary meeting notices (meetings.notices).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from meetings import ics
from meetings.formatting import zone_label
from meetings.models import MeetingSeries, SeriesNotice
from meetings.services import notices_queued
from notifications import kinds, outbox, render
from notifications.models import Message

KIND = "series-notice"
METHODS = {SeriesNotice.Kind.REQUEST: "REQUEST", SeriesNotice.Kind.CANCEL: "CANCEL"}


def queue(series: MeetingSeries, *, kind: str, recipients) -> list[int]:
    """Write this change's notices and queue their messages (inside the change's transaction)."""
    notices = [
        SeriesNotice.objects.create(series=series, recipient=user, sequence=series.ics_sequence, kind=kind)
        for user in recipients
    ]
    if notices_queued():  # the demo's history writes the rows only
        outbox.rows_queue(KIND, notices)
    return [n.pk for n in notices]


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(
        SeriesNotice,
        messages,
        "recipient",
        "series__pair__program",
        "series__pair__mentor__user",
        "series__pair__mentee__user",
        "series__proposed_by",
        "series__answered_by",
        "series__ended_by",
    )
    # The newest calendar file per series and person carries the current state: older ones are skipped.
    newest = kinds.newest_per_recipient(
        SeriesNotice.objects.filter(
            series__in={m.ref.series_id for m in messages if m.ref}, kind__in=list(METHODS)
        ),
        "series",
    )
    for message in messages:
        message.newest = newest


def _build(message: Message):
    from meetings.series import describe  # series imports this module

    notice: SeriesNotice | None = message.ref
    if notice is None:
        return kinds.Skip("deleted")
    series, recipient = notice.series, notice.recipient
    if notice.kind in METHODS and message.newest.get((notice.series_id, notice.recipient_id)) != notice.pk:
        return kinds.Skip("superseded")
    pair = series.pair
    url = render.site_url(reverse("meetings:pair", args=[pair.pk]))
    attachments = []
    method = METHODS.get(notice.kind)
    if method:
        attachments.append(
            (
                "series.ics",
                ics.series_ics(series, method=method),
                f"text/calendar; method={method}; charset=utf-8",
            )
        )
    return render.render(
        template=f"meetings/emails/series_{notice.kind}",
        recipient=recipient,
        prefix=False,
        context={
            "notice": notice,
            "series": series,
            "program": pair.program,
            "pair": pair,
            "partner": pair.partner_of(recipient),
            "when": describe(series, recipient),
            "updated": notice.sequence > 0,
            "zone": zone_label(recipient.zone),
            "url": url,
        },
        attachments=attachments,
        links=[(_("Open your sessions"), url)],
    )


def register() -> None:
    kinds.register(KIND, build=_build, load=_load, group="reminders")
