"""Employees HR brings into Flipside: the CSV import and e-mail invitations.

The import runs in two steps. `employee_import_create` decodes the upload and keeps its
text server-side; `employee_import_check` reads that text and says, row by row, what an
apply would do (or what is wrong, naming the row and the column); `employee_import_apply`
checks again and writes everything in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User, available_time_zones
from programs.models import EmployeeImport, OrgChange

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
STALE_PREVIEW = dt.timedelta(days=7)
MAX_ROWS = 5000
LEVEL_MIN, LEVEL_MAX = 1, 30

# field -> accepted column headers (compared after `_normalise_header`)
COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("name", "full name", "employee name", "employee"),
    "email": ("email", "e mail", "email address", "e mail address", "work email"),
    "department": ("department", "dept", "team"),
    "job_title": ("title", "job title", "position", "role"),
    "level": ("level", "grade", "band"),
    "manager_email": ("manager email", "manager e mail", "manager's email", "manager email address",
                      "manager"),
    "location": ("location", "office", "city"),
    "time_zone": ("time zone", "timezone", "tz"),
}
# Columns every file must have (a cell may still be empty where the field allows it).
REQUIRED_COLUMNS = ["full_name", "email", "department", "level", "manager_email"]
COLUMN_NAMES = {
    "full_name": "name", "email": "email", "department": "department", "job_title": "title",
    "level": "level", "manager_email": "manager email", "location": "location", "time_zone": "time zone",
}
MAX_LENGTHS = {"full_name": 150, "email": 254, "department": 100, "job_title": 150, "location": 100}
# The User fields an import writes, in the order the preview lists changes.
USER_FIELDS = ["full_name", "department", "job_title", "level", "manager_email", "location", "time_zone"]


class ImportFileError(ValueError):
    """The upload cannot be read as CSV text at all; the message says why."""


# --- reading the file ------------------------------------------------------------------------


def decode_upload(data: bytes) -> str:
    """The file's text. UTF-8 (with or without a byte-order mark) or UTF-16 with its mark."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)d MB. Split it into smaller files.")
                              % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(_("The file says it is UTF-16 text but is damaged. Save it as "
                                    "“CSV UTF-8” and upload it again.")) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ImportFileError(
                _("The file is not UTF-8 text: byte 0x%(byte)02X on line %(line)d cannot be read. "
                  "In your spreadsheet choose “Save as… CSV UTF-8 (comma delimited)” and upload "
                  "the new file.") % {"byte": data[error.start], "line": line}) from None
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV text file (it contains binary data). Export the "
                                "employee list as CSV and upload that file."))
    return text


def _normalise_header(value: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", value.strip().lower()).split())


def _delimiter(first_line: str) -> str:
    # Spreadsheets in many European locales save CSV with semicolons.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# --- checking the rows -----------------------------------------------------------------------


@dataclass
class RowResult:
    row: int  # as a spreadsheet numbers it: the header is row 1
    email: str = ""
    full_name: str = ""
    values: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)  # fields with an error
    action: str = ""  # "create", "update" or "unchanged" once the row is valid
    changes: list[tuple[str, object, object]] = field(default_factory=list)

    @property
    def labelled_changes(self) -> list[tuple[str, object, object]]:
        return [(COLUMN_NAMES[f], "—" if old in (None, "") else old, "—" if new in (None, "") else new)
                for f, old, new in self.changes]


@dataclass
class ImportReport:
    file_errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the fields present in the file

    @property
    def rows_with_errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.rows_with_errors and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def has_changes(self) -> bool:
        return self.is_valid and (self.created + self.updated) > 0


def employee_import_check(text: str) -> ImportReport:
    """Read CSV text and say what importing it would do, or what is wrong with it."""
    report = ImportReport()
    if not text.strip():
        report.file_errors.append(_("The file is empty."))
        return report
    header_map = _read(text, report)
    if report.file_errors:
        return report
    _check_cells(report, header_map)
    _check_duplicates(report)
    existing = _existing_people(report)
    _check_managers(report, existing)
    _check_cycles(report, existing)
    _plan(report, existing)
    return report


def _read(text: str, report: ImportReport) -> dict[str, str]:
    """Parse the CSV into raw rows; returns field -> header as written in the file."""
    delimiter = _delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    record = 0
    header: list[str] | None = None
    indexes: dict[str, int] = {}
    written: dict[str, str] = {}
    try:
        for cells in reader:
            record += 1
            if header is None:
                if not any(c.strip() for c in cells):
                    continue  # blank lines above the header
                header = cells
                indexes, written = _match_header(header, report, record)
                if report.file_errors:
                    return written
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(report.rows) >= MAX_ROWS:
                report.file_errors.append(
                    _("The file has more than %(max)d employees. Split it into smaller files.")
                    % {"max": MAX_ROWS})
                return written
            result = RowResult(row=record)
            extra = [c for c in cells[len(header):] if c.strip()]
            if extra:
                result.errors.append(_("This row has %(cells)d cells but the header has %(cols)d columns.")
                                     % {"cells": len(cells), "cols": len(header)})
            result.values = {f: (cells[i].strip() if i < len(cells) else "") for f, i in indexes.items()}
            report.rows.append(result)
    except csv.Error as error:
        report.file_errors.append(_("Row %(row)d cannot be read as CSV (%(reason)s). Check its quotes.")
                                  % {"row": record + 1, "reason": error})
        return written
    if header is None:
        report.file_errors.append(_("The file is empty."))
    elif not report.rows:
        report.file_errors.append(_("The file has a header row but no employees."))
    return written


def _match_header(header: list[str], report: ImportReport,
                  record: int) -> tuple[dict[str, int], dict[str, str]]:
    aliases = {alias: f for f, names in COLUMNS.items() for alias in names}
    indexes: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for i, raw in enumerate(header):
        name = _normalise_header(raw)
        if not name:
            continue
        target = aliases.get(name)
        if target is None:
            ignored.append(raw.strip()[:60])
        elif target in indexes:
            report.file_errors.append(
                _("Columns %(a)d (“%(first)s”) and %(b)d (“%(second)s”) both give the %(what)s.") % {
                    "a": indexes[target] + 1, "first": written[target], "b": i + 1,
                    "second": raw.strip()[:60],
                    "what": COLUMN_NAMES[target]})
        else:
            indexes[target] = i
            written[target] = raw.strip()[:60]
    missing = [COLUMN_NAMES[f] for f in REQUIRED_COLUMNS if f not in indexes]
    if not indexes:
        report.file_errors.append(
            _("Row %(row)d should hold the column names (name, email, department, level, manager email…), "
              "but none of them were found. Is this the employee list, saved as CSV?") % {"row": record})
    elif missing:
        report.file_errors.append(
            ngettext("The file lacks a required column: %(cols)s.",
                     "The file lacks required columns: %(cols)s.", len(missing))
            % {"cols": ", ".join(missing)})
    if ignored and not report.file_errors:
        report.notices.append(_("These columns are not used and will be ignored: %(cols)s.")
                              % {"cols": ", ".join(ignored)})
    report.columns = list(indexes)
    return indexes, written


def _column(name: str, written: dict[str, str]) -> str:
    return written.get(name, COLUMN_NAMES[name])


def _check_cells(report: ImportReport, written: dict[str, str]) -> None:
    zones = {z.lower(): z for z in available_time_zones()}
    for row in report.rows:
        v = row.values
        col = {f: _column(f, written) for f in COLUMNS}

        def error(name: str, message: str, row: RowResult = row, col: dict = col) -> None:
            row.errors.append(_("Column “%(column)s”: %(message)s")
                              % {"column": col[name], "message": message})
            row.bad.add(name)

        for name, limit in MAX_LENGTHS.items():
            if name in v and len(v[name]) > limit:
                error(name, _("%(length)d characters is too long (at most %(limit)d).")
                      % {"length": len(v[name]), "limit": limit})
                v[name] = v[name][:limit]
        row.full_name = v.get("full_name", "")
        if not row.full_name:
            error("full_name", _("the name is missing."))
        email = v.get("email", "")
        if not email:
            error("email", _("the e-mail address is missing."))
        elif not _valid_email(email):
            error("email", _("“%(value)s” is not a valid e-mail address.") % {"value": email[:80]})
        else:
            row.email = email.lower()
        level = v.get("level", "")
        if not level:
            error("level", _("the level is missing."))
        elif not re.fullmatch(r"[+]?\d{1,4}", level):
            error("level", _("“%(value)s” is not a whole number.") % {"value": level[:40]})
        elif not LEVEL_MIN <= int(level) <= LEVEL_MAX:
            error("level", _("%(value)s is outside the allowed levels %(min)d to %(max)d.")
                  % {"value": int(level), "min": LEVEL_MIN, "max": LEVEL_MAX})
        else:
            v["level"] = int(level)
        manager = v.get("manager_email", "")
        if manager and not _valid_email(manager):
            error("manager_email", _("“%(value)s” is not a valid e-mail address.") % {"value": manager[:80]})
        elif manager:
            v["manager_email"] = manager.lower()
            if row.email and v["manager_email"] == row.email:
                error("manager_email", _("a person cannot be their own manager."))
        zone = v.get("time_zone", "")
        if zone:
            canonical = zones.get(zone.lower())
            if canonical is None:
                error("time_zone", _("“%(value)s” is not a known time zone. Use names like Europe/London "
                                     "or America/New_York.") % {"value": zone[:60]})
            else:
                v["time_zone"] = canonical


def _valid_email(value: str) -> bool:
    if len(value) > 254:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _check_duplicates(report: ImportReport) -> None:
    first: dict[str, RowResult] = {}
    for row in report.rows:
        if not row.email:
            continue
        earlier = first.get(row.email)
        if earlier is None:
            first[row.email] = row
            continue
        written = row.values.get("email", "")
        if written != earlier.values.get("email", ""):
            row.errors.append(_("The e-mail address %(email)s is already in row %(row)d (the two differ only "
                                "in upper and lower case, which is the same address).")
                              % {"email": written, "row": earlier.row})
        else:
            row.errors.append(_("The e-mail address %(email)s is already in row %(row)d.")
                              % {"email": written, "row": earlier.row})


@dataclass
class _Existing:
    by_email: dict[str, User]
    manager_of: dict[str, str | None]  # every existing person's e-mail -> their manager's e-mail


def _existing_people(report: ImportReport) -> _Existing:
    """Everyone already in Flipside, in two queries (the reporting line needs the whole tree)."""
    emails = {r.email for r in report.rows if r.email}
    manager_of = {e.lower(): (m.lower() if m else None)
                  for e, m in User.objects.values_list("email", "manager__email")}
    by_email = {u.email_lower: u for u in User.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=emails).select_related("manager")}
    return _Existing(by_email=by_email, manager_of=manager_of)


def _check_managers(report: ImportReport, existing: _Existing) -> None:
    in_file = {r.email for r in report.rows if r.email}
    for row in report.rows:
        manager = row.values.get("manager_email")
        if not manager or "manager_email" in row.bad:
            continue
        if manager not in in_file and manager not in existing.manager_of:
            row.errors.append(_("Column “manager email”: %(email)s is neither in this file nor already in "
                                "Flipside.") % {"email": manager})
            row.bad.add("manager_email")


def _check_cycles(report: ImportReport, existing: _Existing) -> None:
    """Reporting loops (A manages B manages A) in the organisation the import would leave."""
    row_of = {r.email: r for r in report.rows if r.email}
    manager_of = dict(existing.manager_of)
    for row in report.rows:
        if row.email and "manager_email" in row.values and "manager_email" not in row.bad:
            manager_of[row.email] = row.values["manager_email"] or None
    reported: set[frozenset[str]] = set()
    for start in row_of:
        path: list[str] = []
        seen: set[str] = set()
        person: str | None = start
        while person is not None and person not in seen:
            seen.add(person)
            path.append(person)
            person = manager_of.get(person)
        if person is None:
            continue
        loop = path[path.index(person):]
        key = frozenset(loop)
        if key in reported or len(loop) < 2:
            continue  # self-managers have their own message
        reported.add(key)

        def label(email: str) -> str:
            row = row_of.get(email)
            return (_("row %(row)d (%(email)s)") % {"row": row.row, "email": email} if row
                    else _("%(email)s (already in Flipside)") % {"email": email})

        chain = " → ".join([label(e) for e in loop] + [label(loop[0])])
        for email in loop:
            if email in row_of:
                row_of[email].errors.append(
                    _("Column “manager email”: this makes a reporting loop: %(chain)s.") % {"chain": chain})


def _plan(report: ImportReport, existing: _Existing) -> None:
    """Classify each valid row as create, update or unchanged, listing the changes."""
    if report.rows_with_errors:
        return
    present = [f for f in USER_FIELDS if f in report.columns]
    for row in report.rows:
        user = existing.by_email.get(row.email)
        wanted = _wanted(row, present, user)
        if user is None:
            row.action = "create"
            continue
        current = _current(user)
        row.changes = [(f, current[f], wanted[f]) for f in wanted if current[f] != wanted[f]]
        row.action = "update" if row.changes else "unchanged"


def _wanted(row: RowResult, present: list[str], user: User | None) -> dict[str, object]:
    wanted = {f: row.values[f] for f in present}
    if "level" in wanted and wanted["level"] == "":
        wanted["level"] = None
    if "manager_email" in wanted:
        wanted["manager_email"] = wanted["manager_email"] or None
    # People set their own time zone in their preferences: an empty cell keeps it.
    if not wanted.get("time_zone"):
        wanted.pop("time_zone", None)
    return wanted


def _current(user: User) -> dict[str, object]:
    return {"full_name": user.full_name, "department": user.department, "job_title": user.job_title,
            "level": user.level, "manager_email": user.manager.email.lower() if user.manager else None,
            "location": user.location, "time_zone": user.time_zone}


# --- writing ---------------------------------------------------------------------------------


@transaction.atomic
def employee_import_create(*, actor: User, filename: str, data: bytes) -> EmployeeImport:
    """Keep an uploaded file's text for the preview; raises ImportFileError when it is unreadable."""
    text = decode_upload(data)
    # Previews nobody applied are not kept for long: they hold personal data.
    EmployeeImport.objects.filter(applied_at__isnull=True,
                                  created_at__lt=timezone.now() - STALE_PREVIEW).delete()
    employee_import = EmployeeImport(uploaded_by=actor, filename=filename[:255], raw_text=text)
    employee_import.full_clean()
    employee_import.save()
    return employee_import


def employee_import_apply(*, employee_import: EmployeeImport, actor: User) -> dict[str, int]:
    """Apply a previewed import: every row, in one transaction, or nothing.

    Checks the stored text again (people may have changed since the preview).
    """
    try:
        return _apply(employee_import=employee_import, actor=actor)
    except IntegrityError:
        # Someone added one of these people between our check and our insert.
        raise ValidationError(_("Employees changed while the import ran. Nothing was imported; "
                                "open the preview again.")) from None


@transaction.atomic
def _apply(*, employee_import: EmployeeImport, actor: User) -> dict[str, int]:
    employee_import = EmployeeImport.objects.select_for_update().get(pk=employee_import.pk)
    if employee_import.applied_at is not None:
        raise ValidationError(_("This file was already imported."))
    report = employee_import_check(employee_import.raw_text)
    if not report.is_valid:
        raise ValidationError(_("The file has problems; nothing was imported. Fix them and upload it again."))
    if not report.has_changes:
        raise ValidationError(_("Nothing to change: everyone in the file is already up to date."))
    existing = {u.email.lower(): u for u in User.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=[r.email for r in report.rows])}
    present = [f for f in USER_FIELDS if f in report.columns]
    new_users: list[User] = []
    changed: list[User] = []
    for row in report.rows:
        if row.action == "unchanged":
            continue
        user = existing.get(row.email) or User(email=row.email, is_active=True)
        if user.pk is None:
            user.set_unusable_password()
            new_users.append(user)
        else:
            changed.append(user)
        for name, value in _wanted(row, present, user).items():
            if name != "manager_email":
                setattr(user, name, value)
        user.full_clean(exclude=["password", "manager"], validate_unique=False)
    User.objects.bulk_create(new_users)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in new_users])
    everyone = {**existing, **{u.email: u for u in new_users}}
    if changed:
        User.objects.bulk_update(changed, [f for f in present if f != "manager_email"])
    if "manager_email" in present:
        _apply_managers(report, everyone)
    result = {"created": len(new_users), "updated": len(changed), "unchanged": report.unchanged}
    employee_import.applied_at = timezone.now()
    employee_import.applied_by = actor
    employee_import.result = result
    employee_import.save(update_fields=["applied_at", "applied_by", "result"])
    OrgChange.objects.create(
        actor=actor, area="people",
        summary=_("Imported %(file)s: %(created)d added, %(updated)d updated, %(unchanged)d unchanged")
        % {"file": employee_import.filename or _("a file"), **result},
        changes={"import": [None, employee_import.pk]})
    return result


def _apply_managers(report: ImportReport, everyone: dict[str, User]) -> None:
    managers = {r.values["manager_email"] for r in report.rows if r.values.get("manager_email")}
    missing = managers - set(everyone)
    if missing:
        everyone.update({u.email.lower(): u for u in User.objects.annotate(email_lower=Lower("email"))
                        .filter(email_lower__in=missing)})
    # One UPDATE per manager (a team shares one): bulk_update's CASE over thousands of rows costs
    # seconds of query building.
    reports_to: dict[int | None, list[int]] = {}
    for row in report.rows:
        user = everyone[row.email]
        manager_email = row.values.get("manager_email") or None
        manager_id = everyone[manager_email].pk if manager_email else None
        if user.manager_id != manager_id:
            reports_to.setdefault(manager_id, []).append(user.pk)
    for manager_id, ids in reports_to.items():
        User.objects.filter(pk__in=ids).update(manager_id=manager_id)


# --- invitations -----------------------------------------------------------------------------
