"""What the evaluation app writes: a junior mentor's consent to a recognition note, and the notes.

Everything else in this app only reads (aggregates) from the other apps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pairing.models import Enrollment
from programs.models import Program


class RecognitionConsent(models.Model):
    """A junior mentor agreed that their manager may receive a note recognising their contribution."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE,
                                      related_name="recognition_consent")
    consented_at = models.DateTimeField(_("consented at"), default=timezone.now)

    class Meta:
        verbose_name = _("recognition consent")

    def __str__(self) -> str:
        return f"Consent of enrolment {self.enrollment_id}"


class ManagerNote(models.Model):
    """One recognition note to a mentor's manager: created (unique) when its outbox message is queued
    (kind "manager-note"); ``sent_at`` is when it was handed to the outbox."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="manager_notes")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="manager_notes")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "enrollment"], name="manager_note_once_per_mentor"),
        ]

    def __str__(self) -> str:
        return f"Manager note for enrolment {self.enrollment_id} in program {self.program_id}"


class CertificateNotice(models.Model):
    """The message telling a participant that their certificate is ready.

    Planned once per enrolment when its program closes (the row is the idempotency key), then handed
    to the outbox (kind "certificate"; ``sent_at`` is when) which claims it before sending.
    """

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="certificate_notice")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    skipped_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "skipped_at"], name="certificate_notice_pending")]

    def __str__(self) -> str:
        return f"Certificate notice for enrolment {self.enrollment_id}"
