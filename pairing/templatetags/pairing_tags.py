"""Small presentation helpers for pairing templates."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from pairing.matching_input import explanation_now

register = template.Library()

_OK = {"approved", "active", "accepted", "done", "completed"}
_WARN = {"waitlisted", "pending", "queued", "running"}
_BAD = {"declined", "withdrawn", "ended_early", "failed"}
_BRAND = {"applied", "proposed"}


@register.filter
def status_badge(value: str) -> str:
    """The badge class for a status value: ok, warn, bad or brand."""
    if value in _OK:
        return "badge badge-ok"
    if value in _WARN:
        return "badge badge-warn"
    if value in _BAD:
        return "badge badge-bad"
    if value in _BRAND:
        return "badge badge-brand"
    return "badge"


@register.filter
def get_item(mapping: dict, key):
    """``mapping[key]`` in a template (None when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def current_explanation(pair) -> str:
    """The pair's explanation with the time difference of the two people's current zones."""
    return explanation_now(
        pair.explanation, zones=(pair.mentor.user.time_zone, pair.mentee.user.time_zone), now=timezone.now()
    )


@register.simple_tag
def score_breakdown(pair) -> str:
    """The items of a pair's score breakdown (``selectors.with_breakdown``): label, a meter, points
    of most. Written here rather than in a template loop: the review shows 50 pairs of six parts,
    and the template engine's per-variable cost made these lines most of the page's render."""
    item = ('<li><span>{}</span><meter min="0" max="{}" value="{}">{}</meter>'
            '<span class="num">{} / {}</span></li>')
    return format_html_join(
        "\n", item,
        ((label, f"{most:f}", f"{points:f}", points_text, points_text, most_text)
         for label, points, most, points_text, most_text in pair.breakdown))


@register.filter
def ago(value) -> str:
    """"just now" under a minute (timesince would say "0 minutes"), else "5 minutes ago"."""
    if value is None:
        return ""
    if timezone.now() - value < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value)}


@register.simple_tag
def reporting_line_rule() -> str:
    """The reporting-line rule every match keeps (pairing.rules.in_reporting_line), in plain words.

    The matching engine and HR's manual pairs both refuse two people anywhere in the same chain;
    saying so beside the explanation is what lets a junior mentor trust that their mentee cannot
    be their manager, their manager's manager, or anyone above them.
    """
    return _(
        "Not in the same reporting line: matching never pairs a mentee with anyone in their whole "
        "chain — their manager, their manager's manager and everyone above, or anyone who reports "
        "to them, directly or further down."
    )
