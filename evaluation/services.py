"""The evaluation app's only writes: certificate notices, recognition consent and the manager notes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation import selectors
from evaluation.models import CertificateNotice, ManagerNote, RecognitionConsent
from notifications import kinds, outbox, render
from notifications.channels import TRANSPORT_ERRORS
from pairing.models import Enrollment
from programs.models import Program

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
    if ManagerNote.objects.filter(enrollment=enrollment).exists():
        # Queued or sent: an e-mail on its way cannot be recalled.
        raise ValidationError(_("The note to your manager has already been sent."))
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


NOTE, CERTIFICATE = "manager-note", "certificate"


def manager_notes_send(*, program: Program) -> NotesOutcome:
    """E-mail each consenting junior mentor's manager a note recognising their contribution.

    Idempotent: a ``ManagerNote`` row per (program, mentor) is inserted (unique) and its outbox
    message queued in the same transaction, taken while the mentor's consent row is locked, so a
    withdrawal either comes first (nothing is sent) or is refused; pressing the button twice — or
    the job and the button at once — queues each note once. The notes are then delivered at once
    (the outbox claims each before sending); one the mail server refused waits for the next tick.
    """
    if program.status != Program.Status.CLOSED:
        raise ValidationError(_("Notes go out once the program has closed."))
    outcome = NotesOutcome()
    queued: list[int] = []
    for mentor in selectors.consenting_mentors(program):
        manager = selectors.usable_manager(mentor.user)
        if manager is None:
            outcome.no_manager += 1
            continue
        message_id = _queue_note(program=program, mentor=mentor, manager=manager)
        if message_id is None:
            outcome.already_sent += 1
        else:
            queued.append(message_id)
    if queued:
        try:
            delivered = outbox.deliver_due(message_ids=queued)
        except TRANSPORT_ERRORS:
            log.exception("manager notes of program %s not sent now; the next tick retries", program.pk)
            delivered = outbox.Outcome()
        outcome.sent = delivered.sent
        outcome.failed = len(queued) - delivered.sent - sum(delivered.skipped.values())
    log.info("manager notes for program %s: %s", program.pk, outcome)
    return outcome


@transaction.atomic
def _queue_note(*, program: Program, mentor: Enrollment, manager) -> int | None:
    """Queue the note's message; None when it was queued before or consent was withdrawn."""
    if not RecognitionConsent.objects.select_for_update().filter(enrollment=mentor).exists():
        return None
    note, created = ManagerNote.objects.get_or_create(
        program=program, enrollment=mentor, defaults={"manager": manager, "sent_at": timezone.now()})
    if not created:
        return None
    message = outbox.message_queue(kind=NOTE, key=f"{NOTE}:{note.pk}", recipient=manager, ref_id=note.pk)
    return message.pk


def _load_notes(messages) -> None:
    kinds.attach_refs(ManagerNote, messages, "program", "manager", "enrollment__user")


def _note_message(message):
    note: ManagerNote | None = message.ref
    if note is None or note.manager is None:
        return kinds.Skip("deleted")
    if not RecognitionConsent.objects.filter(enrollment_id=note.enrollment_id).exists():
        return kinds.Skip("withdrawn")
    mentor = note.enrollment
    context = {"program": note.program, "mentor": mentor.user, "manager": note.manager,
               "facts": selectors.certificate_facts(mentor)}
    return render.render(template="evaluation/emails/manager_note", recipient=note.manager, context=context,
                         prefix=False)


# --- the certificates job ---------------------------------------------------------------------------

# Participants are told about their certificate for this long after the program closed (a job that
# was down for a while still catches up; programs closed before notices existed get none).
NOTICE_WINDOW = timedelta(days=14)


def certificates_tick(*, now: datetime | None = None) -> outbox.Outcome:
    """Celebrate the programs that closed: tell each participant their certificate is ready, and
    send the manager notes junior mentors agreed to (they agree on the certificate page)."""
    now = now or timezone.now()
    due = selectors.certificate_notices_due(since=now - NOTICE_WINDOW)
    with transaction.atomic():
        CertificateNotice.objects.bulk_create(
            [CertificateNotice(enrollment_id=pk, created_at=now) for pk in due],
            ignore_conflicts=True, batch_size=outbox.INSERT_BATCH)
        todo = list(CertificateNotice.objects.select_for_update(skip_locked=True)
                    .filter(sent_at__isnull=True, skipped_at__isnull=True)
                    .values_list("pk", "enrollment__user_id"))
        CertificateNotice.objects.filter(pk__in=[pk for pk, _u in todo]).update(sent_at=now)
        outbox.messages_queue([outbox.Draft(kind=CERTIFICATE, key=f"{CERTIFICATE}:{pk}", recipient_id=user_id,
                                            ref_id=pk) for pk, user_id in todo], now=now)
    outcome = outbox.deliver_due(only_kinds=[CERTIFICATE])
    outcome.created = len(due)
    for program in selectors.programs_with_manager_notes_due():
        outcome.sent += manager_notes_send(program=program).sent
    # Notes queued earlier that did not go (a mail outage, a worker that died holding the claim).
    outcome.add(outbox.deliver_due(only_kinds=[NOTE]))
    return outcome


def _load_notices(messages) -> None:
    kinds.attach_refs(CertificateNotice, messages, "enrollment__user", "enrollment__program")


def _notice_message(message):
    row: CertificateNotice | None = message.ref
    if row is None:
        return kinds.Skip("deleted")
    enrollment = row.enrollment
    program, person = enrollment.program, enrollment.user
    if program.status != Program.Status.CLOSED or program.purged_at is not None:
        return kinds.Skip("program")
    if not person.is_active or not person.email:
        return kinds.Skip("inactive")
    url = render.site_url(reverse("evaluation:certificate", args=[program.pk]))
    return render.render(template="evaluation/emails/certificate_ready", recipient=person, brand=program.name,
                         context={"enrollment": enrollment, "program": program, "url": url},
                         links=[(_("Your certificate"), url)])


def register() -> None:
    kinds.register(NOTE, build=_note_message, load=_load_notes, group="other")
    kinds.register(CERTIFICATE, build=_notice_message, load=_load_notices, group="other")
