from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.models import Enrollment, Pair
from tests.factories import PairFactory
from tests.pairing.conftest import enrol

pytestmark = pytest.mark.django_db


def test_hr_sees_applications_with_role_level_department_and_training(client, hr_admin, enrolling_program):
    enrol(enrolling_program, role="mentor", status="applied", trained=False, full_name="Jun Junior")
    enrol(enrolling_program, role="mentee", status="applied", full_name="Sam Senior")
    client.force_login(hr_admin)

    page = client.get(reverse("pairing:hr_enrollments", args=[enrolling_program.pk])).content.decode()

    assert "Jun Junior" in page and "Sam Senior" in page
    assert "0/1" in page  # Jun's required training is not done
    assert "Engineering" in page and "Sales" in page


def test_hr_filters_applications_by_status(client, hr_admin, enrolling_program):
    enrol(enrolling_program, status="applied", full_name="Ann Applied")
    enrol(enrolling_program, status="waitlisted", full_name="Wes Waiting")
    client.force_login(hr_admin)

    page = client.get(
        reverse("pairing:hr_enrollments", args=[enrolling_program.pk]), {"status": "waitlisted"}
    ).content.decode()

    assert "Wes Waiting" in page and "Ann Applied" not in page


def test_hr_approves_an_application_and_the_person_is_told(
    client, hr_admin, enrolling_program, django_capture_on_commit_callbacks
):
    enrollment = enrol(enrolling_program, status="applied")
    client.force_login(hr_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pairing:hr_decide", args=[enrollment.pk]), {"decision": "approved"})

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED
    assert enrollment.decided_by == hr_admin and enrollment.decided_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [enrollment.user.email]
    assert "You're in" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.parametrize("decision", ["waitlisted", "declined"])
def test_hr_waitlists_or_declines(client, hr_admin, enrolling_program, decision):
    enrollment = enrol(enrolling_program, status="applied")
    client.force_login(hr_admin)

    client.post(reverse("pairing:hr_decide", args=[enrollment.pk]), {"decision": decision})

    enrollment.refresh_from_db()
    assert enrollment.status == decision


def test_declining_an_approved_person_drops_their_draft_pairs(client, hr_admin, matching_program):
    draft = PairFactory(program=matching_program)
    client.force_login(hr_admin)

    client.post(reverse("pairing:hr_decide", args=[draft.mentee.pk]), {"decision": "declined"})

    assert not Pair.objects.filter(pk=draft.pk).exists()


def test_a_person_in_a_published_pair_cannot_be_declined(client, hr_admin, matching_program):
    pair = PairFactory(program=matching_program, published_at=timezone.now())
    client.force_login(hr_admin)

    response = client.post(
        reverse("pairing:hr_decide", args=[pair.mentee.pk]), {"decision": "declined"}, follow=True
    )

    assert "is in a published pair" in response.content.decode()
    pair.mentee.refresh_from_db()
    assert pair.mentee.status == Enrollment.Status.APPROVED


def test_a_withdrawn_enrolment_cannot_be_decided(client, hr_admin, enrolling_program):
    enrollment = enrol(enrolling_program, status="withdrawn")
    client.force_login(hr_admin)

    response = client.post(
        reverse("pairing:hr_decide", args=[enrollment.pk]), {"decision": "approved"}, follow=True
    )

    assert "withdrew; they can apply again themselves" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN


def test_an_unknown_decision_changes_nothing(client, hr_admin, enrolling_program):
    enrollment = enrol(enrolling_program, status="applied")
    client.force_login(hr_admin)

    response = client.post(
        reverse("pairing:hr_decide", args=[enrollment.pk]), {"decision": "promoted"}, follow=True
    )

    assert "Choose approve, waitlist or decline." in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED


def test_hr_approves_several_applications_at_once(client, hr_admin, enrolling_program):
    first = enrol(enrolling_program, status="applied")
    second = enrol(enrolling_program, role="mentee", status="waitlisted")
    declined = enrol(enrolling_program, status="declined")
    client.force_login(hr_admin)

    client.post(
        reverse("pairing:hr_bulk_approve", args=[enrolling_program.pk]),
        {"enrollments": [first.pk, second.pk]},
    )

    assert set(Enrollment.objects.filter(status="approved").values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    declined.refresh_from_db()
    assert declined.status == Enrollment.Status.DECLINED


def test_bulk_approval_with_nothing_ticked_says_so(client, hr_admin, enrolling_program):
    client.force_login(hr_admin)

    response = client.post(reverse("pairing:hr_bulk_approve", args=[enrolling_program.pk]), {}, follow=True)

    assert "Tick at least one application" in response.content.decode()


def test_people_who_are_not_hr_get_404(client, mentor, lead, enrolling_program):
    enrollment = enrol(enrolling_program, status="applied")
    for person in (mentor, lead):
        client.force_login(person)
        assert client.get(reverse("pairing:hr_enrollments", args=[enrolling_program.pk])).status_code == 404
        assert (
            client.post(
                reverse("pairing:hr_decide", args=[enrollment.pk]), {"decision": "approved"}
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("pairing:hr_bulk_approve", args=[enrolling_program.pk]),
                {"enrollments": [enrollment.pk]},
            ).status_code
            == 404
        )
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED


def test_decisions_answer_405_to_get(client, hr_admin, enrolling_program):
    enrollment = enrol(enrolling_program, status="applied")
    client.force_login(hr_admin)

    assert client.get(reverse("pairing:hr_decide", args=[enrollment.pk])).status_code == 405
    assert client.get(reverse("pairing:hr_bulk_approve", args=[enrolling_program.pk])).status_code == 405
