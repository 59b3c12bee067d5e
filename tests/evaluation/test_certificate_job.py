"""The certificates job: participants of a program that closed hear that their certificate is ready,
and the manager notes junior mentors agreed to go out without anyone pressing a button."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import selectors, services
from evaluation.models import CertificateNotice, ManagerNote
from mentoring.celery import app
from notifications import outbox
from notifications.models import Message
from programs.models import Program
from tests.evaluation import builders as b
from tests.evaluation.test_certificates import NOTE_MARKER, closed  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _closed_at(program, when):
    Program.objects.filter(pk=program.pk).update(closed_at=when)


def _notices(outbox):
    return {m.to[0]: m for m in outbox
            if m.extra_headers.get("X-Flipside-Outbox", "").startswith("certificate:")}


def test_everyone_who_took_part_is_told_once_with_a_link_to_their_certificate(closed):  # noqa: F811
    program = closed["program"]
    _closed_at(program, b.NOW - dt.timedelta(hours=1))
    never_paired = b.person(program, "mentee", department="Sales", name="Wendy Waitlist")

    outcome = services.certificates_tick()

    notices = _notices(mail.outbox)
    assert outcome.sent == 4 and set(notices) == {
        closed["mentor"].user.email, closed["mentee"].user.email, closed["lone"].user.email,
        program.enrollments.get(user__full_name="Sara Senior").user.email}
    assert never_paired.user.email not in notices
    link = reverse("evaluation:certificate", args=[program.pk])
    mentor_mail, mentee_mail = notices[closed["mentor"].user.email], notices[closed["mentee"].user.email]
    assert link in mentor_mail.body and link in mentee_mail.body
    assert "Thank you" in mentor_mail.subject
    # Only junior mentors are offered the note to their manager; nothing of the sessions' notes.
    assert "note recognising your contribution" in mentor_mail.body
    assert "note recognising your contribution" not in mentee_mail.body
    assert all(NOTE_MARKER not in m.body for m in notices.values())
    assert CertificateNotice.objects.filter(sent_at__isnull=False).count() == 4

    mail.outbox.clear()
    assert services.certificates_tick().sent == 0
    assert _notices(mail.outbox) == {}


def test_programs_closed_long_ago_running_or_purged_get_no_notices(closed):  # noqa: F811
    program = closed["program"]
    _closed_at(program, b.NOW - services.NOTICE_WINDOW - dt.timedelta(minutes=1))
    assert services.certificates_tick().created == 0

    Program.objects.filter(pk=program.pk).update(closed_at=b.NOW, purged_at=b.NOW)
    assert services.certificates_tick().created == 0

    Program.objects.filter(pk=program.pk).update(purged_at=None, status=Program.Status.RUNNING)
    assert services.certificates_tick().created == 0
    assert not CertificateNotice.objects.exists()


def test_a_program_reopened_after_the_notices_were_planned_skips_them(closed):  # noqa: F811
    program = closed["program"]
    _closed_at(program, b.NOW)
    ids = selectors.certificate_notices_due(since=b.NOW - dt.timedelta(days=1))
    CertificateNotice.objects.bulk_create([CertificateNotice(enrollment_id=pk) for pk in ids])
    Program.objects.filter(pk=program.pk).update(status=Program.Status.RUNNING)

    outcome = services.certificates_tick()

    assert outcome.sent == 0 and outcome.skipped == {"program": 4}
    assert _notices(mail.outbox) == {}


def test_the_manager_note_goes_out_on_the_next_tick_after_the_mentor_agrees(client, closed):  # noqa: F811
    program, mentor, boss = closed["program"], closed["mentor"], closed["boss"]
    client.force_login(mentor.user)
    response = client.post(reverse("evaluation:consent", args=[program.pk]), {"consent": "yes"}, follow=True)
    assert "in the next few minutes" in response.content.decode()
    # A program closed before the job existed (no closed_at) waits for HR's button.
    assert list(selectors.programs_with_manager_notes_due()) == []
    _closed_at(program, b.NOW)
    assert list(selectors.programs_with_manager_notes_due()) == [program]

    services.certificates_tick()

    notes = [m for m in mail.outbox if m.to == [boss.email]]
    assert len(notes) == 1 and "Aisha Rahman" in notes[0].body
    assert ManagerNote.objects.get(enrollment=mentor).sent_at is not None
    assert list(selectors.programs_with_manager_notes_due()) == []
    mail.outbox.clear()
    services.certificates_tick()
    assert [m for m in mail.outbox if m.to == [boss.email]] == []


def test_a_mentor_without_a_manager_is_told_and_keeps_no_program_waiting(client, closed):  # noqa: F811
    program = closed["program"]
    _closed_at(program, b.NOW)
    client.force_login(closed["lone"].user)
    response = client.post(reverse("evaluation:consent", args=[program.pk]), {"consent": "yes"}, follow=True)
    html = response.content.decode()
    assert "No manager is on record for you yet" in html and "in the next few minutes" not in html
    assert list(selectors.programs_with_manager_notes_due()) == []


def test_a_note_claimed_by_a_worker_that_died_goes_out_after_the_lease(closed, frozen):  # noqa: F811
    program, mentor, boss = closed["program"], closed["mentor"], closed["boss"]
    _closed_at(program, b.NOW)
    services.recognition_consent_set(enrollment=mentor, consented=True)
    services._queue_note(program=program, mentor=mentor, manager=boss)
    outbox.claim(only_kinds=[services.NOTE])  # ... and the worker died

    # Claimed a moment ago: another worker may be sending it right now; nothing goes twice and
    # the mentor cannot withdraw any more.
    services.certificates_tick()
    assert [m for m in mail.outbox if m.to == [boss.email]] == []
    with pytest.raises(ValidationError, match="already been sent"):
        services.recognition_consent_set(enrollment=mentor, consented=False)

    with time_machine.travel(b.NOW + dt.timedelta(seconds=settings.JOBS_CLAIM_LEASE_SECONDS + 1)):
        assert list(selectors.programs_with_manager_notes_due()) == []  # queued once, for good
        services.certificates_tick()
        services.certificates_tick()
    assert len([m for m in mail.outbox if m.to == [boss.email]]) == 1
    assert ManagerNote.objects.get(enrollment=mentor).sent_at is not None


def test_a_withdrawal_before_the_claim_means_no_note(closed):  # noqa: F811
    program, mentor, boss = closed["program"], closed["mentor"], closed["boss"]
    services.recognition_consent_set(enrollment=mentor, consented=True)
    mentors = list(selectors.consenting_mentors(program))  # what a run read before the withdrawal
    services.recognition_consent_set(enrollment=mentor, consented=False)

    assert services._queue_note(program=program, mentor=mentors[0], manager=boss) is None
    assert not ManagerNote.objects.exists() and not Message.objects.exists()


def test_beat_runs_the_certificates_job_every_minute():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "evaluation.tasks.tick_certificates"]
    assert [e["schedule"] for e in entries] == [60.0]
    app.loader.import_default_modules()  # what a worker does at start: autodiscover every tasks.py
    assert "evaluation.tasks.tick_certificates" in app.tasks


def test_home_and_my_mentoring_link_to_the_certificate_once_the_program_closed(client, closed):  # noqa: F811
    program = closed["program"]
    link = reverse("evaluation:certificate", args=[program.pk])
    never_paired = b.person(program, "mentee", department="Sales", name="Wendy Waitlist")
    client.force_login(closed["mentee"].user)
    for page in (reverse("home"), reverse("pairing:mine")):
        assert f'href="{link}"' in client.get(page).content.decode(), page

    client.force_login(never_paired.user)
    for page in (reverse("home"), reverse("pairing:mine")):
        assert f'href="{link}"' not in client.get(page).content.decode(), page

    Program.objects.filter(pk=program.pk).update(status=Program.Status.RUNNING)
    client.force_login(closed["mentee"].user)
    assert f'href="{link}"' not in client.get(reverse("pairing:mine")).content.decode()
