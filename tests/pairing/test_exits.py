from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.admin import ExitRequestAdmin
from pairing.models import Enrollment, ExitRequest, Pair, PairExclusion
from tests.factories import PairFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "We never find a time and the sessions feel one-sided."


@pytest.fixture
def active(matching_program):
    return PairFactory(
        program=matching_program,
        published_at=timezone.now(),
        status=Pair.Status.ACTIVE,
        mentor_response="accepted",
        mentee_response="accepted",
        activated_at=timezone.now(),
    )


@pytest.fixture
def request_from_mentee(active):
    return ExitRequest.objects.create(
        pair=active, requested_by=active.mentee.user, kind="rematch", reason=REASON
    )


def test_a_participant_asks_hr_for_a_rematch_and_only_hr_is_told(
    client, active, hr_admin, django_capture_on_commit_callbacks
):
    client.force_login(active.mentee.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pairing:exit_request", args=[active.pk]), {"kind": "rematch", "reason": REASON}
        )

    assert response.status_code == 302
    request = ExitRequest.objects.get()
    assert (request.requested_by, request.kind, request.reason) == (active.mentee.user, "rematch", REASON)
    active.refresh_from_db()
    assert active.status == Pair.Status.ACTIVE
    assert [m.to for m in mail.outbox] == [[hr_admin.email]]
    assert REASON not in mail.outbox[0].body and REASON not in mail.outbox[0].alternatives[0][0]


def test_asking_twice_is_refused(client, active, request_from_mentee):
    client.force_login(active.mentee.user)

    response = client.post(reverse("pairing:exit_request", args=[active.pk]), {"kind": "exit", "reason": ""})

    assert "You have already asked HR about this pair" in response.content.decode()
    assert ExitRequest.objects.count() == 1


def test_only_an_active_pair_can_be_ended_this_way(client, matching_program):
    offer = PairFactory(program=matching_program, published_at=timezone.now())
    client.force_login(offer.mentor.user)

    response = client.post(reverse("pairing:exit_request", args=[offer.pk]), {"kind": "exit", "reason": ""})

    assert "Only an active pair can be ended this way." in response.content.decode()
    assert not ExitRequest.objects.exists()


def test_an_unknown_kind_is_refused(client, active):
    client.force_login(active.mentor.user)

    response = client.post(reverse("pairing:exit_request", args=[active.pk]), {"kind": "revenge"})

    assert "Select a valid choice" in response.content.decode()
    assert not ExitRequest.objects.exists()


def test_hr_sees_the_queue_and_the_reason_only_on_the_request(client, hr_admin, request_from_mentee):
    client.force_login(hr_admin)

    queue = client.get(reverse("pairing:hr_exits")).content.decode()
    detail = client.get(reverse("pairing:hr_exit_resolve", args=[request_from_mentee.pk])).content.decode()

    assert request_from_mentee.requested_by.display_name in queue and REASON not in queue
    assert REASON in detail


def test_the_exit_pages_are_hr_only(client, active, request_from_mentee, lead):
    for person in (active.mentor.user, active.mentee.user, lead):
        client.force_login(person)
        assert client.get(reverse("pairing:hr_exits")).status_code == 404
        assert (
            client.get(reverse("pairing:hr_exit_resolve", args=[request_from_mentee.pk])).status_code == 404
        )
        assert (
            client.post(
                reverse("pairing:hr_exit_resolve", args=[request_from_mentee.pk]), {"outcome": "rematch_both"}
            ).status_code
            == 404
        )
    request_from_mentee.refresh_from_db()
    assert request_from_mentee.is_open


def test_the_partner_never_sees_the_reason(client, active, request_from_mentee):
    client.force_login(active.mentor.user)

    page = client.get(reverse("pairing:pair", args=[active.pk])).content.decode()

    assert REASON not in page
    assert "HR has your request" not in page


def test_hr_ends_the_pair_and_both_return_to_the_pool(
    client, hr_admin, active, request_from_mentee, django_capture_on_commit_callbacks
):
    client.force_login(hr_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("pairing:hr_exit_resolve", args=[request_from_mentee.pk]), {"outcome": "rematch_both"}
        )

    active.refresh_from_db()
    request_from_mentee.refresh_from_db()
    assert active.status == Pair.Status.ENDED_EARLY and active.ended_at
    assert (request_from_mentee.outcome, request_from_mentee.resolved_by) == ("rematch_both", hr_admin)
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"approved"}
    assert PairExclusion.objects.filter(mentor=active.mentor, mentee=active.mentee).exists()
    to_partner = next(m for m in mail.outbox if m.to == [active.mentor.user.email])
    assert "Your mentoring pair has ended" in to_partner.subject
    assert "HR will be in touch" in to_partner.body
    assert REASON not in to_partner.body and active.mentee.user.display_name not in to_partner.body
    assert any(m.to == [active.mentee.user.email] for m in mail.outbox)


def test_the_requester_can_leave_the_program(client, hr_admin, active, request_from_mentee):
    client.force_login(hr_admin)

    client.post(
        reverse("pairing:hr_exit_resolve", args=[request_from_mentee.pk]), {"outcome": "requester_leaves"}
    )

    active.mentee.refresh_from_db()
    active.mentor.refresh_from_db()
    assert active.mentee.status == Enrollment.Status.WITHDRAWN
    assert active.mentor.status == Enrollment.Status.APPROVED


def test_hr_can_close_the_request_and_keep_the_pair(client, hr_admin, active, request_from_mentee):
    client.force_login(hr_admin)

    client.post(reverse("pairing:hr_exit_resolve", args=[request_from_mentee.pk]), {"outcome": "kept"})

    active.refresh_from_db()
    request_from_mentee.refresh_from_db()
    assert active.status == Pair.Status.ACTIVE
    assert request_from_mentee.outcome == "kept" and not request_from_mentee.is_open


def test_a_resolved_request_cannot_be_resolved_again(client, hr_admin, active, request_from_mentee):
    client.force_login(hr_admin)
    url = reverse("pairing:hr_exit_resolve", args=[request_from_mentee.pk])
    client.post(url, {"outcome": "kept"})

    response = client.post(url, {"outcome": "both_leave"}, follow=True)

    assert "This request has already been resolved." in response.content.decode()
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"approved"}


def test_a_mentor_with_another_mentee_stays_for_that_pair_when_leaving(client, hr_admin, active):
    Enrollment.objects.filter(pk=active.mentor.pk).update(capacity=2)
    PairFactory(program=active.program, mentor=active.mentor, published_at=timezone.now(), status="active")
    request = ExitRequest.objects.create(pair=active, requested_by=active.mentor.user, kind="exit")
    client.force_login(hr_admin)

    client.post(reverse("pairing:hr_exit_resolve", args=[request.pk]), {"outcome": "requester_leaves"})

    active.mentor.refresh_from_db()
    assert active.mentor.status == Enrollment.Status.APPROVED and active.mentor.capacity == 1


def test_the_admin_list_never_shows_the_reason(client, request_from_mentee):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)

    page = client.get(reverse("admin:pairing_exitrequest_changelist")).content.decode()

    assert "reason" not in ExitRequestAdmin.list_display
    assert "reason" not in " ".join(ExitRequestAdmin.search_fields)
    assert site.is_registered(ExitRequest)
    assert REASON not in page and str(request_from_mentee.pk) in page


def test_a_request_made_moments_ago_reads_as_just_now_and_an_older_one_in_minutes(
    client, hr_admin, request_from_mentee
):
    import datetime as dt

    import time_machine

    client.force_login(hr_admin)
    asked = request_from_mentee.created_at

    with time_machine.travel(asked + dt.timedelta(seconds=20), tick=False):
        fresh = client.get(reverse("pairing:hr_exits")).content.decode()
    with time_machine.travel(asked + dt.timedelta(minutes=5, seconds=3), tick=False):
        older = client.get(reverse("pairing:hr_exits")).content.decode()

    assert "Asked just now." in fresh and "0\xa0minutes" not in fresh and "0 minutes" not in fresh
    assert "Asked 5\xa0minutes ago." in older
