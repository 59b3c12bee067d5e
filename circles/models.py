"""Circles: group formats beside pairs.

A *mentor peer circle* gathers junior mentors to share what works; a *learning circle* has a junior
host teaching a small group (2–8) of seniors; an *open session* is hosted by someone in the program
and anyone enrolled may join up to a limit. Circles are HR's to create (or to accept from the app's
proposals, which arrive as drafts with an explanation); their people are program enrolments, so a
circle never reaches outside its program.

Sessions are booked by a host at one time (stored in UTC, shown in each member's zone) and members
RSVP. The places of a session are held by the database: ``CircleSession.going`` counts the "yes"
answers and a CHECK constraint keeps it between 0 and ``places``, so no interleaving of requests
can confirm more people than there are places (see ``circles.services.rsvp_set``).

Private reflections are readable by their author only: they never appear in ``__str__``, admin,
e-mails, logs, exports or dashboards.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pairing.models import Enrollment
from programs.models import Program, Topic

# Name of the constraint that holds a session's places (services turn its violation into "full").
PLACES_CONSTRAINT = "circle_session_going_within_places"
LEARNING_MIN, LEARNING_MAX = 2, 8
MAX_PLACES = 50


class Circle(models.Model):
    class Kind(models.TextChoices):
        PEER = "peer", _("Mentor peer circle")
        LEARNING = "learning", _("Learning circle")
        OPEN = "open", _("Open session")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Proposed")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(_("name"), max_length=120)
    purpose = models.TextField(_("purpose"), max_length=2000, blank=True,
                               help_text=_("What the circle is for, in a sentence or two."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LEARNING)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+", verbose_name=_("topics"))
    places = models.PositiveSmallIntegerField(
        _("places"), default=8, validators=[MinValueValidator(2), MaxValueValidator(MAX_PLACES)],
        help_text=_("How many members the circle takes (hosts not counted)."))
    cadence_weeks = models.PositiveSmallIntegerField(
        _("meets every (weeks)"), default=4, validators=[MinValueValidator(1), MaxValueValidator(26)])
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE,
                              db_index=True)
    # Why the app proposed it (plain words, like a pair proposal's); empty when HR built it by hand.
    explanation = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "name", "id"]
        constraints = [
            models.CheckConstraint(name="circle_places_2_50",
                                   condition=Q(places__gte=2, places__lte=MAX_PLACES)),
            models.CheckConstraint(name="circle_learning_places_2_8",
                                   condition=~Q(kind="learning") | Q(places__lte=LEARNING_MAX)),
        ]

    def __str__(self) -> str:
        return f"Circle {self.pk} ({self.kind}) in program {self.program_id}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class CircleMember(models.Model):
    """One person in a circle: a host (runs the sessions) or a member."""

    class Role(models.TextChoices):
        HOST = "host", _("Host")
        MEMBER = "member", _("Member")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="circle_memberships")
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "enrollment"], name="circle_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.enrollment_id} of circle {self.circle_id}"

    @property
    def is_host(self) -> bool:
        return self.role == self.Role.HOST


class CircleSession(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("how you meet"), max_length=10, choices=Mode.choices, default=Mode.VIDEO)
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    places = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PLACES)])
    # "Yes" answers; the CHECK below is what holds the places under concurrent RSVPs.
    going = models.PositiveSmallIntegerField(default=0, editable=False)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("topic"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED,
                              db_index=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    cancel_reason = models.TextField(_("reason"), max_length=1000, blank=True)
    ics_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="circle_session_ends_after_start",
                                   condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(name=PLACES_CONSTRAINT,
                                   condition=Q(going__gte=0, going__lte=F("places"))),
        ]

    def __str__(self) -> str:
        when = f"{self.starts_at:%Y-%m-%d %H:%M} UTC"
        return f"Circle session {self.pk} of circle {self.circle_id} ({self.status}, {when})"

    @property
    def ics_uid_value(self) -> str:
        return f"{self.ics_uid}@flipside"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def places_left(self) -> int:
        return max(self.places - self.going, 0)

    @property
    def is_full(self) -> bool:
        return self.going >= self.places

    def has_started(self, now=None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def is_open_for_rsvp(self, now=None) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.CONFIRMED) and not self.has_started(now)

    def can_be_logged(self, now=None) -> bool:
        return self.status == self.Status.HELD or (
            self.status == self.Status.CONFIRMED and self.has_started(now))


class CircleRsvp(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("Going")
        NO = "no", _("Not going")

    session = models.ForeignKey(CircleSession, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=3, choices=Answer.choices)
    # Set by a host after the session: did they come (the dashboard's attendance).
    attended = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="circle_rsvp_once")]

    def __str__(self) -> str:
        return f"RSVP {self.answer} of user {self.user_id} to circle session {self.session_id}"


class CircleNote(models.Model):
    """What a held session covered: a summary every member can read, and the topics taught."""

    session = models.OneToOneField(CircleSession, on_delete=models.CASCADE, related_name="note")
    shared_summary = models.TextField(_("shared summary"), max_length=5000, blank=True)
    topics_taught = models.ManyToManyField(Topic, blank=True, related_name="+",
                                           verbose_name=_("topics taught"))
    summary_revision = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Note of circle session {self.session_id}"


class CircleReflection(models.Model):
    """A note only its author can ever read."""

    note = models.ForeignKey(CircleNote, on_delete=models.CASCADE, related_name="reflections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("private reflection"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "author"], name="circle_reflection_once")]

    def __str__(self) -> str:
        # Never the text: this string can end up in admin, logs and error reports.
        return f"Private reflection by user {self.author_id} on circle note {self.note_id}"


class CircleActionItem(models.Model):
    """Something one member takes away from a session (members see each other's)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="action_items")
    session = models.ForeignKey(CircleSession, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="action_items")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("who"))
    text = models.CharField(_("action"), max_length=300)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "id"]

    def __str__(self) -> str:
        return f"Action item {self.pk} of circle {self.circle_id}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class CircleMessage(models.Model):
    """One message to one person about one circle session: the idempotency key of every e-mail the
    circles app sends (calendar notices, reminders, the after-session survey).

    ``sequence`` is the session's calendar sequence for notices, the lead time in hours for
    reminders and 0 for the survey; ``starts_at`` ties a reminder to the start it was computed for.
    """

    class Kind(models.TextChoices):
        REQUEST = "request", _("Calendar invitation")
        CANCEL = "cancel", _("Calendar cancellation")
        REMINDER = "reminder", _("Reminder")
        SURVEY = "survey", _("After-session survey")

    session = models.ForeignKey(CircleSession, on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    sequence = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "recipient", "kind", "sequence", "starts_at"],
                                    name="circle_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.sequence} of circle session {self.session_id} to user {self.recipient_id}"


class CircleFeedback(models.Model):
    """A member's answer to the short after-session survey (one per person and session)."""

    session = models.ForeignKey(CircleSession, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("how useful was it (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="circle_feedback_once"),
            models.CheckConstraint(name="circle_feedback_rating_1_5",
                                   condition=Q(rating__gte=1, rating__lte=5)),
        ]

    def __str__(self) -> str:
        return f"Feedback of user {self.user_id} on circle session {self.session_id}"
