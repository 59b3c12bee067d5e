"""Calendar notices: the e-mail (with its iCalendar part) each change to a meeting sends.

A change writes one :class:`~meetings.models.MeetingNotice` per person (unique per meeting, person,
calendar sequence and kind) and queues its outbox message (kind "meeting-notice") in the same
transaction; a worker delivers it once the transaction commits, or the delivery tick does if the
broker was unreachable. A notice superseded by a newer one to the same person about the same
meeting is skipped: the newer one carries the current state.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import ics
from meetings.formatting import both_zones, span, zone_label
from meetings.models import Meeting, MeetingNotice
from notifications import kinds, outbox, render
from notifications.models import Message

KIND = "meeting-notice"
TEMPLATES = {
    MeetingNotice.Change.PROPOSED: "proposed",
    MeetingNotice.Change.DECLINED: "declined",
    MeetingNotice.Change.CONFIRMED: "confirmed",
    MeetingNotice.Change.BOOKED: "confirmed",
    MeetingNotice.Change.RESCHEDULED: "rescheduled",
    MeetingNotice.Change.UPDATED: "updated",
    MeetingNotice.Change.CANCELLED: "cancelled",
}


def meeting_notices_queue(
    meeting: Meeting, *, kind: str, change: str, recipients, queue: bool = True
) -> list[int]:
    """Write the notices of one change and queue their messages (call inside the change's
    transaction); ``queue=False`` writes the notices only (the demo's history is not news)."""
    notices = [
        MeetingNotice.objects.create(
            meeting=meeting, recipient=user, sequence=meeting.ics_sequence, kind=kind, change=change
        )
        for user in recipients
    ]
    if queue:
        outbox.rows_queue(KIND, notices)
    return [n.pk for n in notices]


def _load(messages: list[Message]) -> None:
    kinds.attach_refs(
        MeetingNotice,
        messages,
        "recipient",
        "meeting__pair__program",
        "meeting__pair__mentor__user",
        "meeting__pair__mentee__user",
        "meeting__topic__topic",
    )
    newest = kinds.newest_per_recipient(
        MeetingNotice.objects.filter(meeting__in={m.ref.meeting_id for m in messages if m.ref}), "meeting"
    )
    for message in messages:
        message.newest = newest


def _build(message: Message):
    notice: MeetingNotice | None = message.ref
    if notice is None:
        return kinds.Skip("deleted")
    if message.newest.get((notice.meeting_id, notice.recipient_id)) != notice.pk:
        return kinds.Skip("superseded")
    meeting, recipient = notice.meeting, notice.recipient
    partner = meeting.pair.partner_of(recipient)
    last_event = meeting.events.order_by("-at", "-id").select_related("actor").first()
    url = ics.meeting_url(meeting)
    attachments = []
    if notice.method:
        attachments.append(
            (
                "invite.ics",
                ics.meeting_ics(meeting, method=notice.method, sequence=notice.sequence),
                f"text/calendar; method={notice.method}; charset=utf-8",
            )
        )
    with timezone.override(recipient.zone):
        old_when = (
            span(last_event.old_starts_at, None, recipient.zone)
            if last_event and last_event.old_starts_at
            else ""
        )
    return render.render(
        template=f"meetings/emails/{TEMPLATES[notice.change]}",
        recipient=recipient,
        prefix=False,
        context={
            "notice": notice,
            "meeting": meeting,
            "partner": partner,
            "program": meeting.pair.program,
            "actor": last_event.actor if last_event else None,
            "reason": last_event.reason if last_event else "",
            "when": both_zones(meeting.starts_at, meeting.ends_at, recipient, partner)
            if meeting.starts_at
            else "",
            "old_when": old_when,
            "slots": [both_zones(s.starts_at, s.ends_at, recipient, partner) for s in meeting.slots.all()],
            "zone": zone_label(recipient.zone),
            "url": url,
        },
        attachments=attachments,
        links=[(_("Open the session"), url)],
    )


def register() -> None:
    kinds.register(KIND, build=_build, load=_load, group="reminders")
