"""The evaluation app's only writes: certificate notices, recognition consent and the manager notes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluation import selectors
from evaluation.models import CertificateNotice, ManagerNote, RecognitionConsent
from pairing.models import Enrollment
from programs.models import Program
from surveys import emails, outbox
from surveys.outbox import Outcome, Skip

log = logging.getLogger(__name__)


@transaction.atomic
def recognition_consent_set(*, enrollment: Enrollment, consented: bool) -> RecognitionConsent | None:
    """Record (or withdraw) a junior mentor's consent to a note to their manager.

    Only mentors of a closed program who took part may consent; once the note has gone out,
    withdrawing changes nothing (the e-mail cannot be recalled), so it is refused.
    """
    if enrollment.role != Enrollment.Role.MENTOR:
        raise ValidationError(_("Only junior mentors' managers receive a recognition note."))
    if enrollment.program.status != Program.Status.CLOSED:
        raise ValidationError(_("Consent can be given once the program has closed."))
    existing = RecognitionConsent.objects.select_for_update().filter(enrollment=enrollment).first()
    if consented:
        if existing is not None:
            return existing
        consent = RecognitionConsent(enrollment=enrollment, consented_at=timezone.now())
        consent.full_clean()
        consent.save()
        log.info("recognition consent given for enrolment %s", enrollment.pk)
        return consent
    note = ManagerNote.objects.filter(enrollment=enrollment).first()
    if note is not None and note.sent_at is not None:
        raise ValidationError(_("The note to your manager has already been sent."))
    if note is not None and not note.stale:
        raise ValidationError(_("The note to your manager is being sent right now."))
    if existing is not None:
        existing.delete()
        log.info("recognition consent withdrawn for enrolment %s", enrollment.pk)
    return None


@dataclass
class NotesOutcome:
    sent: int = 0
    already_sent: int = 0
    no_manager: int = 0
    failed: int = 0


def manager_notes_send(*, program: Program) -> NotesOutcome:
    """E-mail each consenting junior mentor's manager a note recognising their contribution.

    Idempotent: a ``ManagerNote`` row per (program, mentor) is claimed (inserted, unique) before
    its e-mail goes out and stamped ``sent_at`` after, so pressing the button twice — or the job
    and the button at once — sends each note once. The claim is taken while the mentor's consent
    row is locked, so a withdrawal either comes first (nothing is sent) or is refused. A mail
    server failure releases the claim; a worker killed mid-send leaves a claim that the next run
    takes over once the lease has passed (``surveys.outbox`` semantics).
    """
    if program.status != Program.Status.CLOSED:
        raise ValidationError(_("Notes go out once the program has closed."))
    outcome = NotesOutcome()
    for mentor in selectors.consenting_mentors(program):
        manager = selectors.usable_manager(mentor.user)
        if manager is None:
            outcome.no_manager += 1
            continue
        note = _claim_note(program=program, mentor=mentor, manager=manager)
        if note is None:
            outcome.already_sent += 1
            continue
        try:
            _note_message(program=program, mentor=mentor, manager=manager).send()
        except outbox.TRANSPORT_ERRORS:
            log.exception("manager note %s could not be sent", note.pk)
            note.delete()
            outcome.failed += 1
            continue
        note.sent_at = timezone.now()
        note.save(update_fields=["sent_at"])
        outcome.sent += 1
    log.info("manager notes for program %s: %s", program.pk, outcome)
    return outcome


def _claim_note(*, program: Program, mentor: Enrollment, manager) -> ManagerNote | None:
    """The note row, claimed now; None when it was sent, is being sent, or consent was withdrawn."""
    now = timezone.now()
    with transaction.atomic():
        if not RecognitionConsent.objects.select_for_update().filter(enrollment=mentor).exists():
            return None
        note = ManagerNote.objects.select_for_update().filter(program=program, enrollment=mentor).first()
        if note is None:
            return ManagerNote.objects.create(program=program, enrollment=mentor, manager=manager,
                                              claimed_at=now)
        if note.sent_at is not None or not note.stale:
            return None
        note.claimed_at, note.manager = now, manager  # a claim left by a killed worker
        note.save(update_fields=["claimed_at", "manager"])
        return note


def _note_message(*, program: Program, mentor: Enrollment, manager) -> EmailMultiAlternatives:
    facts = selectors.certificate_facts(mentor)
    context = {"program": program, "mentor": mentor.user, "manager": manager, "facts": facts,
               "site_url": settings.SITE_URL}
    base = "emails/evaluation/manager_note"
    with translation.override(settings.LANGUAGE_CODE), timezone.override(manager.zone):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[manager.email], headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message


# --- the certificates job ---------------------------------------------------------------------------

# Participants are told about their certificate for this long after the program closed (a job that
# was down for a while still catches up; programs closed before notices existed get none).
NOTICE_WINDOW = timedelta(days=14)


def certificates_tick(*, now: datetime | None = None) -> Outcome:
    """Celebrate the programs that closed: tell each participant their certificate is ready, and
    send the manager notes junior mentors agreed to (they agree on the certificate page)."""
    now = now or timezone.now()
    due = selectors.certificate_notices_due(since=now - NOTICE_WINDOW)
    CertificateNotice.objects.bulk_create([CertificateNotice(enrollment_id=pk, created_at=now) for pk in due],
                                          ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
    outcome = outbox.claim_and_send(CertificateNotice, where=outbox.PENDING_SQL, load=_load_notices,
                                    build=_notice_message)
    outcome.created = len(due)
    for program in selectors.programs_with_manager_notes_due():
        outcome.sent += manager_notes_send(program=program).sent
    return outcome


def _load_notices(ids) -> list[CertificateNotice]:
    return list(CertificateNotice.objects.filter(pk__in=ids).order_by("id")
                .select_related("enrollment__user", "enrollment__program"))


def _notice_message(row: CertificateNotice):
    enrollment = row.enrollment
    program, person = enrollment.program, enrollment.user
    if program.status != Program.Status.CLOSED or program.purged_at is not None:
        return Skip("program")
    if not person.is_active or not person.email:
        return Skip("inactive")
    url = emails.site_url(reverse("evaluation:certificate", args=[program.pk]))
    return emails.render(template="certificate_ready", folder="evaluation", recipient=person, program=program,
                         outbox=f"certificate:{row.pk}", context={"enrollment": enrollment, "url": url})
