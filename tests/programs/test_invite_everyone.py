"""HR's "invite everyone not yet invited": a background job, its progress, and never twice."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Message
from programs import invitations
from programs.models import EmployeeInvitation, InvitationBatch
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _newcomers(n: int, start: int = 0) -> list:
    """People imported but never invited and never signed in (no usable password)."""
    people = []
    for i in range(start, start + n):
        user = UserFactory(email=f"new{i}@corp.example", full_name=f"New Person {i}")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        people.append(user)
    return people


def test_hr_invites_everyone_not_yet_invited_once_each(hr_client, hr_admin, mentor,
                                                       django_capture_on_commit_callbacks):
    newcomers = _newcomers(3)
    invited_before = _newcomers(1, start=10)[0]
    EmployeeInvitation.objects.create(user=invited_before, invited_by=hr_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("programs:invite_all"))

    batch = InvitationBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:invite_batch", args=[batch.pk])
    assert (batch.status, batch.total, batch.done) == ("done", 3, 3) and batch.finished_at
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in newcomers)
    assert all(EmployeeInvitation.objects.filter(user=u, invited_by=hr_admin).count() == 1 for u in newcomers)
    # Those with a password (the mentor) or invited before are left alone.
    assert not EmployeeInvitation.objects.filter(user=mentor).exists()
    assert EmployeeInvitation.objects.filter(user=invited_before).count() == 1


def test_running_the_job_again_invites_nobody_twice(hr_admin, django_capture_on_commit_callbacks):
    _newcomers(2)
    with django_capture_on_commit_callbacks(execute=True):
        batch = invitations.invitation_batch_start(actor=hr_admin)
    # A redelivered task, or a second worker, runs the same batch again.
    InvitationBatch.objects.filter(pk=batch.pk).update(finished_at=None)
    invitations.invitation_batch_run(batch_id=batch.pk)

    assert len(mail.outbox) == 2 and EmployeeInvitation.objects.count() == 2
    assert Message.objects.filter(kind="invitation").count() == 2
    with pytest.raises(Exception, match="invited already"):
        invitations.invitation_batch_start(actor=hr_admin)


def test_the_people_page_offers_the_button_with_the_count(hr_client):
    _newcomers(2)
    html = hr_client.get(reverse("programs:people")).content.decode()
    assert "Invite everyone not yet invited (2)" in html and reverse("programs:invite_all") in html


def test_progress_is_shown_and_polled_until_the_job_is_done(hr_client, hr_admin):
    batch = InvitationBatch.objects.create(started_by=hr_admin, total=250, done=100,
                                           status=InvitationBatch.Status.RUNNING)
    url = reverse("programs:invite_batch", args=[batch.pk])

    page = hr_client.get(url).content.decode()
    partial = hr_client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "100 of 250 invited" in page and "40 %" in page and "<h1>" in page
    assert "100 of 250 invited" in partial and 'hx-trigger="every 1s"' in partial and "<h1>" not in partial
    InvitationBatch.objects.filter(pk=batch.pk).update(done=250, status="done", finished_at=batch.created_at)
    done = hr_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "250 of 250 invited" in done and "hx-trigger" not in done


def test_outsiders_cannot_start_or_watch_the_job(outsider_client, hr_admin):
    _newcomers(1)
    batch = InvitationBatch.objects.create(started_by=hr_admin, total=1)

    assert outsider_client.post(reverse("programs:invite_all")).status_code == 404
    assert outsider_client.get(reverse("programs:invite_batch", args=[batch.pk])).status_code == 404
    assert InvitationBatch.objects.count() == 1 and not EmployeeInvitation.objects.exists()


def test_starting_the_job_needs_a_post(hr_client):
    _newcomers(1)
    assert hr_client.get(reverse("programs:invite_all")).status_code == 405
    assert not InvitationBatch.objects.exists()
