"""iCalendar documents: invitations and cancellations (METHOD REQUEST/CANCEL) and the private feed.

One meeting is one calendar event for its whole life: the UID never changes and SEQUENCE rises
with every change sent, so calendar clients update the event in place. Times are in UTC.
Nothing from session logs ever goes in here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from meetings.models import Meeting, MeetingSeries, SeriesOccurrence
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
    # An instance of a recurring slot is that series' event, named by its original start.
    occurrence = _occurrence(meeting)
    if occurrence is not None:
        event.add("uid", occurrence.series.ics_uid_value)
        event.add("recurrence-id", occurrence.recurrence_id.astimezone(ZoneInfo(occurrence.series.zone)))
        # An instance's version never trails the series it belongs to.
        event.add("sequence", sequence + occurrence.series.ics_sequence)
    else:
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
    """An invitation (REQUEST) or cancellation (CANCEL) for one meeting (for an instance of a
    recurring slot: that instance only, by RECURRENCE-ID)."""
    calendar = _calendar(method)
    calendar.add_component(_event(
        meeting,
        sequence=meeting.ics_sequence if sequence is None else sequence,
        cancelled=method == "CANCEL",
        stamp=timezone.now(),
    ))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_ics(meetings: Iterable[Meeting], *, name: str, extra: Iterable[Event] = ()) -> bytes:
    """A person's subscription feed: their booked sessions, same UIDs as the invitations; a recurring
    slot appears once, as its series (RRULE, EXDATE), plus the instances that were moved; and the
    ``extra`` events other apps provide (see :mod:`meetings.feed_providers`)."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    series: dict[int, MeetingSeries] = {}
    for meeting in meetings:
        occurrence = _occurrence(meeting)
        if occurrence is not None:
            series.setdefault(occurrence.series_id, occurrence.series)
            if meeting.starts_at == occurrence.recurrence_id and meeting.ics_sequence == 0:
                continue  # the series' own rule describes it
        calendar.add_component(_event(meeting, sequence=meeting.ics_sequence, cancelled=False, stamp=stamp))
    for one in series.values():
        calendar.add_component(series_event(one, stamp=stamp))
    for event in extra:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- recurring slots (meetings.series) ---------------------------------------------------------


def _occurrence(meeting: Meeting) -> SeriesOccurrence | None:
    # A missing reverse one-to-one raises an AttributeError subclass, so getattr's default applies.
    return getattr(meeting, "series_occurrence", None) if meeting.pk else None


def series_event(series: MeetingSeries, *, stamp: datetime, cancelled: bool = False) -> Event:
    """The series as one recurring event: DTSTART in the proposer's zone (so 9:00 stays 9:00 across
    daylight-saving changes), RRULE every n weeks until the last instance, EXDATE for skipped ones."""
    from meetings.series import planned_starts  # series builds on services, which build on this module

    pair = series.pair
    mentor, mentee = pair.mentor.user, pair.mentee.user
    zone = ZoneInfo(series.zone)
    starts = planned_starts(series)
    first = starts[0].astimezone(zone)
    event = Event()
    event.add("uid", series.ics_uid_value)
    event.add("sequence", series.ics_sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", first)
    event.add("dtend", first + timedelta(minutes=series.minutes))
    event.add("rrule", {"freq": "weekly", "interval": series.interval_weeks,
                        "until": starts[-1].astimezone(UTC)})
    skipped = sorted(
        o.recurrence_id.astimezone(zone)
        for o in SeriesOccurrence.objects.filter(series=series, meeting__status=Meeting.Status.CANCELLED,
                                                 recurrence_id__lte=starts[-1])
    )
    if skipped:
        event.add("exdate", skipped)
    event.add("summary", _("Mentoring (recurring): %(mentor)s & %(mentee)s") % {
        "mentor": mentor.display_name, "mentee": mentee.display_name})
    if series.mode == Meeting.Mode.VIDEO and series.video_link:
        event.add("location", series.video_link)
    elif series.location:
        event.add("location", series.location)
    url = settings.SITE_URL + reverse("meetings:pair", args=[pair.pk])
    event.add("description", _("Your protected reverse mentoring slot. Skip or move one session on its page; "
                               "details: %(url)s") % {"url": url})
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    event.add("organizer", _address(organizer_email or "flipside@localhost", organizer_name or "Flipside"),
              encode=0)
    for user in (mentor, mentee):
        event.add("attendee", _address(user.email, user.display_name, role="REQ-PARTICIPANT",
                                       partstat="ACCEPTED", rsvp="FALSE"), encode=0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def series_ics(series: MeetingSeries, *, method: str) -> bytes:
    """The whole series as an invitation (REQUEST, also for an update) or a cancellation (CANCEL)."""
    calendar = _calendar(method)
    calendar.add_component(series_event(series, stamp=timezone.now(), cancelled=method == "CANCEL"))
    calendar.add_missing_timezones()
    return calendar.to_ical()
