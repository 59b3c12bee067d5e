"""iCalendar documents: invitations and cancellations (METHOD REQUEST/CANCEL) and the private feed.

One meeting is one calendar event for its whole life: the UID never changes and SEQUENCE rises
with every change sent, so calendar clients update the event in place. Times are in UTC.
Nothing from session logs ever goes in here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from meetings.models import Meeting
from meetings.topics import kit_text

PRODID = "-//Flipside//Reverse mentoring//EN"


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = vText(value)
    return address


def calendar_document(method: str | None) -> Calendar:
    """An empty calendar with Flipside's PRODID (for other apps' invitations, e.g. circles)."""
    return _calendar(method)


def calendar_address(email: str, name: str, **params: str) -> vCalAddress:
    """An ORGANIZER/ATTENDEE value: ``mailto:`` address, display name and parameters."""
    return _address(email, name, **params)


def organizer() -> vCalAddress:
    """Flipside itself, from DEFAULT_FROM_EMAIL: the organizer of every event it sends."""
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return _address(organizer_email or "flipside@localhost", organizer_name or "Flipside")


def meeting_url(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse("meetings:meeting", args=[meeting.pk])


def _event(meeting: Meeting, *, sequence: int, cancelled: bool, stamp: datetime) -> Event:
    mentor, mentee = meeting.pair.mentor.user, meeting.pair.mentee.user
    event = Event()
    event.add("uid", meeting.ics_uid_value)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", _("Mentoring: %(mentor)s & %(mentee)s") % {
        "mentor": mentor.display_name, "mentee": mentee.display_name})
    if meeting.mode == Meeting.Mode.VIDEO and meeting.video_link:
        event.add("location", meeting.video_link)
        event.add("url", meeting.video_link)
    elif meeting.mode == Meeting.Mode.VIDEO:
        event.add("location", _("Video call (link to follow)"))
    elif meeting.location:
        event.add("location", meeting.location)
    description = _("Reverse mentoring session. Details: %(url)s") % {"url": meeting_url(meeting)}
    if meeting.mode == Meeting.Mode.VIDEO and not meeting.video_link:
        # Calendars show the description, not the page: say why there is no link to click.
        description = _("Video call — link to follow from your partner.") + "\n" + description
    if meeting.topic_id:
        # The agenda and kit, so preparing needs nothing but the calendar entry.
        description += "\n\n" + kit_text(meeting.topic)
    event.add("description", description)
    event.add("organizer", organizer(), encode=0)
    for user in (mentor, mentee):
        event.add("attendee", _address(user.email, user.display_name, role="REQ-PARTICIPANT",
                                       partstat="ACCEPTED", rsvp="FALSE"), encode=0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def meeting_ics(meeting: Meeting, *, method: str, sequence: int | None = None) -> bytes:
    """An invitation (REQUEST) or cancellation (CANCEL) for one meeting."""
    calendar = _calendar(method)
    calendar.add_component(_event(
        meeting,
        sequence=meeting.ics_sequence if sequence is None else sequence,
        cancelled=method == "CANCEL",
        stamp=timezone.now(),
    ))
    return calendar.to_ical()


def feed_ics(meetings: Iterable[Meeting], *, name: str, extra: Iterable[Event] = ()) -> bytes:
    """A person's subscription feed: their booked sessions, same UIDs as the invitations, and the
    ``extra`` events other apps provide (see :mod:`meetings.feed_providers`)."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(_event(meeting, sequence=meeting.ics_sequence, cancelled=False, stamp=stamp))
    for event in extra:
        calendar.add_component(event)
    return calendar.to_ical()
