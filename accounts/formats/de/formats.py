"""Flipside's one date style for German readers: "Do., 3. Dez. 2026, 14:30" (settings.FORMAT_MODULE_PATH).

The same names as accounts/formats/en/formats.py. ``N`` is Django's abbreviated month with its own
German abbreviation ("Dez.", "März", "Mai"), the way German texts abbreviate; ``D`` the weekday ("Do").
Number separators (1.234,5) come from Django's own German formats.
"""

from __future__ import annotations

DATE_FORMAT = "j. N Y"  # 3. Dez. 2026
SHORT_DATE_FORMAT = "j. N Y"
DATETIME_FORMAT = "D., j. N Y, H:i"  # Do., 3. Dez. 2026, 14:30
SHORT_DATETIME_FORMAT = "D., j. N Y, H:i"
TIME_FORMAT = "H:i"  # 14:30
WEEKDAY_DATE_FORMAT = "D., j. N Y"  # Do., 3. Dez. 2026
YEAR_MONTH_FORMAT = "N Y"  # Dez. 2026
MONTH_DAY_FORMAT = "j. N"  # 3. Dez. (chart axes only, where the year is shown elsewhere)
