"""Everything an HR admin decides about a reverse mentoring program.

The program row carries the framework, confidentiality switches, eligibility and matching
rules and the survey/reminder settings directly (one form per section edits them); lists
(goals, topics, rules, agreement versions, questions, resources) are child rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.program_settings import ReverseMentoringSettings

# Direction, the topic menu's kit and topic proposals live in topic_models; importing them here keeps
# `from programs.models import …` working for all of them.
from programs.topic_models import Direction, TopicKit, TopicProposal  # noqa: F401


class Topic(models.Model):
    """An organisation-wide learnable subject with its usual direction."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    usual_direction = models.CharField(
        _("usual direction"), max_length=20, choices=Direction.choices,
        default=Direction.JUNIOR_TEACHES,
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(ReverseMentoringSettings):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ENROLLING = "enrolling", _("Enrolling")
        MATCHING = "matching", _("Matching")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    class MeetingModes(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        EITHER = "either", _("In person or video")

    # The order of the lifecycle; a program only ever moves one step forward.
    LIFECYCLE = [Status.DRAFT, Status.ENROLLING, Status.MATCHING, Status.RUNNING, Status.CLOSED]

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    cohort = models.CharField(_("cohort"), max_length=60, blank=True,
                              help_text=_("For example “2027 spring”; used in dashboards."))
    enrolment_opens = models.DateField(_("enrolment opens"), null=True, blank=True)
    enrolment_closes = models.DateField(_("enrolment closes"), null=True, blank=True)
    starts_on = models.DateField(_("program starts"), null=True, blank=True)
    ends_on = models.DateField(_("program ends"), null=True, blank=True)
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_programs",
                                   verbose_name=_("program leads"))
    cloned_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="clones")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Framework
    mentor_responsibilities = models.TextField(_("mentor's role and responsibilities"), blank=True)
    mentee_responsibilities = models.TextField(_("mentee's role and responsibilities"), blank=True)
    cadence_weeks = models.PositiveSmallIntegerField(
        _("meet every (weeks)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(12)])
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), default=45,
        validators=[MinValueValidator(15), MaxValueValidator(240)])
    min_sessions = models.PositiveSmallIntegerField(
        _("minimum number of sessions"), default=6,
        validators=[MinValueValidator(1), MaxValueValidator(100)])
    meeting_modes = models.CharField(_("meeting modes"), max_length=12,
                                     choices=MeetingModes.choices, default=MeetingModes.EITHER)
    video_link_template = models.CharField(
        _("video link template"), max_length=300, blank=True,
        help_text=_("Pre-fills each session's link; {pair} becomes the pair's number."))
    reschedule_cutoff_hours = models.PositiveSmallIntegerField(
        _("no rescheduling within (hours of the start)"), default=12,
        validators=[MaxValueValidator(168)])

    # Confidentiality and communication
    leads_can_read_summaries = models.BooleanField(
        _("program leads may read shared session summaries"), default=False)
    anonymity_k = models.PositiveSmallIntegerField(
        _("anonymity threshold (k)"), default=5,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_("Dashboards hide any figure backed by fewer people than this (at least 3)."))
    communication_guidelines = models.TextField(_("communication guidelines"), blank=True)

    # Eligibility and matching rules
    mentor_level_min = models.PositiveSmallIntegerField(_("mentor level from"), default=1)
    mentor_level_max = models.PositiveSmallIntegerField(_("mentor level to"), default=4)
    mentee_level_min = models.PositiveSmallIntegerField(_("mentee level from"), default=6)
    mentee_level_max = models.PositiveSmallIntegerField(_("mentee level to"), default=12)
    min_level_gap = models.PositiveSmallIntegerField(
        _("minimum level gap"), default=2, validators=[MaxValueValidator(20)],
        help_text=_("The mentor is at least this many levels junior to the mentee."))
    mentor_capacity = models.PositiveSmallIntegerField(
        _("mentees per mentor (at most)"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    forbid_same_department = models.BooleanField(_("never pair within the same department"),
                                                 default=False)
    weight_mentor_teaches = models.FloatField(
        _("weight: mentor can teach what the mentee wants"), default=3.0,
        validators=[MinValueValidator(0), MaxValueValidator(10)])
    weight_mentee_teaches = models.FloatField(
        _("weight: mentee can teach what the mentor wants"), default=2.0,
        validators=[MinValueValidator(0), MaxValueValidator(10)])
    weight_cross_department = models.FloatField(
        _("weight: different departments"), default=1.0,
        validators=[MinValueValidator(0), MaxValueValidator(10)])
    weight_availability = models.FloatField(
        _("weight: overlapping availability"), default=1.5,
        validators=[MinValueValidator(0), MaxValueValidator(10)])
    weight_timezone = models.FloatField(
        _("weight: close time zones"), default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(10)])
    weight_language = models.FloatField(
        _("weight: shared language"), default=1.0,
        validators=[MinValueValidator(0), MaxValueValidator(10)])
    weight_load = models.FloatField(
        _("weight: spread mentees over mentors"), default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(10)])

    # Reminders and surveys
    reminder_first_hours = models.PositiveSmallIntegerField(
        _("first reminder (hours before)"), default=24, validators=[MaxValueValidator(336)],
        help_text=_("0 turns this reminder off."))
    reminder_second_hours = models.PositiveSmallIntegerField(
        _("second reminder (hours before)"), default=1, validators=[MaxValueValidator(336)],
        help_text=_("0 turns this reminder off."))
    survey_after_session = models.BooleanField(_("survey after each session"), default=True)
    survey_delay_hours = models.PositiveSmallIntegerField(
        _("send the session survey (hours after the end)"), default=2,
        validators=[MaxValueValidator(168)])
    survey_mid_program = models.BooleanField(_("mid-program survey"), default=True)
    survey_end_program = models.BooleanField(_("end-of-program survey"), default=True)
    survey_expiry_days = models.PositiveSmallIntegerField(
        _("surveys expire after (days)"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)])
    retention_days = models.PositiveIntegerField(
        _("keep session data for (days after the program ends)"), default=730,
        validators=[MinValueValidator(30)])
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, editable=False,
        help_text=_("When the program was closed: certificates are announced to participants then."))
    purged_at = models.DateTimeField(
        _("participant data removed"), null=True, blank=True, editable=False,
        help_text=_("Set by the retention job once the retention period after the end has passed."))
    # Set by the surveys job once the end-of-program survey has gone out; closing a program
    # before that needs the HR admin's explicit confirmation.
    end_survey_sent_at = models.DateTimeField(_("end-of-program survey sent"), null=True, blank=True,
                                              editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="program_k_at_least_3", condition=Q(anonymity_k__gte=3)),
            models.CheckConstraint(
                name="program_mentor_band", condition=Q(mentor_level_min__lte=models.F("mentor_level_max"))),
            models.CheckConstraint(
                name="program_mentee_band", condition=Q(mentee_level_min__lte=models.F("mentee_level_max"))),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        dates = [("enrolment_opens", self.enrolment_opens), ("enrolment_closes", self.enrolment_closes),
                 ("starts_on", self.starts_on), ("ends_on", self.ends_on)]
        known = [(name, value) for name, value in dates if value is not None]
        for (_a, earlier), (b, later) in zip(known, known[1:], strict=False):
            if later < earlier:
                errors[b] = _("Dates must run in order: enrolment opens, closes, program starts, ends.")
        if self.mentor_level_min > self.mentor_level_max:
            errors["mentor_level_max"] = _("The upper level must not be below the lower one.")
        if self.mentee_level_min > self.mentee_level_max:
            errors["mentee_level_max"] = _("The upper level must not be below the lower one.")
        if self.working_hours_start and self.working_hours_end \
                and self.working_hours_start >= self.working_hours_end:
            errors["working_hours_end"] = _("The working day ends after it starts.")
        if self.reminder_second_hours and self.reminder_second_hours >= (self.reminder_first_hours or 10**6):
            errors["reminder_second_hours"] = _("The second reminder comes after the first one.")
        if self.commitment_sponsor_name.strip() and not self.commitment_sponsor_email:
            errors["commitment_sponsor_email"] = _(
                "Give the sponsor's e-mail address, or leave the name empty.")
        if errors:
            raise ValidationError(errors)

    # --- rules about this one row ------------------------------------------------------

    @property
    def next_status(self) -> str | None:
        index = self.LIFECYCLE.index(self.status)
        return self.LIFECYCLE[index + 1] if index + 1 < len(self.LIFECYCLE) else None

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def duration_weeks(self) -> int | None:
        if self.starts_on and self.ends_on:
            return max(0, (self.ends_on - self.starts_on).days // 7)
        return None

    @property
    def status_index(self) -> int:
        return self.LIFECYCLE.index(self.status)

    def missing_items_for_next_step(self) -> list:
        """What still blocks the next lifecycle step, as `lifecycle.Missing` (text + section)."""
        from programs.lifecycle import missing_for

        return missing_for(self)

    def missing_for_next_step(self) -> list[str]:
        """What still blocks the next lifecycle step, as sentences ("Publish the agreement")."""
        return [str(item) for item in self.missing_items_for_next_step()]

    @property
    def advance_label(self) -> str:
        """The button that takes the program to its next status."""
        return {
            self.Status.ENROLLING: _("Open enrolment"),
            self.Status.MATCHING: _("Close enrolment and start matching"),
            self.Status.RUNNING: _("Start the program"),
            self.Status.CLOSED: _("Close the program"),
        }.get(self.next_status, "")

    @property
    def can_advance(self) -> bool:
        return self.next_status is not None and not self.missing_items_for_next_step()

    @property
    def close_needs_survey_confirmation(self) -> bool:
        """Closing now would skip an end-of-program survey that has not gone out yet."""
        return self.survey_end_program and self.end_survey_sent_at is None

    def published_agreement(self) -> AgreementVersion | None:
        """Like current_agreement(), but reads prefetched versions when there are any."""
        published = [v for v in self.agreement_versions.all() if v.published_at is not None]
        return max(published, key=lambda v: v.version) if published else None

    def latest_agreement(self) -> AgreementVersion | None:
        """The newest version, draft or published (prefetch-friendly)."""
        versions = list(self.agreement_versions.all())
        return max(versions, key=lambda v: v.version) if versions else None

    def current_agreement(self) -> AgreementVersion | None:
        """The newest published agreement version: the one participants accept."""
        return self.agreement_versions.filter(published_at__isnull=False).order_by("-version").first()

    def matching_weights(self) -> dict[str, float]:
        return {
            "mentor_teaches": self.weight_mentor_teaches,
            "mentee_teaches": self.weight_mentee_teaches,
            "cross_department": self.weight_cross_department,
            "availability": self.weight_availability,
            "timezone": self.weight_timezone,
            "language": self.weight_language,
            "load": self.weight_load,
        }

    def reminder_lead_hours(self) -> list[int]:
        return [h for h in (self.reminder_first_hours, self.reminder_second_hours) if h]

    def video_link_for(self, pair_id: int) -> str:
        return self.video_link_template.replace("{pair}", str(pair_id)) if self.video_link_template else ""


class Goal(models.Model):
    """A program goal with a measurable target the evaluation dashboard checks."""

    class Kind(models.TextChoices):
        SESSIONS_REACHED = "sessions_reached", _("Share of pairs reaching N sessions")
        SATISFACTION = "satisfaction", _("Average satisfaction (1–5) at least")
        SKILL_GAIN = "skill_gain", _("Average skill gain in a direction at least")
        RESPONSE_RATE = "response_rate", _("Survey response rate at least")
        RECOMMENDATION = "recommendation", _("Recommendation score (0–10) at least")
        QUALITATIVE = "qualitative", _("Qualitative goal (not measured)")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("why it matters"), blank=True)
    kind = models.CharField(_("measure"), max_length=20, choices=Kind.choices, default=Kind.QUALITATIVE)
    target = models.DecimalField(
        _("target"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("A share in percent (0–100), an average, or a score, depending on the measure."))
    sessions = models.PositiveSmallIntegerField(
        _("N sessions"), null=True, blank=True,
        help_text=_("For “share of pairs reaching N sessions”."))
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices, blank=True,
                                 help_text=_("For skill gain: whose learning is measured."))

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def target_text(self) -> str:
        """The measurable target in words, as the evaluation dashboard will check it."""
        target = format(self.target.normalize(), "f") if self.target is not None else "?"
        texts = {
            self.Kind.SESSIONS_REACHED: _(
                "At least %(target)s%% of pairs hold %(sessions)s sessions or more"),
            self.Kind.SATISFACTION: _("Average satisfaction of at least %(target)s out of 5"),
            self.Kind.SKILL_GAIN: (_("Average skill gain of at least %(target)s point — %(direction)s")
                                   if self.target == 1 else
                                   _("Average skill gain of at least %(target)s points — %(direction)s")),
            self.Kind.RESPONSE_RATE: _("At least %(target)s%% of surveys answered"),
            self.Kind.RECOMMENDATION: _("Average recommendation of at least %(target)s out of 10"),
            self.Kind.QUALITATIVE: _("Qualitative goal, not measured"),
        }
        direction = Direction(self.direction).label.lower() if self.direction else ""
        return texts[self.kind] % {"target": target, "sessions": self.sessions or "?", "direction": direction}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind != self.Kind.QUALITATIVE and self.target is None:
            errors["target"] = _("A measurable goal needs a target.")
        if self.kind in (self.Kind.SESSIONS_REACHED, self.Kind.RESPONSE_RATE) and self.target is not None \
                and not 0 <= self.target <= 100:
            errors["target"] = _("A share is between 0 and 100 percent.")
        if self.kind == self.Kind.SATISFACTION and self.target is not None and not 1 <= self.target <= 5:
            errors["target"] = _("Satisfaction is rated from 1 to 5.")
        if self.kind == self.Kind.RECOMMENDATION and self.target is not None and not 0 <= self.target <= 10:
            errors["target"] = _("The recommendation score runs from 0 to 10.")
        if self.kind == self.Kind.SKILL_GAIN and self.target is not None and not 0 < self.target <= 4:
            errors["target"] = _("Skill is self-assessed from 1 to 5, so a gain is above 0 and at most 4.")
        if self.kind == self.Kind.SESSIONS_REACHED and not self.sessions:
            errors["sessions"] = _("Say how many sessions a pair should reach.")
        if self.kind == self.Kind.SKILL_GAIN and not self.direction:
            errors["direction"] = _("Say whose learning is measured.")
        if errors:
            raise ValidationError(errors)


class ProgramTopic(TopicKit):
    """A topic the program covers, in one direction: an entry of the program's topic menu, with
    a session agenda and a preparation kit the pair sees when they book a session on it."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="program_topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=20, choices=Direction.choices)

    class Meta:
        ordering = ["direction", "topic__name"]
        constraints = [models.UniqueConstraint(fields=["program", "topic", "direction"],
                                               name="program_topic_once_per_direction")]

    def __str__(self) -> str:
        return f"{self.topic} ({self.get_direction_display()})"


class ConfidentialityRule(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="confidentiality_rules")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("rule"), max_length=500)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class AgreementVersion(models.Model):
    """One version of the agreement text. Published versions are never edited again."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="agreement_versions")
    version = models.PositiveIntegerField()
    text = models.TextField(_("agreement text"))
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "-version"]
        constraints = [models.UniqueConstraint(fields=["program", "version"],
                                               name="agreement_version_unique")]

    def __str__(self) -> str:
        return f"{self.program} agreement v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SurveyQuestion(models.Model):
    class Survey(models.TextChoices):
        AFTER_SESSION = "after_session", _("After each session")
        MID_PROGRAM = "mid_program", _("Mid-program")
        END_PROGRAM = "end_program", _("End of program")

    class Kind(models.TextChoices):
        RATING = "rating", _("Rating 1–5")
        RECOMMENDATION = "recommendation", _("Recommendation 0–10")
        CHOICE = "choice", _("Single choice")
        TEXT = "text", _("Free text")
        SKILLS = "skills", _("Skill self-assessment (each topic, both directions)")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="survey_questions")
    survey = models.CharField(max_length=16, choices=Survey.choices)
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), default=list, blank=True,
                               help_text=_("For single choice: the options, one per line."))
    required = models.BooleanField(_("answer required"), default=True)
    first_session_only = models.BooleanField(
        _("only after the first session"), default=False,
        help_text=_("For the pairing-fit question."))
    measures_satisfaction = models.BooleanField(
        _("counts as satisfaction"), default=False,
        help_text=_("Averages of this rating feed the satisfaction goal."))

    class Meta:
        ordering = ["survey", "order", "id"]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.kind == self.Kind.CHOICE and len([c for c in self.choices or [] if str(c).strip()]) < 2:
            raise ValidationError({"choices": _("A single-choice question needs at least two options.")})
        if self.kind != self.Kind.CHOICE and self.choices:
            self.choices = []
        if self.measures_satisfaction and self.kind != self.Kind.RATING:
            raise ValidationError({"measures_satisfaction": _("Only a 1–5 rating measures satisfaction.")})


class Resource(models.Model):
    """Training and support material."""

    class Audience(models.TextChoices):
        MENTORS = "mentors", _("Mentors")
        MENTEES = "mentees", _("Mentees")
        BOTH = "both", _("Everyone")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="resources")
    order = models.PositiveSmallIntegerField(default=0)
    audience = models.CharField(_("for"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    url = models.URLField(_("link"), blank=True)
    body = models.TextField(_("text"), blank=True)
    required_before_matching = models.BooleanField(_("required before matching"), default=False)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.url and not self.body.strip():
            raise ValidationError(_("Give a link or the text of the resource."))


class ProgramChange(models.Model):
    """Change history: who changed what in a program's configuration, and when."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    area = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.area}: {self.summary}"


class EmployeeImport(models.Model):
    """An uploaded employee CSV, kept server-side between the preview and the apply step."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255, blank=True)
    raw_text = models.TextField()
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    result = models.JSONField(default=dict, blank=True,
                              help_text=_("How many employees were added, updated or left unchanged."))

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename or 'import'} ({self.created_at:%Y-%m-%d %H:%M})"


class EmployeeInvitation(models.Model):
    """One invitation e-mail sent to an employee (re-sending adds a row)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} invited {self.sent_at:%Y-%m-%d %H:%M}"


class InvitationBatch(models.Model):
    """HR's "invite everyone not yet invited": a background job and its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Sending invitations")
        DONE = "done", _("Done")

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation batch {self.pk} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class OrgChange(models.Model):
    """Audit trail of organisation-wide writes (topic catalogue, invitations, imports)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    area = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.area}: {self.summary}"

