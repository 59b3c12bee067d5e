"""People pages: list, invite, CSV upload → preview → apply."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from programs.models import EmployeeImport, EmployeeInvitation
from tests.factories import UserFactory

from .test_import import GOOD, HEADER

pytestmark = pytest.mark.django_db


def upload(client, text: str | bytes, name: str = "people.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(reverse("programs:import"), {"file": SimpleUploadedFile(name, data, "text/csv")})


# --- access ----------------------------------------------------------------------------------

PEOPLE_URLS = [
    ("programs:people", {}, ["GET"]),
    ("programs:invite", {}, ["GET", "POST"]),
    ("programs:import", {}, ["GET", "POST"]),
]


@pytest.mark.parametrize(("name", "kwargs", "methods"), PEOPLE_URLS)
def test_people_pages_are_hr_only_and_method_checked(client, outsider, hr_admin, name, kwargs, methods):
    url = reverse(name, kwargs=kwargs)
    client.force_login(outsider)
    for method in methods:
        assert getattr(client, method.lower())(url).status_code == 404
    client.force_login(hr_admin)
    for method in {"GET", "POST", "PUT", "DELETE"} - set(methods):
        assert getattr(client, method.lower())(url).status_code == 405


def test_outsiders_cannot_invite_or_import(outsider_client):
    outsider_client.post(reverse("programs:invite"), {"email": "x@corp.example", "full_name": "X",
                                                      "time_zone": "UTC"})
    upload(outsider_client, GOOD)
    assert not User.objects.filter(email__endswith="@corp.example").exists()
    assert not EmployeeImport.objects.exists()


# --- list ------------------------------------------------------------------------------------


def test_the_people_list_searches_by_name_email_department_or_title(hr_client, mentor, mentee):
    html = hr_client.get(reverse("programs:people"), {"q": "sales"}).content.decode()
    assert "Robert Whitfield" in html and "Aisha Rahman" not in html
    html = hr_client.get(reverse("programs:people"), {"q": "mentor@"}).content.decode()
    assert "Aisha Rahman" in html and "Robert Whitfield" not in html


def test_the_people_list_answers_htmx_with_just_the_table(hr_client, mentor):
    response = hr_client.get(reverse("programs:people"), {"q": "Aisha"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Aisha Rahman" in html and "<html" not in html


def test_the_people_list_costs_the_same_queries_for_more_people(hr_client, hr_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("programs:people")
    hr_client.get(url)
    with CaptureQueriesContext(connection) as few:
        hr_client.get(url)
    boss = UserFactory()
    for _ in range(10):
        EmployeeInvitation.objects.create(user=UserFactory(manager=boss), invited_by=hr_admin)
    with CaptureQueriesContext(connection) as many:
        hr_client.get(url)
    assert len(many) == len(few)


def test_nobody_matching_a_search_says_so(hr_client):
    html = hr_client.get(reverse("programs:people"), {"q": "zzzz"}).content.decode()
    assert "Nobody matches “zzzz”." in html


# --- invitations -----------------------------------------------------------------------------


def test_inviting_someone_creates_them_and_emails_a_working_link(hr_client, hr_admin, client,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("programs:invite"), {
            "email": "New.Person@Corp.Example", "full_name": "New Person", "department": "Ops",
            "job_title": "Analyst", "level": "3", "manager": hr_admin.email, "location": "Leeds",
            "time_zone": "Europe/London"})
    assert response.status_code == 302
    user = User.objects.get(email="new.person@corp.example")
    assert (user.full_name, user.level, user.manager, user.location) == ("New Person", 3, hr_admin, "Leeds")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert EmployeeInvitation.objects.get(user=user).invited_by == hr_admin
    message = mail.outbox[0]
    assert message.to == ["new.person@corp.example"] and "invited" in message.subject
    assert message.alternatives and "Choose your password" in message.alternatives[0][0]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    response = client.post(response.redirect_chain[-1][0], {"password1": "a-long-new-passw0rd",
                                                            "password2": "a-long-new-passw0rd"})
    user.refresh_from_db()
    assert user.has_usable_password() and user.check_password("a-long-new-passw0rd")


def test_inviting_an_existing_person_who_never_signed_in_sends_again_without_duplicating(
        hr_client, django_capture_on_commit_callbacks):
    data = {"email": "ann@corp.example", "full_name": "Ann", "time_zone": "UTC"}
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("programs:invite"), data)
        response = hr_client.post(reverse("programs:invite"), {**data, "email": "ANN@corp.example"},
                                  follow=True)
    assert User.objects.filter(email__iexact="ann@corp.example").count() == 1
    assert EmployeeInvitation.objects.count() == 2 and len(mail.outbox) == 2
    assert "the invitation was sent again" in response.content.decode()


def test_inviting_someone_who_already_signed_in_sends_nothing(hr_client, mentor,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("programs:invite"), {"email": mentor.email, "full_name": "X",
                                                               "time_zone": "UTC"}, follow=True)
    assert "no invitation was sent" in response.content.decode()
    assert not mail.outbox and not EmployeeInvitation.objects.exists()
    mentor.refresh_from_db()
    assert mentor.full_name == "Aisha Rahman"


def test_an_invitation_with_bad_input_is_shown_again(hr_client):
    response = hr_client.post(reverse("programs:invite"), {
        "email": "nope", "full_name": "", "level": "99", "manager": "ghost@corp.example",
        "time_zone": "Mars"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in html and "Nobody with the address ghost@corp.example" in html
    assert "Ensure this value is less than or equal to 30." in html
    assert not User.objects.filter(full_name="").exclude(email__contains="@example.com").exists()


def test_the_send_invitation_button_resends_for_someone_imported(hr_client, hr_admin,
                                                                 django_capture_on_commit_callbacks):
    from programs import people

    employee_import = people.employee_import_create(actor=hr_admin, filename="x.csv", data=GOOD.encode())
    people.employee_import_apply(employee_import=employee_import, actor=hr_admin)
    aisha = User.objects.get(email="aisha@corp.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("programs:reinvite", args=[aisha.pk]))
    assert response.status_code == 302
    assert mail.outbox[0].to == ["aisha@corp.example"]
    assert EmployeeInvitation.objects.filter(user=aisha).count() == 1


def test_the_send_invitation_button_is_post_only_and_hr_only(client, hr_admin, outsider, mentor):
    url = reverse("programs:reinvite", args=[mentor.pk])
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    client.force_login(hr_admin)
    assert client.get(url).status_code == 405
    assert client.post(reverse("programs:reinvite", args=[999999])).status_code == 404
    assert not EmployeeInvitation.objects.exists()


# --- import through the pages ----------------------------------------------------------------


def test_upload_preview_apply(hr_client, hr_admin):
    response = upload(hr_client, GOOD)
    employee_import = EmployeeImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("programs:import_preview",
                                                                   args=[employee_import.pk])
    assert employee_import.uploaded_by == hr_admin and employee_import.filename == "people.csv"
    html = hr_client.get(response.url).content.decode()
    assert "Import 3 changes" in html and "aisha@corp.example" in html
    assert not User.objects.filter(email__endswith="@corp.example").exists()
    response = hr_client.post(reverse("programs:import_apply", args=[employee_import.pk]), follow=True)
    assert "Import done: 3 added, 0 updated, 0 unchanged." in response.content.decode()
    assert User.objects.filter(email__endswith="@corp.example").count() == 3


def test_the_preview_lists_each_bad_row_and_offers_no_import_button(hr_client):
    response = upload(hr_client, HEADER + "Ann,ann@corp.example,Ops,,x,,,\nBob,bob,Ops,,3,,,\n")
    html = hr_client.get(response.url).content.decode()
    assert "2 rows have problems. Nothing will be imported until they are fixed." in html
    assert "Column “level”: “x” is not a whole number." in html
    assert "Column “email”: “bob” is not a valid e-mail address." in html
    assert "import_apply" not in html and "/apply/" not in html


def test_applying_a_bad_file_anyway_imports_nothing(hr_client):
    response = upload(hr_client, HEADER + "Ann,ann@corp.example,Ops,,x,,,\n")
    employee_import = EmployeeImport.objects.get()
    response = hr_client.post(reverse("programs:import_apply", args=[employee_import.pk]), follow=True)
    assert "nothing was imported" in response.content.decode()
    assert not User.objects.filter(email="ann@corp.example").exists()


def test_a_non_utf8_upload_is_refused_on_the_upload_page(hr_client):
    response = upload(hr_client, (HEADER + "Zoë,zoe@corp.example,Ops,,3,,,\n").encode("latin-1"))
    assert response.status_code == 200
    assert "The file is not UTF-8 text" in response.content.decode()
    assert not EmployeeImport.objects.exists()


def test_an_empty_upload_is_refused(hr_client):
    response = upload(hr_client, b"")
    assert response.status_code == 200 and "The submitted file is empty." in response.content.decode()


def test_an_upload_without_a_file_is_refused(hr_client):
    response = hr_client.post(reverse("programs:import"), {})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_reimporting_the_same_file_shows_nothing_to_change(hr_client):
    response = upload(hr_client, GOOD)
    hr_client.post(reverse("programs:import_apply", args=[EmployeeImport.objects.get().pk]))
    response = upload(hr_client, GOOD)
    html = hr_client.get(response.url).content.decode()
    assert "Nothing to change: everyone in this file is already up to date." in html


def test_someone_elses_import_is_404(client, hr_client, hr_admin):
    from accounts.services import user_set_hr_admin

    upload(hr_client, GOOD)
    employee_import = EmployeeImport.objects.get()
    other = user_set_hr_admin(user=UserFactory(), is_hr_admin=True)
    client.force_login(other)
    assert client.get(reverse("programs:import_preview", args=[employee_import.pk])).status_code == 404
    assert client.post(reverse("programs:import_apply", args=[employee_import.pk])).status_code == 404
    assert not User.objects.filter(email__endswith="@corp.example").exists()


def test_the_import_pages_are_hr_only_and_method_checked(client, hr_client, outsider):
    upload(hr_client, GOOD)
    employee_import = EmployeeImport.objects.get()
    preview = reverse("programs:import_preview", args=[employee_import.pk])
    apply_url = reverse("programs:import_apply", args=[employee_import.pk])
    assert hr_client.post(preview).status_code == 405
    assert hr_client.get(apply_url).status_code == 405
    client.force_login(outsider)
    assert client.get(preview).status_code == 404
    assert client.post(apply_url).status_code == 404
    assert not User.objects.filter(email__endswith="@corp.example").exists()
