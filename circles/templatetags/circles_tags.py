"""Template helpers of circles: a session's time in the viewer's own zone."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from meetings.formatting import span, zone_label

register = template.Library()


@register.simple_tag
def session_when(session, user) -> str:
    """"Tue 3 Mar 2027, 14:00–15:00 your time (Berlin)": each member reads their own zone."""
    return _("%(time)s your time (%(city)s)") % {
        "time": span(session.starts_at, session.ends_at, user.zone), "city": zone_label(user.zone)}


@register.filter
def status_class(status: str) -> str:
    return {"confirmed": "badge badge-ok", "held": "badge badge-brand", "cancelled": "badge badge-bad",
            "proposed": "badge badge-warn", "draft": "badge badge-warn", "active": "badge badge-ok",
            "closed": "badge"}.get(status, "badge")
