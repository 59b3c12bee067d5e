"""Flipside's one date style for English readers: "Thu 3 Dec 2026, 14:30" (settings.FORMAT_MODULE_PATH).

Another language gets its own module beside this one (accounts/formats/de/formats.py); the names
are Django's, plus WEEKDAY_DATE_FORMAT for a day that reads better with its weekday.
"""

from __future__ import annotations

DATE_FORMAT = "j M Y"  # 3 Dec 2026
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "D j M Y, H:i"  # Thu 3 Dec 2026, 14:30
SHORT_DATETIME_FORMAT = "D j M Y, H:i"
TIME_FORMAT = "H:i"  # 14:30
WEEKDAY_DATE_FORMAT = "D j M Y"  # Thu 3 Dec 2026
YEAR_MONTH_FORMAT = "M Y"  # Dec 2026
MONTH_DAY_FORMAT = "j M"  # 3 Dec (chart axes only, where the year is shown elsewhere)
