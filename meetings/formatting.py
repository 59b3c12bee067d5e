"""How times read for people in two time zones: "Tue 3 Mar 2026, 14:00–14:45 your time · 08:00–08:45 for
Robert (New York)"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from accounts.dates import show_datetime, show_time


def zone_label(zone: ZoneInfo | str) -> str:
    """A readable city for an IANA zone: "America/New_York" → "New York"."""
    key = zone if isinstance(zone, str) else zone.key
    return key.rsplit("/", 1)[-1].replace("_", " ")


def day_and_time(moment: datetime, zone: ZoneInfo) -> str:
    return show_datetime(moment, zone)


def clock(moment: datetime, zone: ZoneInfo) -> str:
    return show_time(moment, zone)


def span(start: datetime, end: datetime | None, zone: ZoneInfo, *, with_day: bool = True) -> str:
    """"Tue 3 Mar 2026, 14:00–14:45" (or "14:00–14:45") in the given zone."""
    first = day_and_time(start, zone) if with_day else clock(start, zone)
    if end is None:
        return first
    return f"{first}–{clock(end, zone)}"


def both_zones(start: datetime, end: datetime | None, viewer, other) -> str:
    """A time as the viewer reads it, followed by the same time for the other person."""
    mine = span(start, end, viewer.zone)
    if viewer.zone.key == other.zone.key or (
            start.astimezone(viewer.zone).utcoffset() == start.astimezone(other.zone).utcoffset()
            and start.astimezone(viewer.zone).date() == start.astimezone(other.zone).date()):
        return _("%(time)s for both of you") % {"time": mine}
    same_day = start.astimezone(viewer.zone).date() == start.astimezone(other.zone).date()
    theirs = span(start, end, other.zone, with_day=not same_day)
    return _("%(mine)s your time · %(theirs)s for %(name)s (%(city)s)") % {
        "mine": mine, "theirs": theirs, "name": other.first_name, "city": zone_label(other.zone)}
