"""Profiles, enrolments, matching runs, pairs and exits.

Org facts (title, department, level, manager, location, time zone) live on ``accounts.User``
and belong to HR; what a person maintains about themselves lives in :class:`Profile` and its
rows. A pair is an HR *draft* until it is published (``published_at``); participants never
see drafts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import AgreementVersion, Direction, Program, Resource, Topic

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
MAX_LANGUAGES = 10


def language_key(name: str) -> str:
    """How two spellings of a language are compared; "" for a name with no letter in it.

    A name without letters ("[]", "-") is never a language: it is what an empty list looked like
    when an old form showed it as text, and it must not count as a language two people share.
    """
    tidy = " ".join(str(name).split())
    return tidy.casefold() if any(ch.isalpha() for ch in tidy) else ""


MAX_WINDOWS = 21


class Profile(models.Model):
    """What a person keeps up to date about themselves (HR owns the rest, on the User)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_("Languages you can hold a mentoring conversation in."),
    )
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        if not isinstance(self.languages, list) or not all(isinstance(x, str) for x in self.languages):
            raise ValidationError({"languages": _("Languages must be a list of names.")})
        if len(self.languages) > MAX_LANGUAGES:
            raise ValidationError({"languages": _("List at most %(n)s languages.") % {"n": MAX_LANGUAGES}})


class Expertise(models.Model):
    """A topic the person knows, how well, and whether they would teach it."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="expertise")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", verbose_name=_("topic"))
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 = beginner, 5 = expert."),
    )
    can_teach = models.BooleanField(_("happy to teach it"), default=True)

    class Meta:
        ordering = ["topic__name"]
        verbose_name = _("expertise")
        verbose_name_plural = _("expertise")
        constraints = [
            models.UniqueConstraint(fields=["profile", "topic"], name="expertise_once_per_topic"),
            models.CheckConstraint(
                name="expertise_proficiency_1_5", condition=Q(proficiency__gte=1, proficiency__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.proficiency}/5)"


class LearningInterest(models.Model):
    """A topic the person wants to learn; priority 1 is their first choice."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="interests")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", verbose_name=_("topic"))
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 = your first choice, 5 = nice to have."),
    )

    class Meta:
        ordering = ["priority", "topic__name"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "topic"], name="interest_once_per_topic"),
            models.CheckConstraint(
                name="interest_priority_1_5", condition=Q(priority__gte=1, priority__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} (#{self.priority})"


class AvailabilityWindow(models.Model):
    """A weekly window, in the person's own time zone (converted to UTC for matching)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("Use 23:59 for the end of the day."))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(name="availability_weekday_0_6", condition=Q(weekday__lte=6)),
            models.CheckConstraint(
                name="availability_start_before_end", condition=Q(start__lt=models.F("end"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValidationError({"end": _("The window must end after it starts (same day).")})


class Enrollment(models.Model):
    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        WAITLISTED = "waitlisted", _("Waitlisted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    agreement_version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agreement version accepted"),
    )
    agreement_accepted_at = models.DateTimeField(_("agreement accepted at"))
    learn_goals = models.TextField(_("what I want to learn"), max_length=2000)
    teach_goals = models.TextField(_("what I can teach"), max_length=2000)
    capacity = models.PositiveSmallIntegerField(
        _("mentees at most"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["program", "role", "applied_at"]
        indexes = [
            # HR's enrolments page in its order (hr_enrollments), with or without a status and role
            # filter: a page is read off the index instead of sorting the whole program.
            models.Index(fields=["program", "status", "role", "applied_at", "id"],
                         name="enrollment_hr_order"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="enrollment_once_per_program"),
            models.CheckConstraint(
                name="enrollment_capacity_1_5", condition=Q(capacity__gte=1, capacity__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.program}"

    def save(self, *args, **kwargs):
        # A partial save still marks the row changed, so the API's updated_since sees it.
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.role == self.Role.MENTOR and self.program_id and self.capacity > self.program.mentor_capacity:
            errors["capacity"] = _("This program lets a mentor take at most %(n)s mentees.") % {
                "n": self.program.mentor_capacity
            }
        if self.role == self.Role.MENTEE and self.capacity != 1:
            errors["capacity"] = _("A mentee has one mentor.")
        if (
            self.agreement_version_id
            and self.program_id
            and self.agreement_version.program_id != self.program_id
        ):
            errors["agreement_version"] = _("That agreement belongs to another program.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_mentor(self) -> bool:
        return self.role == self.Role.MENTOR

    @property
    def resource_audience(self) -> str:
        return Resource.Audience.MENTORS if self.is_mentor else Resource.Audience.MENTEES

    @property
    def learns_direction(self) -> str:
        """A junior mentor learns what seniors teach; a senior mentee learns what juniors teach."""
        return Direction.SENIOR_TEACHES if self.is_mentor else Direction.JUNIOR_TEACHES

    @property
    def teaches_direction(self) -> str:
        return Direction.JUNIOR_TEACHES if self.is_mentor else Direction.SENIOR_TEACHES

    @property
    def can_withdraw(self) -> bool:
        return self.status in (self.Status.APPLIED, self.Status.APPROVED, self.Status.WAITLISTED)

    def has_pair_history(self) -> bool:
        """Was ever in a published pair (drafts do not count)."""
        published = Q(published_at__isnull=False)
        return (
            self.pairs_as_mentor.filter(published).exists() or self.pairs_as_mentee.filter(published).exists()
        )


class TrainingCompletion(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="training")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "resource"], name="training_once")]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.resource_id}"


class SkillRating(models.Model):
    """A self-assessment on one program topic: at enrolment, and again at the end (surveys)."""

    class Phase(models.TextChoices):
        ENROLMENT = "enrolment", _("At enrolment")
        END = "end", _("At the end")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="skill_ratings")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.ENROLMENT)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "topic", "direction", "phase"], name="skill_rating_once"
            ),
            models.CheckConstraint(name="skill_rating_1_5", condition=Q(score__gte=1, score__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.phase}: {self.score}"


class MatchRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    objective = models.FloatField(null=True, blank=True)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.JSONField(default=list, blank=True)  # [{enrollment_id, name, side, reason}]
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Matching run {self.pk} for {self.program}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


LIVE_PAIR = Q(status__in=["proposed", "active"])


class Pair(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")
        ENDED_EARLY = "ended_early", _("Ended early")

    class Response(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    LIVE = (Status.PROPOSED, Status.ACTIVE)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="pairs_as_mentor")
    mentee = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="pairs_as_mentee")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    score = models.FloatField(default=0)
    explanation = models.TextField(blank=True)
    parts = models.JSONField(default=dict, blank=True)
    locked = models.BooleanField(default=False)
    match_run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairs"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    mentor_response = models.CharField(max_length=8, choices=Response.choices, default=Response.PENDING)
    mentor_responded_at = models.DateTimeField(null=True, blank=True)
    mentee_response = models.CharField(max_length=8, choices=Response.choices, default=Response.PENDING)
    mentee_responded_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-score", "id"]
        indexes = [
            # The matching review's two lists in their order (review_reads.review_drafts and
            # review_published): a page of 50 is read off these instead of sorting every pair.
            models.Index(fields=["program", "-locked", "-score", "id"], name="pair_draft_review_order",
                         condition=Q(status="proposed", published_at__isnull=True)),
            models.Index(F("program"), Case(When(status="proposed", then=Value(0)), default=Value(1)),
                         F("status"), F("score").desc(), F("id"), name="pair_published_review_order",
                         condition=Q(published_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["mentee"], condition=LIVE_PAIR, name="pair_one_live_per_mentee"),
            models.UniqueConstraint(
                fields=["mentor", "mentee"], condition=LIVE_PAIR, name="pair_once_while_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.user} + {self.mentee.user}"

    def save(self, *args, **kwargs):
        # A partial save still marks the row changed, so the API's updated_since sees it.
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.mentor_id and self.mentor.role != Enrollment.Role.MENTOR:
            raise ValidationError({"mentor": _("This person enrolled as a mentee.")})
        if self.mentee_id and self.mentee.role != Enrollment.Role.MENTEE:
            raise ValidationError({"mentee": _("This person enrolled as a mentor.")})
        if (
            self.mentor_id
            and self.mentee_id
            and not (self.mentor.program_id == self.mentee.program_id == self.program_id)
        ):
            raise ValidationError(_("Both people must be enrolled in the pair's program."))

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def is_offer(self) -> bool:
        """Published, waiting for both people to accept."""
        return self.status == self.Status.PROPOSED and self.published_at is not None

    def side_of(self, user) -> str | None:
        """ "mentor" or "mentee" for a member of this pair (a user or a user id), else None."""
        user_id = getattr(user, "pk", user)
        if self.mentor.user_id == user_id:
            return "mentor"
        if self.mentee.user_id == user_id:
            return "mentee"
        return None

    def enrollment_of(self, user):
        """The enrolment of this member (a user or a user id) in the pair, else None."""
        side = self.side_of(user)
        return self.mentor if side == "mentor" else self.mentee if side == "mentee" else None

    def partner_of(self, user):
        """The other person of the pair, seen from ``user`` (a user or a user id)."""
        return self.mentee.user if self.side_of(user) == "mentor" else self.mentor.user

    def response_of(self, side: str) -> str:
        return self.mentor_response if side == "mentor" else self.mentee_response


class PairExclusion(models.Model):
    """HR forbade this mentor/mentee combination in this program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pair_exclusions")
    mentor = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentor", "mentee"], name="pair_exclusion_once")]

    def __str__(self) -> str:
        return f"never {self.mentor_id} + {self.mentee_id}"


class ExitRequest(models.Model):
    """A confidential, no-fault request to end a pair or find a new match. Only HR reads the reason."""

    class Kind(models.TextChoices):
        EXIT = "exit", _("Leave the program")
        REMATCH = "rematch", _("Find me a new match")

    class Outcome(models.TextChoices):
        REMATCH_BOTH = "rematch_both", _("Pair ended; both get a new match")
        REQUESTER_LEAVES = (
            "requester_leaves",
            _("Pair ended; the requester leaves, the partner gets a new match"),
        )
        BOTH_LEAVE = "both_leave", _("Pair ended; both leave the program")
        KEPT = "kept", _("Pair continues")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="exit_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(
        _("what you would like"), max_length=8, choices=Kind.choices, default=Kind.REMATCH
    )
    reason = models.TextField(_("anything HR should know (optional)"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # HR's exits page: open requests oldest first, a page at a time; the latest resolved.
            models.Index(fields=["created_at", "id"], name="exit_request_open_queue",
                         condition=Q(resolved_at__isnull=True)),
            models.Index(fields=["-resolved_at"], name="exit_request_recent",
                         condition=Q(resolved_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "requested_by"],
                condition=Q(resolved_at__isnull=True),
                name="exit_request_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request on pair {self.pair_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
