"""The employee CSV import: every bad input gets a clear message naming the row; all or nothing."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from accounts.models import User
from programs import people
from programs.models import EmployeeImport, OrgChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "name,email,department,title,level,manager email,location,time zone\n"
GOOD = HEADER + (
    "Aisha Rahman,aisha@corp.example,Engineering,Cloud Engineer,3,margaret@corp.example,Berlin,"
    "Europe/Berlin\n"
    "Robert Whitfield,robert@corp.example,Sales,VP Sales,11,margaret@corp.example,New York,America/New_York\n"
    "Margaret Olsen,margaret@corp.example,Leadership,CEO,14,,London,Europe/London\n"
)


def check(text: str) -> people.ImportReport:
    return people.employee_import_check(text)


def errors(text: str) -> list[str]:
    report = check(text)
    return report.file_errors + [f"row {r.row}: {e}" for r in report.rows for e in r.errors]


def apply(text: str, actor) -> dict[str, int]:
    employee_import = people.employee_import_create(actor=actor, filename="people.csv", data=text.encode())
    return people.employee_import_apply(employee_import=employee_import, actor=actor)


# --- a good file -----------------------------------------------------------------------------


def test_a_good_file_previews_three_new_people_and_writes_nothing(hr_admin):
    report = check(GOOD)
    assert report.is_valid and (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert [r.row for r in report.rows] == [2, 3, 4]
    assert not User.objects.filter(email__endswith="@corp.example").exists()


def test_applying_creates_everyone_with_their_manager_even_when_listed_later(hr_admin):
    result = apply(GOOD, hr_admin)
    assert result == {"created": 3, "updated": 0, "unchanged": 0}
    aisha = User.objects.get(email="aisha@corp.example")
    assert aisha.manager.email == "margaret@corp.example"
    facts = (aisha.full_name, aisha.department, aisha.job_title, aisha.level, aisha.location, aisha.time_zone)
    assert facts == ("Aisha Rahman", "Engineering", "Cloud Engineer", 3, "Berlin", "Europe/Berlin")
    assert not aisha.has_usable_password()
    assert EmailAddress.objects.get(user=aisha).verified
    assert User.objects.get(email="margaret@corp.example").manager is None
    assert OrgChange.objects.filter(area="people", summary__contains="3 added").exists()


def test_importing_the_same_file_twice_changes_nothing(hr_admin):
    apply(GOOD, hr_admin)
    before = list(User.objects.order_by("pk").values())
    report = check(GOOD)
    assert report.is_valid and not report.has_changes and report.unchanged == 3
    with pytest.raises(ValidationError, match="Nothing to change"):
        apply(GOOD, hr_admin)
    assert list(User.objects.order_by("pk").values()) == before


def test_a_changed_row_is_an_update_listing_old_and_new_values(hr_admin):
    apply(GOOD, hr_admin)
    report = check(GOOD.replace("Cloud Engineer,3", "Platform Engineer,4"))
    aisha = next(r for r in report.rows if r.email == "aisha@corp.example")
    assert aisha.action == "update"
    assert aisha.changes == [("job_title", "Cloud Engineer", "Platform Engineer"), ("level", 3, 4)]
    assert report.updated == 1 and report.unchanged == 2


def test_existing_people_are_matched_whatever_the_case_of_their_address(hr_admin):
    existing = UserFactory(email="aisha@corp.example", full_name="A. Rahman", level=2)
    apply(GOOD.replace("aisha@corp.example", "Aisha@Corp.Example"), hr_admin)
    existing.refresh_from_db()
    assert existing.full_name == "Aisha Rahman" and existing.level == 3
    assert User.objects.filter(email__iexact="aisha@corp.example").count() == 1
    assert existing.has_usable_password()  # an update never touches the password


def test_a_new_file_moves_people_to_another_manager_or_to_none(hr_admin):
    apply(GOOD, hr_admin)
    moved = GOOD.replace("Sales,VP Sales,11,margaret@corp.example", "Sales,VP Sales,11,aisha@corp.example")
    moved = moved.replace("Cloud Engineer,3,margaret@corp.example", "Cloud Engineer,3,")

    assert apply(moved, hr_admin)["updated"] == 2

    people_ = User.objects.filter(email__endswith="@corp.example")
    managers = dict(people_.values_list("email", "manager__email"))
    assert managers == {"aisha@corp.example": None, "robert@corp.example": "aisha@corp.example",
                        "margaret@corp.example": None}


def test_a_manager_may_already_be_in_flipside(hr_admin):
    UserFactory(email="boss@corp.example")
    text = HEADER + "Ann,ann@corp.example,Ops,Analyst,3,BOSS@corp.example,,\n"
    apply(text, hr_admin)
    assert User.objects.get(email="ann@corp.example").manager.email == "boss@corp.example"


def test_headers_are_matched_loosely_and_in_any_order(hr_admin):
    text = ("E-mail;Full Name;Job Title;Level;Manager_Email;Department;Timezone\n"
            "ann@corp.example;Ann Lee;Analyst;3;;Ops;europe/paris\n")
    report = check(text)
    assert report.is_valid, errors(text)
    assert report.rows[0].values["time_zone"] == "Europe/Paris"
    apply(text, hr_admin)
    ann = User.objects.get(email="ann@corp.example")
    facts = (ann.full_name, ann.job_title, ann.time_zone, ann.department)
    assert facts == ("Ann Lee", "Analyst", "Europe/Paris", "Ops")


def test_unused_columns_are_ignored_with_a_notice():
    report = check(HEADER.rstrip("\n") + ",salary\n" + "Ann,ann@corp.example,Ops,,3,,,,90000\n")
    assert report.is_valid
    assert report.notices == ["These columns are not used and will be ignored: salary."]


def test_an_empty_time_zone_keeps_the_persons_own_choice(hr_admin):
    person = UserFactory(email="ann@corp.example", time_zone="Asia/Tokyo", full_name="Ann", level=3,
                         department="Ops", job_title="", location="Tokyo")
    report = check(HEADER + "Ann,ann@corp.example,Ops,,3,,,\n")
    assert report.rows[0].action == "update"  # location is cleared
    apply(HEADER + "Ann,ann@corp.example,Ops,,3,,,\n", hr_admin)
    person.refresh_from_db()
    assert person.time_zone == "Asia/Tokyo"


def test_formula_looking_cells_are_stored_as_text(hr_admin):
    apply(HEADER + '"=HYPERLINK(""x"")",ann@corp.example,+Ops,@title,3,,-1,\n', hr_admin)
    ann = User.objects.get(email="ann@corp.example")
    assert ann.full_name == '=HYPERLINK("x")' and ann.department == "+Ops" and ann.location == "-1"


def test_a_utf8_file_with_a_byte_order_mark_and_accents_is_read(hr_admin):
    data = "\ufeff".encode() + (HEADER + "Zoë Müller,zoe@corp.example,Ops,,3,,Zürich,\n").encode()
    employee_import = people.employee_import_create(actor=hr_admin, filename="x.csv", data=data)
    people.employee_import_apply(employee_import=employee_import, actor=hr_admin)
    assert User.objects.get(email="zoe@corp.example").full_name == "Zoë Müller"


def test_a_utf16_file_from_excel_is_read():
    data = (HEADER + "Zoë,zoe@corp.example,Ops,,3,,,\n").encode("utf-16")
    assert check(people.decode_upload(data)).is_valid


# --- bad files -------------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_names_the_problem_and_the_line():
    data = (HEADER + "Zoë,zoe@corp.example,Ops,,3,,,\n").encode("cp1252")
    with pytest.raises(people.ImportFileError) as error:
        people.decode_upload(data)
    message = str(error.value)
    assert "not UTF-8" in message and "line 2" in message and "0xEB" in message and "CSV UTF-8" in message


def test_an_empty_file_is_refused():
    for data in (b"", b"   \n\n", b"\xfe\xff", b"\xef\xbb\xbf\n"):
        with pytest.raises(people.ImportFileError, match="The file is empty."):
            people.decode_upload(data)
    assert check("\n\n").file_errors == ["The file is empty."]


def test_a_header_without_rows_is_refused():
    assert errors(HEADER) == ["The file has a header row but no employees."]


def test_a_binary_file_is_refused():
    with pytest.raises(people.ImportFileError, match="not a CSV text file"):
        people.decode_upload(b"%PDF-1.7\x00\x01\x02binary")


def test_a_text_file_that_is_not_an_employee_list_is_refused():
    assert errors("Dear HR,\nplease find attached the list.\n") == [
        "Row 1 should hold the column names (name, email, department, level, manager email…), but none of "
        "them were found. Is this the employee list, saved as CSV?"]


def test_missing_required_columns_are_listed():
    assert errors("name,email,title\nAnn,ann@corp.example,Analyst\n") == [
        "The file lacks required columns: department, level, manager email."]


def test_a_column_given_twice_is_refused():
    assert errors("name,email,e-mail,department,level,manager email\n") == [
        "Columns 2 (“email”) and 3 (“e-mail”) both give the email."]


def test_duplicate_emails_name_both_rows():
    text = HEADER + "Ann,ann@corp.example,Ops,,3,,,\nAnn Again,ann@corp.example,Ops,,3,,,\n"
    assert errors(text) == ["row 3: The e-mail address ann@corp.example is already in row 2."]


def test_emails_differing_only_in_case_are_duplicates():
    text = HEADER + "Ann,ann@corp.example,Ops,,3,,,\nAnn Again,ANN@corp.example,Ops,,3,,,\n"
    assert errors(text) == ["row 3: The e-mail address ANN@corp.example is already in row 2 (the two differ "
                            "only in upper and lower case, which is the same address)."]


def test_an_invalid_email_names_the_row_and_the_column():
    assert errors(HEADER + "Ann,not-an-address,Ops,,3,,,\n") == [
        "row 2: Column “email”: “not-an-address” is not a valid e-mail address."]


def test_missing_required_cells_are_named():
    assert errors(HEADER + ",,Ops,,,,,\n") == [
        "row 2: Column “name”: the name is missing.",
        "row 2: Column “email”: the e-mail address is missing.",
        "row 2: Column “level”: the level is missing."]


def test_unknown_time_zones_are_refused_with_an_example():
    assert errors(HEADER + "Ann,ann@corp.example,Ops,,3,,,Mars/Olympus\n") == [
        "row 2: Column “time zone”: “Mars/Olympus” is not a known time zone. Use names like Europe/London or "
        "America/New_York."]


@pytest.mark.parametrize(("level", "message"), [
    ("senior", "“senior” is not a whole number."),
    ("3.5", "“3.5” is not a whole number."),
    ("-2", "“-2” is not a whole number."),
    ("0", "0 is outside the allowed levels 1 to 30."),
    ("31", "31 is outside the allowed levels 1 to 30."),
    ("99999999999", "“99999999999” is not a whole number."),
])
def test_levels_must_be_whole_numbers_in_range(level, message):
    assert errors(HEADER + f"Ann,ann@corp.example,Ops,,{level},,,\n") == [f"row 2: Column “level”: {message}"]


def test_a_manager_nobody_knows_is_refused():
    assert errors(HEADER + "Ann,ann@corp.example,Ops,,3,ghost@corp.example,,\n") == [
        "row 2: Column “manager email”: ghost@corp.example is neither in this file nor already in Flipside."]


def test_a_person_cannot_manage_themselves():
    assert errors(HEADER + "Ann,ann@corp.example,Ops,,3,ANN@corp.example,,\n") == [
        "row 2: Column “manager email”: a person cannot be their own manager."]


def test_a_reporting_loop_names_the_rows_in_it():
    text = HEADER + ("Ann,ann@corp.example,Ops,,3,bob@corp.example,,\n"
                     "Cid,cid@corp.example,Ops,,3,,,\n"
                     "Bob,bob@corp.example,Ops,,5,ann@corp.example,,\n")
    loop = "row 2 (ann@corp.example) → row 4 (bob@corp.example) → row 2 (ann@corp.example)"
    assert errors(text) == [
        f"row 2: Column “manager email”: this makes a reporting loop: {loop}.",
        f"row 4: Column “manager email”: this makes a reporting loop: {loop}."]


def test_a_loop_through_someone_already_in_flipside_is_found():
    boss = UserFactory(email="boss@corp.example")
    UserFactory(email="ann@corp.example", manager=boss)
    # The file makes boss report to ann, who (in Flipside) reports to boss.
    text = HEADER + "Boss,boss@corp.example,Ops,,9,ann@corp.example,,\n"
    assert errors(text) == [
        "row 2: Column “manager email”: this makes a reporting loop: row 2 (boss@corp.example) → "
        "ann@corp.example (already in Flipside) → row 2 (boss@corp.example)."]


def test_very_long_fields_are_refused_and_named():
    text = HEADER + f"{'A' * 5000},ann@corp.example,{'D' * 101},,3,,,\n"
    assert errors(text) == [
        "row 2: Column “name”: 5000 characters is too long (at most 150).",
        "row 2: Column “department”: 101 characters is too long (at most 100)."]


def test_a_row_with_more_cells_than_columns_is_refused():
    assert errors(HEADER + "Ann,ann@corp.example,Ops,,3,,,,surprise\n") == [
        "row 2: This row has 9 cells but the header has 8 columns."]


def test_a_field_too_large_for_csv_is_reported_not_crashed():
    text = HEADER + 'Ann,"' + "x" * 200_000 + '",Ops,,3,,,\n'
    assert "cannot be read as CSV" in errors(text)[0]


def test_row_numbers_count_quoted_line_breaks_as_one_row():
    text = HEADER + '"Ann\nLee",ann@corp.example,Ops,,3,,,\nBob,bad,Ops,,3,,,\n'
    assert errors(text) == ["row 3: Column “email”: “bad” is not a valid e-mail address."]


# --- all or nothing --------------------------------------------------------------------------


def test_one_bad_row_means_nothing_is_imported(hr_admin):
    text = GOOD + "Bad,bad@corp.example,Ops,,level-9,,,\n"
    employee_import = people.employee_import_create(actor=hr_admin, filename="x.csv", data=text.encode())
    with pytest.raises(ValidationError, match="nothing was imported"):
        people.employee_import_apply(employee_import=employee_import, actor=hr_admin)
    assert not User.objects.filter(email__endswith="@corp.example").exists()
    employee_import.refresh_from_db()
    assert employee_import.applied_at is None


def test_apply_checks_again_and_refuses_what_became_invalid(hr_admin):
    ann = UserFactory(email="ann@corp.example")
    text = HEADER + "Boss,boss@corp.example,Ops,,9,ann@corp.example,,\n"
    employee_import = people.employee_import_create(actor=hr_admin, filename="x.csv", data=text.encode())
    assert check(employee_import.raw_text).is_valid
    # Meanwhile the boss is entered as Ann's manager: the file would now make a loop.
    boss = UserFactory(email="boss@corp.example")
    User.objects.filter(pk=ann.pk).update(manager=boss)
    with pytest.raises(ValidationError, match="has problems"):
        people.employee_import_apply(employee_import=employee_import, actor=hr_admin)
    boss.refresh_from_db()
    assert boss.manager is None and boss.level == 5


def test_a_file_cannot_be_applied_twice(hr_admin):
    employee_import = people.employee_import_create(actor=hr_admin, filename="x.csv", data=GOOD.encode())
    people.employee_import_apply(employee_import=employee_import, actor=hr_admin)
    with pytest.raises(ValidationError, match="already imported"):
        people.employee_import_apply(employee_import=employee_import, actor=hr_admin)
    assert EmployeeImport.objects.get().result == {"created": 3, "updated": 0, "unchanged": 0}


def test_a_failure_while_writing_rolls_everything_back(hr_admin, monkeypatch):
    employee_import = people.employee_import_create(actor=hr_admin, filename="x.csv", data=GOOD.encode())

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(people, "_apply_managers", boom)
    with pytest.raises(RuntimeError):
        people.employee_import_apply(employee_import=employee_import, actor=hr_admin)
    assert not User.objects.filter(email__endswith="@corp.example").exists()
    assert not EmailAddress.objects.filter(email__endswith="@corp.example").exists()
