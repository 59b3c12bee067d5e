"""An HR admin who reads Flipside in German gets the CSV import's file and row errors in German.

The column names stay as written in the file (they are what HR typed), the messages around them are German.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from programs.models import EmployeeImport

from .test_import import HEADER

pytestmark = pytest.mark.django_db

BAD = HEADER + (
    "Aisha Rahman,aisha@corp.example,Engineering,Cloud Engineer,,,Berlin,Europe/Berlin\n"
    "Robert Whitfield,not-an-address,Sales,VP Sales,11,,New York,Mars/Olympus\n"
)


@pytest.fixture
def german_hr(hr_client, hr_admin):
    hr_admin.language = "de"
    hr_admin.save(update_fields=["language"])
    return hr_client


def upload(client, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(reverse("programs:import"),
                       {"file": SimpleUploadedFile("people.csv", data, "text/csv")})


def test_row_errors_are_shown_in_german_and_nothing_is_saved(german_hr):
    response = upload(german_hr, BAD)
    employee_import = EmployeeImport.objects.get()
    assert response.status_code == 302
    page = german_hr.get(reverse("programs:import_preview", args=[employee_import.pk])).content.decode()
    assert "Spalte „level“: Die Ebene fehlt." in page
    assert "Spalte „email“: „not-an-address“ ist keine gültige E-Mail-Adresse." in page
    assert "„Mars/Olympus“ ist keine bekannte Zeitzone." in page
    assert "the level is missing" not in page and "is not a valid e-mail address" not in page
    assert not User.objects.filter(email="aisha@corp.example").exists()


def test_a_file_error_is_shown_in_german_on_the_upload_form(german_hr):
    response = upload(german_hr, b"PK\x03\x04\x00\x00 a spreadsheet, not a CSV")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dies ist keine CSV-Textdatei (sie enthält Binärdaten)." in page
    assert "This is not a CSV text file" not in page
    assert not EmployeeImport.objects.exists()
