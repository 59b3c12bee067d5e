"""Dates and times as people read them, in one style and in the reader's own time zone.

The formats live in accounts/formats/<language>/formats.py (settings.FORMAT_MODULE_PATH); the
template filters in accounts/templatetags/dates.py call these helpers, and Python code that writes
dates into e-mails, calendar text or messages calls them too, so nothing else picks a format.
An aware datetime is shown in ``zone`` when given, else in the active time zone (the signed-in
person's, or an e-mail's recipient's inside ``timezone.override``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import formats, timezone


def _local(value, zone: ZoneInfo | None):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value, zone)
    return value


def _format(value, name: str, zone: ZoneInfo | None) -> str:
    if value in (None, ""):
        return ""
    return formats.date_format(_local(value, zone), name)


def show_date(value: dt.date | dt.datetime | None, zone: ZoneInfo | None = None) -> str:
    """3 Dec 2026"""
    return _format(value, "DATE_FORMAT", zone)


def show_weekday(value: dt.date | dt.datetime | None, zone: ZoneInfo | None = None) -> str:
    """Thu 3 Dec 2026"""
    return _format(value, "WEEKDAY_DATE_FORMAT", zone)


def show_datetime(value: dt.datetime | None, zone: ZoneInfo | None = None) -> str:
    """Thu 3 Dec 2026, 14:30"""
    return _format(value, "DATETIME_FORMAT", zone)


def show_time(value: dt.datetime | dt.time | None, zone: ZoneInfo | None = None) -> str:
    """14:30"""
    if isinstance(value, dt.time):
        return formats.time_format(value, "TIME_FORMAT")
    return _format(value, "TIME_FORMAT", zone)


def show_month(value: dt.date | dt.datetime | None, zone: ZoneInfo | None = None) -> str:
    """Dec 2026"""
    return _format(value, "YEAR_MONTH_FORMAT", zone)


def show_day_month(value: dt.date | dt.datetime | None, zone: ZoneInfo | None = None) -> str:
    """3 Dec — only for chart axes, where the year is shown elsewhere."""
    return _format(value, "MONTH_DAY_FORMAT", zone)


def show_number(value: int | float | None, decimals: int | None = None) -> str:
    """1,234.5 for English readers, 1.234,5 for German ones (the active language's separators).

    Grouping is forced here rather than by USE_THOUSAND_SEPARATOR, which would also group ids and
    years wherever a template prints a bare number (URLs, form values, data attributes).
    """
    if value in (None, ""):
        return ""
    # Rounded, not cut: number_format drops the digits beyond decimal_pos (4.96 would read "4,9").
    value = value if decimals is None else round(value, decimals)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def show_percent(value: int | float | None, decimals: int | None = None) -> str:
    """12 % / 1.234,5 % — a figure already in per cent, with the reader's separators and a space before
    the sign (the dashboard's style, and German typography's)."""
    if value in (None, ""):
        return ""
    return f"{show_number(value, decimals)} %"


def machine_number(value: int | float | None, decimals: int | None = None) -> str:
    """1234.5 for every reader: what CSV exports write, so a file reads the same into any spreadsheet or
    script whoever downloaded it (a German "1.234,5" would be text to most of them, and its comma is
    the CSV separator)."""
    if value in (None, ""):
        return ""
    value = value if decimals is None else round(value, decimals)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=False)
