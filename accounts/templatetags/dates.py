"""``{% load dates %}``: ``{{ value|show_date }}`` and friends, Flipside's only date formats in
templates (accounts/dates.py). Aware datetimes show in the active (the reader's) time zone."""

from __future__ import annotations

from django import template

from accounts import dates

register = template.Library()

register.filter("show_date", dates.show_date, expects_localtime=False)
register.filter("show_weekday", dates.show_weekday, expects_localtime=False)
register.filter("show_datetime", dates.show_datetime, expects_localtime=False)
register.filter("show_time", dates.show_time, expects_localtime=False)
register.filter("show_month", dates.show_month, expects_localtime=False)
register.filter("show_number", dates.show_number, is_safe=True)
register.filter("show_percent", dates.show_percent, is_safe=True)
