"""The outbox of every e-mail the periodic jobs send, and the answers to surveys.

Each outbox row is the idempotency key of one e-mail: its unique constraint means a second tick
(a second beat, a redelivered task, a restarted worker) inserts nothing new, and a row is
*claimed* (``claimed_at`` + ``claim_id``) before its e-mail goes out and stamped ``sent_at`` right
after. A row that is no longer valid when its turn comes (a cancelled or moved session, a
withdrawn participant, an answered survey) is stamped ``skipped_at`` with a reason and never sent.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting
from pairing.models import Enrollment, Pair
from programs.models import Program, SurveyQuestion

# A row not yet handed to the outbox, nor skipped.
PENDING = Q(sent_at__isnull=True, skipped_at__isnull=True)


class Planned(models.Model):
    """A row a job plans (its unique key makes a second tick plan nothing) and then hands to the
    outbox (``notifications``), which claims its message before sending. ``sent_at`` is when it was
    handed over; a row no longer wanted is stamped ``skipped_at`` with a reason instead."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    skipped_at = models.DateTimeField(null=True, blank=True, editable=False)
    skipped_reason = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class SurveyInvitation(Planned):
    """An invitation to one survey, for one person (outbox kind "survey-invitation"), and its one
    reminder (kind "survey-reminder").

    The messages carry a secret token (derived from the row and SECRET_KEY, so every channel and a
    retried delivery carry the same link); only its SHA-256 is stored (``token_hash`` for the
    invitation, ``reminder_token_hash`` for the reminder, so the first message's link keeps working).
    """

    class Kind(models.TextChoices):
        AFTER_SESSION = "after_session", _("After a session")
        MID_PROGRAM = "mid_program", _("Mid-program")
        END_PROGRAM = "end_program", _("End of program")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="survey_invitations")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="survey_invitations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    # After the pair's first held session the survey adds the pairing-fit question(s).
    first_session = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    reminder_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "meeting"],
                condition=Q(meeting__isnull=False),
                name="survey_invitation_once_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "program"],
                condition=Q(kind__in=["mid_program", "end_program"]),
                name="survey_invitation_once_per_program",
            ),
            models.CheckConstraint(
                name="survey_invitation_session_has_meeting",
                condition=~Q(kind="after_session") | Q(meeting__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=PENDING, name="survey_invitation_pending"),
            models.Index(
                fields=["remind_at"],
                name="survey_invitation_remind",
                condition=Q(sent_at__isnull=False, answered_at__isnull=True, reminder_sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} survey for user {self.recipient_id} in program {self.program_id}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def state(self, now=None) -> str:
        """ "answered", "expired" or "open" (for a sent invitation)."""
        if self.is_answered:
            return "answered"
        return "expired" if self.is_expired(now) else "open"


class SurveyResponse(models.Model):
    """The one set of answers to one invitation (a second submit finds this row and stores nothing)."""

    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="response")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="survey_responses")
    kind = models.CharField(max_length=16, choices=SurveyInvitation.Kind.choices)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"Response to survey invitation {self.invitation_id}"


class SurveyAnswer(models.Model):
    """One answer. The question's text and kind are copied so a later edit of the program's
    questions does not change what was answered."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, null=True, on_delete=models.SET_NULL, related_name="answers")
    question_text = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=SurveyQuestion.Kind.choices)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
        ]

    def __str__(self) -> str:
        # Never the text: free-text answers may be personal.
        return f"Answer to question {self.question_id} in response {self.response_id}"


class LeadDigest(Planned):
    """The weekly figures e-mail to one program lead, once per ISO week (e.g. "2026-W14")."""

    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    iso_week = models.CharField(max_length=8)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["lead", "iso_week"], name="lead_digest_once")]
        indexes = [models.Index(fields=["id"], condition=PENDING, name="lead_digest_pending")]

    def __str__(self) -> str:
        return f"Digest {self.iso_week} to user {self.lead_id}"


# --- learning both ways and the junior mentor's safety (issue 18 items 3 + 4) -------------------


class ReturnIntent(models.Model):
    """The reverse-back answers of one person's end-of-program survey (surveys.learning).

    ``again``: would they take part again; ``other_way``: would they mentor (a senior) or be
    mentored (a junior) the other way next time. Counted on the dashboard only as totals.
    """

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("No")

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="return_intent")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="return_intents")
    response = models.OneToOneField(
        SurveyResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="return_intent"
    )
    again = models.CharField(_("take part again"), max_length=5, choices=Answer.choices)
    other_way = models.CharField(_("the other way next time"), max_length=5, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Reverse-back answers of enrolment {self.enrollment_id}"


class SafetyPulse(Planned):
    """One private pulse to a pair's junior mentor (outbox kind "safety-pulse"), and its answer.

    Unique per pair and round (the n-th period of ``Program.safety_pulse_weeks`` since the pair
    started), so a second tick plans nothing. The score and note are the mentor's and HR's only:
    the mentee and the program's leads never see them (leads not even as a trend).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="safety_pulses")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="safety_pulses")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="safety_pulses")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField()
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    note = models.TextField(blank=True, max_length=2000)
    # Set when the answer raised an alert to HR (a low score or a drop): what HR's list shows.
    alert = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "round"], name="safety_pulse_once_per_round"),
            models.CheckConstraint(
                name="safety_pulse_score_1_5",
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
            ),
        ]
        indexes = [models.Index(fields=["id"], condition=PENDING, name="safety_pulse_pending")]

    def __str__(self) -> str:
        # Never the score or the note.
        return f"Pulse {self.round} of pair {self.pair_id}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
