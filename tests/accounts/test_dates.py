"""One date style everywhere ("3 Dec 2026", "Thu 3 Dec 2026, 14:30"), in the reader's own zone."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from accounts.dates import (
    machine_number,
    show_date,
    show_datetime,
    show_month,
    show_number,
    show_percent,
    show_time,
    show_weekday,
)

ROOT = Path(settings.BASE_DIR)
MOMENT = dt.datetime(2026, 12, 3, 14, 30, tzinfo=dt.UTC)  # a Thursday, 14:30 UTC
# Machine-readable formats (the datetime="" attribute of <time>) are the only raw ones allowed.
MACHINE_FORMATS = {"c"}


def test_no_template_picks_its_own_date_format():
    raw = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\|\s*(date|time)\b(?::\s*(\"[^\"]*\"|'[^']*'|\w+))?", text):
            fmt = (match.group(2) or "").strip("\"'")
            if fmt not in MACHINE_FORMATS:
                raw.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert raw == [], "use {% load dates %} and |show_date, |show_datetime, …:\n" + "\n".join(raw)


def test_no_python_module_picks_its_own_date_format():
    raw = []
    apps = ("accounts", "notifications", "programs", "pairing", "meetings", "surveys", "evaluation",
            "mentoring")
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.name == "dates.py":
                continue
            text = path.read_text(encoding="utf-8")
            pattern = r"date_format\(|time_format\(|dateformat\.format\(|strftime\(\"%[^Y]"
            for match in re.finditer(pattern, text):
                raw.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert raw == [], "use accounts.dates.show_date, show_datetime, …:\n" + "\n".join(raw)


def test_the_one_style_reads_day_month_year_and_a_24_hour_clock():
    with translation.override("en"), timezone.override(ZoneInfo("UTC")):
        assert show_date(MOMENT.date()) == "3 Dec 2026"
        assert show_weekday(MOMENT) == "Thu 3 Dec 2026"
        assert show_datetime(MOMENT) == "Thu 3 Dec 2026, 14:30"
        assert show_time(MOMENT) == "14:30"
        assert show_time(dt.time(9, 5)) == "09:05"
        assert show_month(MOMENT) == "Dec 2026"
        assert show_date(None) == ""


def test_a_date_time_shows_in_the_reader_s_own_zone():
    template = Template("{% load dates %}{{ at|show_datetime }} · {{ at|show_date }} · {{ at|show_time }}")
    with translation.override("en"), timezone.override(ZoneInfo("Pacific/Auckland")):
        # 14:30 UTC on Thursday is 03:30 on Friday in Auckland (UTC+13 in December).
        assert template.render(Context({"at": MOMENT})) == "Fri 4 Dec 2026, 03:30 · 4 Dec 2026 · 03:30"
    with translation.override("en"), timezone.override(ZoneInfo("America/New_York")):
        assert template.render(Context({"at": MOMENT})) == "Thu 3 Dec 2026, 09:30 · 3 Dec 2026 · 09:30"
    # E-mails and calendar text name the zone themselves.
    assert show_datetime(MOMENT, ZoneInfo("Asia/Kolkata")) == "Thu 3 Dec 2026, 20:00"


@pytest.mark.django_db
def test_a_signed_in_person_reads_a_program_s_history_in_their_zone(client, hr_admin, program):
    from programs.models import ProgramChange

    hr_admin.time_zone = "Asia/Tokyo"
    hr_admin.save(update_fields=["time_zone"])
    ProgramChange.objects.create(program=program, actor=hr_admin, at=MOMENT, area="overview",
                                 summary="Renamed")
    client.force_login(hr_admin)
    html = client.get(f"/programs/{program.pk}/").content.decode()
    assert "Thu 3 Dec 2026, 23:30" in html


def test_german_readers_get_the_german_style_of_the_same_helpers():
    with translation.override("de"), timezone.override(ZoneInfo("UTC")):
        assert show_date(MOMENT.date()) == "3. Dez. 2026"
        assert show_weekday(MOMENT) == "Do., 3. Dez. 2026"
        assert show_datetime(MOMENT) == "Do., 3. Dez. 2026, 14:30"
        assert show_time(MOMENT) == "14:30"
        assert show_month(MOMENT) == "Dez. 2026"
        # German abbreviates only the long month names.
        assert show_date(dt.date(2026, 3, 5)) == "5. März 2026"
        assert show_date(dt.date(2026, 5, 5)) == "5. Mai 2026"
    # Nothing of it leaks into the next English reader.
    with translation.override("en"), timezone.override(ZoneInfo("UTC")):
        assert show_datetime(MOMENT) == "Thu 3 Dec 2026, 14:30"


def test_numbers_group_and_separate_the_reader_s_way():
    template = Template("{% load dates %}{{ n|show_number }} · {{ x|show_number:1 }} · {{ pk }}")
    context = Context({"n": 12345, "x": 1234.5, "pk": 12345})
    with translation.override("en"):
        assert show_number(1234.5, 1) == "1,234.5"
        # A bare number (an id in a URL or a form value) is never grouped: only show_number groups.
        assert template.render(context) == "12,345 · 1,234.5 · 12345"
    with translation.override("de"):
        assert show_number(1234.5, 1) == "1.234,5"
        assert template.render(context) == "12.345 · 1.234,5 · 12345"
    assert show_number(None) == ""


def test_percentages_follow_the_reader_s_separators_with_one_style_of_sign():
    template = Template("{% load dates %}{{ p|show_percent }} · {{ q|show_percent:1 }}")
    context = Context({"p": 12, "q": 1234.5})
    with translation.override("en"):
        assert template.render(context) == "12 % · 1,234.5 %"
    with translation.override("de"):
        assert template.render(context) == "12 % · 1.234,5 %"
    assert show_percent(None) == ""


def test_machine_numbers_are_the_same_for_every_reader():
    for language in ("en", "de"):
        with translation.override(language):
            assert machine_number(1234.5) == "1234.5"
            assert machine_number(12345) == "12345"
            assert machine_number(4.96, 1) == "5.0"  # rounded, not cut


def test_no_template_writes_its_own_percent_sign():
    raw = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            raw += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(r"}}\s*(&nbsp;)?%", text)]
    assert raw == [], "use {{ value|show_percent }}:\n" + "\n".join(raw)
