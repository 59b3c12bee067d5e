from __future__ import annotations

from django import template
from django.utils.dates import WEEKDAYS_ABBR

from meetings import formatting

register = template.Library()


@register.simple_tag
def both_zones(start, end, viewer, other) -> str:
    """"Tue 3 Mar, 14:00–14:45 your time · 08:00–08:45 for Robert (New York)"."""
    if start is None:
        return ""
    return formatting.both_zones(start, end, viewer, other)


@register.simple_tag
def in_zone(moment, person) -> str:
    """A time as this person reads it: "Tue 3 Mar, 14:00"."""
    if moment is None:
        return ""
    return formatting.day_and_time(moment, person.zone)


@register.filter
def city(zone_name: str) -> str:
    return formatting.zone_label(zone_name)


@register.filter
def partner_for(pair, user):
    """The other person of a pair, seen from ``user`` (``Pair.partner_of`` for templates)."""
    return pair.partner_of(user)


@register.filter
def weekday_name(weekday: int) -> str:
    """0 → "Mon" (translated)."""
    return str(WEEKDAYS_ABBR.get(weekday, ""))
