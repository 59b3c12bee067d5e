"""Property tests: whatever is uploaded, the import never crashes and never half-imports."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from programs import people
from programs.models import EmployeeImport

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])

HEADERS = ["name", "Full Name", "email", "E-mail", "department", "title", "job_title", "level", "Grade",
           "manager email", "manager_email", "location", "time zone", "timezone", "salary", "", "email"]
EMAILS = [f"p{i}@fuzz.example" for i in range(6)] + ["P1@FUZZ.example", "bad", "", "x@y"]
CELLS = st.one_of(
    st.sampled_from(EMAILS),
    st.sampled_from(["1", "3", "12", "30", "31", "0", "-1", "abc", "", " 7 ", "99999"]),
    st.sampled_from(["Europe/London", "europe/paris", "Mars/Base", "UTC", ""]),
    st.sampled_from(["=SUM(A1)", "Ann, Lee", 'say "hi"', "Zoë", "line\nbreak"]),
    st.text(max_size=30),
    st.text(min_size=140, max_size=200, alphabet="ab"),
)


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n\r;') else cell


@st.composite
def csvish(draw) -> str:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=9))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(header) + 1), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    lines = [delimiter.join(_quote(c) for c in row) for row in [header, *rows]]
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


def _assert_all_or_nothing(data: bytes, actor) -> None:
    """Upload and apply `data` in a savepoint: afterwards every row's person exists, or nobody new does."""
    with transaction.atomic():
        before = set(User.objects.values_list("email", flat=True))
        try:
            employee_import = people.employee_import_create(
                actor=actor, filename="f.csv", data=data)
        except people.ImportFileError as error:
            assert str(error)
            transaction.set_rollback(True)
            return
        report = people.employee_import_check(employee_import.raw_text)
        try:
            people.employee_import_apply(employee_import=employee_import, actor=actor)
        except ValidationError:
            assert set(User.objects.values_list("email", flat=True)) == before
            assert not (report.is_valid and report.has_changes)
        else:
            assert report.is_valid and report.has_changes
            after = {e.lower() for e in User.objects.values_list("email", flat=True)}
            assert {r.email for r in report.rows} <= after
            assert len(after) == len(before) + report.created
        transaction.set_rollback(True)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_the_import(hr_admin, data):
    _assert_all_or_nothing(data, hr_admin)


@FUZZ
@given(text=csvish())
def test_csv_like_text_is_imported_whole_or_not_at_all(hr_admin, text):
    # Lone surrogates (which hypothesis likes) become bytes that are not valid UTF-8.
    _assert_all_or_nothing(text.encode("utf-8", "surrogatepass"), hr_admin)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300), csvish().map(str.encode)))
def test_no_upload_ever_gets_a_server_error(hr_client, data):
    with transaction.atomic():
        before = User.objects.count()
        response = hr_client.post(reverse("programs:import"), {"file": SimpleUploadedFile("f.csv", data)})
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert hr_client.get(response.url).status_code == 200
            employee_import = EmployeeImport.objects.latest("pk")
            report = people.employee_import_check(employee_import.raw_text)
            applied = hr_client.post(reverse("programs:import_apply", args=[employee_import.pk]))
            assert applied.status_code == 302
            expected = before + report.created if report.has_changes else before
            assert User.objects.count() == expected
        transaction.set_rollback(True)
