"""Display helpers for survey pages and e-mails."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def last_day(deadline: datetime | None) -> date | None:
    """The last day a survey is open, in the reader's zone: a deadline at midnight closes the day before."""
    if deadline is None:
        return None
    return timezone.localtime(deadline - timedelta(microseconds=1)).date()
