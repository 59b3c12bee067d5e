"""CSV exports: neutralised formula cells, a filename with the program and the date, an audit row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from evaluation.exports import csv_safe
from tests.evaluation import builders as b
from tests.evaluation.helpers import get_csv

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Engineering", "Engineering"), ("4.2", "4.2"), ("", ""), (None, ""), (12, "12"),
])
def test_cells_that_start_a_formula_are_neutralised(cell, written):
    assert csv_safe(cell) == written


@given(st.text())
def test_no_cell_but_a_plain_number_starts_a_formula_and_nothing_is_lost(text):
    written = csv_safe(text)

    assert written.endswith(text)
    if written.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert written == text and float(text) == float(text)  # a number literal, nothing to run


@pytest.mark.parametrize(("cell", "written"), [
    ("+1.1", "+1.1"), ("-0.3", "-0.3"), ("1e3", "1e3"), ("-1E-3", "-1E-3"), ("-.5", "-.5"),
    (-3, "-3"), (-0.25, "-0.25"), (Decimal("-0.30"), "-0.30"),
    ("-", "'-"), ("+", "'+"), ("-1+1", "'-1+1"), ("-1 ", "'-1 "), ("-inf", "'-inf"), ("-nan", "'-nan"),
    ("-0x1F", "'-0x1F"), (float("-inf"), "'-inf"),
])
def test_signed_numbers_stay_numbers_and_lookalikes_stay_neutralised(cell, written):
    assert csv_safe(cell) == written


@given(st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.from_regex(r"\A[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\Z"),
))
def test_any_real_number_passes_unchanged(number):
    assert csv_safe(number) == str(number)


def test_a_department_name_that_looks_like_a_formula_is_written_as_text(client, lead, frozen):
    program, _q = b.program(k=3, leads=[lead])
    for i in range(3):
        b.person(program, "mentor", department="=cmd|'/C calc'!A0", name=f"M{i}")
    for i in range(3):
        b.person(program, "mentee", department="Sales", name=f"S{i}")
    client.force_login(lead)
    rows = get_csv(client, program, "departments")
    assert rows[1][:2] == ["'=cmd|'/C calc'!A0", "3"]


def test_the_file_is_named_after_the_program_the_table_and_the_day(client, lead, six_pairs):
    client.force_login(lead)
    from django.urls import reverse

    response = client.get(reverse("evaluation:export", args=[six_pairs.program.pk, "weekly"]))
    assert response["Content-Disposition"] == 'attachment; filename="spring-pilot-weekly-2026-03-02.csv"'


def test_an_export_is_audited_with_its_filters(client, lead, six_pairs):
    client.force_login(lead)
    get_csv(client, six_pairs.program, "funnel", department="Marketing")
    audit = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert audit.actor == lead
    assert audit.data == {"program": six_pairs.program.pk, "table": "funnel", "department": "Marketing"}
