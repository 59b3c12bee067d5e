"""CSV cells that spreadsheet programs will not run as formulas."""

from __future__ import annotations

import math
import re
from decimal import Decimal

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets; tab and carriage return can smuggle one in after a separator (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number literal ("+1.1", "-0.3", "-1e3"): a spreadsheet reads it as that number and runs
# nothing, so it is left as it is; quoting it would turn the signed figures of a report into text.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def csv_safe(value) -> str:
    """The value as text, with a leading single quote when it would start a formula (numbers never do)."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return text
    if isinstance(value, Decimal):
        if value.is_finite():
            return text
    elif isinstance(value, float):
        if math.isfinite(value):
            return text
    elif _NUMBER.fullmatch(text):
        return text
    return "'" + text if text.startswith(FORMULA_STARTS) else text
