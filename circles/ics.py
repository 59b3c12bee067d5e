"""Calendar events of circle sessions, built with meetings.ics's building blocks.

One session is one calendar event for its whole life (UID fixed, SEQUENCE rising with every change
sent), with every host and member as an attendee. Nothing from notes ever goes in here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from circles.models import CircleSession
from meetings import ics


def session_url(session: CircleSession) -> str:
    return settings.SITE_URL + reverse("circles:session", args=[session.pk])


def session_event(session: CircleSession, *, people, sequence: int, cancelled: bool,
                  stamp: datetime) -> Event:
    event = Event()
    event.add("uid", session.ics_uid_value)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", _("Circle: %(name)s") % {"name": session.circle.name})
    if session.mode == CircleSession.Mode.VIDEO and session.video_link:
        event.add("location", session.video_link)
        event.add("url", session.video_link)
    elif session.mode == CircleSession.Mode.VIDEO:
        event.add("location", _("Video call (link to follow)"))
    elif session.location:
        event.add("location", session.location)
    event.add("description", _("Circle session. Say whether you are coming: %(url)s") % {
        "url": session_url(session)})
    event.add("organizer", ics.organizer(), encode=0)
    for user in people:
        event.add("attendee", ics.calendar_address(user.email, user.display_name, role="REQ-PARTICIPANT",
                                                   partstat="NEEDS-ACTION", rsvp="FALSE"), encode=0)
    if cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if session.status == CircleSession.Status.PROPOSED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def session_ics(session: CircleSession, *, people, method: str, sequence: int | None = None) -> bytes:
    """An invitation or update (REQUEST) or a cancellation (CANCEL) of one circle session."""
    calendar = ics.calendar_document(method)
    calendar.add_component(session_event(
        session, people=people, sequence=session.ics_sequence if sequence is None else sequence,
        cancelled=method == "CANCEL", stamp=timezone.now()))
    return calendar.to_ical()
