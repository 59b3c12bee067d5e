"""Sessions of a pair: booking, calendar notices and the two-way session log.

Times are stored in UTC. A meeting is *proposed* (one to three candidate slots, no time yet),
then *confirmed* at one time, and afterwards *held* or a *no-show*; it can be *cancelled* at
any point before. Who did what is kept in :class:`MeetingEvent` with the actor's role at the
time, so the evaluation dashboard can count cancellations and reschedules by role.

Private reflections are readable by their author only: they never appear in ``__str__``,
admin, e-mails, logs or exports.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pairing.models import Enrollment, Pair
from programs.models import ProgramTopic, Topic

# The exclusion constraint added by migration 0002 on PostgreSQL (see meetings.services).
NO_OVERLAP_CONSTRAINT = "meeting_attendance_no_overlap"


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class Meeting(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    # Statuses in which both people's time is taken.
    BOOKED = (Status.CONFIRMED, Status.HELD, Status.NO_SHOW)

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    mode = models.CharField(_("how you meet"), max_length=10, choices=Mode.choices, default=Mode.VIDEO)
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    cancel_reason = models.TextField(_("reason"), max_length=1000, blank=True)
    ics_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The session's topic from the program's menu: its agenda and kit go into the invitation,
    # the reminder, the calendar event and the session page (issue 18 item 1).
    topic = models.ForeignKey(ProgramTopic, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("topic"))

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_start",
                condition=Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(
                name="meeting_booked_has_time",
                condition=Q(status__in=["proposed", "cancelled"]) | Q(starts_at__isnull=False)),
        ]

    def __str__(self) -> str:
        when = f"{self.starts_at:%Y-%m-%d %H:%M} UTC" if self.starts_at else "time not set"
        return f"Session {self.pk} of pair {self.pair_id} ({self.status}, {when})"

    @property
    def ics_uid_value(self) -> str:
        return f"{self.ics_uid}@flipside"

    @property
    def minutes(self) -> int | None:
        if self.starts_at and self.ends_at:
            return int((self.ends_at - self.starts_at).total_seconds() // 60)
        return None

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    def has_started(self, now=None) -> bool:
        return bool(self.starts_at and self.starts_at <= (now or timezone.now()))

    def is_upcoming(self, now=None) -> bool:
        return self.status == self.Status.CONFIRMED and not self.has_started(now)

    def can_be_logged(self, now=None) -> bool:
        """Held sessions, and confirmed ones that have started (logging marks them held)."""
        return self.status == self.Status.HELD or (
            self.status == self.Status.CONFIRMED and self.has_started(now))

    def needs_outcome(self, now=None) -> bool:
        return self.status == self.Status.CONFIRMED and self.has_started(now)


class ProposedSlot(models.Model):
    """One of up to three candidate times offered in a proposal."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="slot_ends_after_start",
                                   condition=Q(ends_at__gt=models.F("starts_at"))),
            models.UniqueConstraint(fields=["meeting", "starts_at"], name="slot_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"Slot {self.starts_at:%Y-%m-%d %H:%M} UTC for session {self.meeting_id}"


class MeetingEvent(models.Model):
    """Who did what to a meeting, with their role at the time (the dashboard counts these)."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("Proposed times")
        CONFIRMED = "confirmed", _("Confirmed a proposed time")
        BOOKED = "booked", _("Booked directly")
        DECLINED = "declined", _("Closed a proposal without a time")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        UPDATED = "updated", _("Changed the place or link")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Marked as held")
        NO_SHOW = "no_show", _("Marked as no-show")
        # A recurring slot (meetings.series): an instance put in place when the pair agreed the
        # series, and an instance dropped because the pair ended the series (neither is a choice
        # about one session, so neither counts for the commitment guard).
        SCHEDULED = "scheduled", _("Scheduled by the recurring slot")
        SERIES_ENDED = "series_ended", _("Dropped: the recurring slot ended")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_role = models.CharField(max_length=6, choices=Role.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.TextField(blank=True, max_length=1000)
    old_starts_at = models.DateTimeField(null=True, blank=True)
    new_starts_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "actor_role"], name="meeting_event_kind_role")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_role} on session {self.meeting_id}"


class MeetingAttendance(models.Model):
    """One row per attendee; on PostgreSQL an exclusion constraint forbids overlapping active rows.

    ``active`` is true while the meeting is booked (confirmed, held or no-show).
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once_per_meeting"),
            models.CheckConstraint(name="attendance_ends_after_start",
                                   condition=Q(ends_at__gt=models.F("starts_at"))),
        ]
        indexes = [models.Index(fields=["user", "starts_at"], name="attendance_user_start")]

    def __str__(self) -> str:
        return f"User {self.user_id} at session {self.meeting_id}"


class SessionLog(models.Model):
    """What a held session covered, written by either side (both add to the same log)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="log")
    topics_by_mentor = models.ManyToManyField(Topic, blank=True, related_name="+",
                                              verbose_name=_("what the mentor taught"))
    topics_by_mentee = models.ManyToManyField(Topic, blank=True, related_name="+",
                                              verbose_name=_("what the mentee taught"))
    shared_summary = models.TextField(_("shared summary"), max_length=5000, blank=True)
    # Rises on every summary edit so two people editing at once do not overwrite each other.
    summary_revision = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Log of session {self.meeting_id}"


class PrivateReflection(models.Model):
    """A note only its author can ever read."""

    log = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="reflections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("private reflection"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "author"], name="reflection_once_per_author")]

    def __str__(self) -> str:
        # Never the text: this string can end up in admin, logs and error reports.
        return f"Private reflection by user {self.author_id} on log {self.log_id}"


class ActionItem(models.Model):
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="action_items")
    log = models.ForeignKey(SessionLog, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="action_items")
    text = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("who"))
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return f"Action item {self.pk} of pair {self.pair_id}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class GoalProgress(models.Model):
    """One person's note on their personal goals after a session (shared with the partner)."""

    log = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="goal_progress")
    author = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(_("progress on my goals"), max_length=2000, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("how far along (1–5)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["log", "author"], name="goal_progress_once_per_author"),
            models.CheckConstraint(name="goal_progress_rating_1_5",
                                   condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5)),
        ]

    def __str__(self) -> str:
        return f"Goal progress of enrolment {self.author_id} on log {self.log_id}"


class MeetingNotice(models.Model):
    """One calendar notice to one person about one change; its message goes through the outbox
    (``notifications``, kind "meeting-notice", ``ref_id`` = this row), which claims it before sending."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("Times proposed")
        DECLINED = "declined", _("Proposal closed")
        REQUEST = "request", _("Calendar invitation")
        CANCEL = "cancel", _("Calendar cancellation")

    class Change(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DECLINED = "declined", _("Declined")
        CONFIRMED = "confirmed", _("Confirmed")
        BOOKED = "booked", _("Booked")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        UPDATED = "updated", _("Place or link changed")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    change = models.CharField(max_length=12, choices=Change.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "recipient", "sequence", "kind"], name="notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.sequence} for session {self.meeting_id} to user {self.recipient_id}"

    @property
    def method(self) -> str | None:
        """The iCalendar METHOD of the attachment, or None for plain e-mails."""
        return {self.Kind.REQUEST: "REQUEST", self.Kind.CANCEL: "CANCEL"}.get(self.kind)


class MeetingReminder(models.Model):
    """One reminder to one person, ``lead_hours`` before the start it was computed for.

    The row is the reminder's idempotency key (a second tick inserts nothing); its message goes
    through the outbox (kind "meeting-reminder", ``ref_id`` = this row), handed over once
    (``sent_at``). ``starts_at`` is part of the key: moving a session leaves the old rows behind
    (skipped when their turn comes) and the new start gets fresh ones. A lead time that is not
    sent at all (superseded by a later one, or the session was booked inside it) is recorded with
    ``skipped_reason`` and gets no message.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lead_hours = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the reminder was handed to the outbox (its message is then claimed before sending).
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    skipped_at = models.DateTimeField(null=True, blank=True, editable=False)
    skipped_reason = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recipient", "lead_hours", "starts_at"], name="meetings_reminder_once"
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True, skipped_at__isnull=True),
                         name="meetings_reminder_pending"),
            models.Index(fields=["starts_at"], name="meetings_reminder_start"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_hours} h reminder of session {self.meeting_id} to user {self.recipient_id}"


class Nudge(models.Model):
    """A friendly nudge to one member of a quiet pair, or an escalation to one program lead.

    ``period`` is the day the silence started (the last session, or the pair's start), so there is
    one nudge and one escalation per silence; a new session starts a new period.
    """

    class Kind(models.TextChoices):
        NUDGE = "nudge", _("Nudge")
        ESCALATION = "escalation", _("Escalation to the program lead")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="nudges")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the nudge was handed to the outbox (kinds "nudge" and "escalation"), or why it was not.
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    skipped_at = models.DateTimeField(null=True, blank=True, editable=False)
    skipped_reason = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "recipient", "kind", "period"],
                                    name="meetings_nudge_once"),
        ]
        indexes = [models.Index(fields=["id"], condition=Q(sent_at__isnull=True, skipped_at__isnull=True),
                                name="meetings_nudge_pending")]

    def __str__(self) -> str:
        return f"{self.kind} for pair {self.pair_id} to user {self.recipient_id} ({self.period})"


class CalendarFeed(models.Model):
    """The version of a person's private calendar-feed link; bumping it revokes old links."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="calendar_feed")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed v{self.version} of user {self.user_id}"


# --- Recurring slots and the commitment guard (issue 18, item 2) ------------------------------


class MeetingSeries(models.Model):
    """A protected recurring slot a pair agreed: every ``interval_weeks`` weeks at ``start_time`` in
    ``zone`` (the proposer's zone, so the wall-clock time holds across daylight-saving changes),
    from ``first_day`` up to ``until``. One side proposes, the other accepts; every instance is then
    a confirmed :class:`Meeting` linked by :class:`SeriesOccurrence` (see meetings.series)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Agreed")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="series")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    zone = models.CharField(_("time zone"), max_length=64)
    first_day = models.DateField(_("first session"))
    start_time = models.TimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    interval_weeks = models.PositiveSmallIntegerField(
        _("every (weeks)"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    until = models.DateField(_("last possible day"))
    mode = models.CharField(_("how you meet"), max_length=10, choices=Meeting.Mode.choices,
                            default=Meeting.Mode.VIDEO)
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    ics_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open series per pair: a second proposal waits until the first is answered or ended.
            models.UniqueConstraint(fields=["pair"], condition=Q(status__in=["proposed", "active"]),
                                    name="series_one_open_per_pair"),
            models.CheckConstraint(name="series_interval_1_4",
                                   condition=Q(interval_weeks__gte=1, interval_weeks__lte=4)),
            models.CheckConstraint(name="series_until_after_first",
                                   condition=Q(until__gte=models.F("first_day"))),
        ]

    def __str__(self) -> str:
        return f"Series {self.pk} of pair {self.pair_id} ({self.status})"

    @property
    def ics_uid_value(self) -> str:
        return f"series-{self.ics_uid}@flipside"


class SeriesOccurrence(models.Model):
    """One instance of a series: its meeting and its original start (the iCalendar RECURRENCE-ID,
    which stays the same when the instance is moved)."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="occurrences")
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="series_occurrence")
    recurrence_id = models.DateTimeField()

    class Meta:
        ordering = ["recurrence_id"]
        constraints = [models.UniqueConstraint(fields=["series", "recurrence_id"], name="occurrence_once")]

    def __str__(self) -> str:
        return f"Occurrence {self.recurrence_id:%Y-%m-%d %H:%M} UTC of series {self.series_id}"


class SeriesNotice(models.Model):
    """One e-mail about a whole series to one person (the proposal, its answer, the calendar
    invitation with its RRULE, an update or a cancellation); sent through the outbox (kind
    "series-notice", ``ref_id`` = this row)."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("Recurring slot proposed")
        DECLINED = "declined", _("Recurring slot declined")
        REQUEST = "request", _("Calendar invitation for the series")
        CANCEL = "cancel", _("Calendar cancellation for the series")

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["series", "recipient", "sequence", "kind"],
                                               name="series_notice_once")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.sequence} for series {self.series_id} to user {self.recipient_id}"


class CommitmentAlert(models.Model):
    """One message of the commitment guard (meetings.commitment): a reminder to the mentee to agree
    a new time, or a note to the sponsor or a program lead. Unique per pair, kind, trigger and
    address: the row is the idempotency key, so no tick ever sends one twice."""

    class Kind(models.TextChoices):
        REBOOK_NUDGE = "rebook_nudge", _("Reminder to agree a new time")
        REBOOK_OVERDUE = "rebook_overdue", _("No new time agreed")
        CANCELLATIONS = "cancellations", _("Repeated cancellations")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="commitment_alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What fired it: "cancel:<event id>" for a cancellation waiting for a new time, "<side>:<count>"
    # for the n-th cancellation by one side.
    trigger = models.CharField(max_length=40)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["pair", "kind", "trigger", "email"],
                                               name="commitment_alert_once")]
        indexes = [models.Index(fields=["id"], condition=Q(sent_at__isnull=True),
                                name="commitment_alert_pending")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.trigger}) for pair {self.pair_id}"
