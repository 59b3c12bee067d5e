"""Every change to meetings and session logs goes through one of these functions.

Each runs in one transaction: either everything is saved (the meeting, both attendees' time,
the history event and the e-mail notices) or nothing is. Bad input raises ValidationError with
a message a person can act on; keys name the input that is wrong (``starts_at``, ``slot_0`` …,
``reason``) so forms can show it next to the field.

No double booking: each attendee's time is a MeetingAttendance row. On PostgreSQL an exclusion
constraint (migration 0002) makes overlapping active rows impossible even for concurrent
requests; the check done here first only gives the friendly message. On SQLite the embedded
settings begin transactions IMMEDIATE, which serialises writers, so the check is race-free.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dates import show_date
from meetings import hours, notices, slots
from meetings.formatting import clock
from meetings.models import (
    NO_OVERLAP_CONSTRAINT,
    ActionItem,
    CalendarFeed,
    GoalProgress,
    Meeting,
    MeetingAttendance,
    MeetingEvent,
    MeetingNotice,
    PrivateReflection,
    ProposedSlot,
    SessionLog,
)
from meetings.selectors import availability_of
from meetings.topics import topic_problems
from pairing.models import Pair

log = logging.getLogger(__name__)

MAX_SLOTS = 3
MAX_MINUTES = 180
STEP_MINUTES = 15
BOOKABLE_PAIR_STATUSES = (Pair.Status.ACTIVE,)


# --- small rules ---------------------------------------------------------------------------


def allowed_lengths(program) -> list[int]:
    """Session lengths on offer: the program's length, then longer in 15-minute steps up to 3 h."""
    base = program.session_minutes
    longer = [m for m in range(STEP_MINUTES, MAX_MINUTES + 1, STEP_MINUTES) if m > base]
    return [base, *longer]


def allowed_modes(program) -> list[str]:
    if program.meeting_modes == "in_person":
        return [Meeting.Mode.IN_PERSON]
    if program.meeting_modes == "video":
        return [Meeting.Mode.VIDEO]
    return [Meeting.Mode.VIDEO, Meeting.Mode.IN_PERSON]


_https = URLValidator(schemes=["https"])


def _member(pair: Pair, user, *, active: bool = True) -> str:
    role = pair.side_of(user)
    if role is None:
        raise PermissionDenied
    if active and pair.status not in BOOKABLE_PAIR_STATUSES:
        raise ValidationError(_("This pair is no longer active, so its sessions can't be changed."))
    return role


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- validating a time ---------------------------------------------------------------------


def _overlap_message(*, pair: Pair, actor, start: datetime, end: datetime,
                     exclude_meeting_id: int | None) -> str | None:
    users = [pair.mentor.user, pair.mentee.user]
    clashes = list(MeetingAttendance.objects
                   .filter(user__in=users, active=True, starts_at__lt=end, ends_at__gt=start)
                   .exclude(meeting_id=exclude_meeting_id)
                   .select_related("user", "meeting").order_by("starts_at")[:4])
    if not clashes:
        return None
    # Say it from the reader's side: a session of this pair first, then their own, then the partner's.
    clash = min(clashes, key=lambda c: (c.meeting.pair_id != pair.pk, c.user_id != actor.pk))
    times = {"start": clock(clash.starts_at, actor.zone), "end": clock(clash.ends_at, actor.zone)}
    if clash.meeting.pair_id == pair.pk:
        return _("You two already have a session from %(start)s to %(end)s (your time) that overlaps "
                 "this one.") % times
    if clash.user_id == actor.pk:
        return _("You already have a session from %(start)s to %(end)s (your time) that overlaps "
                 "this one.") % times
    return _("%(name)s already has a session from %(start)s to %(end)s (your time) that overlaps "
             "this one.") % {**times, "name": clash.user.first_name}


def slot_problems(*, pair: Pair, actor, start: datetime, end: datetime, now: datetime | None = None,
                  exclude_meeting_id: int | None = None) -> list[str]:
    """Why a time can't be booked for this pair (empty when it can)."""
    now = _now(now)
    program = pair.program
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("slot times must be timezone-aware")
    if start <= now:
        return [_("That time is in the past. Pick a time from now on.")]
    minutes = (end - start).total_seconds() / 60
    if minutes < program.session_minutes:
        return [_("Sessions in this program last at least %(n)s minutes.") % {"n": program.session_minutes}]
    if int(minutes) != minutes or int(minutes) not in allowed_lengths(program):
        if minutes > MAX_MINUTES and program.session_minutes <= MAX_MINUTES:
            return [_("A session lasts at most 3 hours.")]
        return [_("Choose a length of %(lengths)s minutes.") % {
            "lengths": ", ".join(str(m) for m in allowed_lengths(program))}]
    local_start = start.astimezone(actor.zone).date()
    local_end = (end - timedelta(microseconds=1)).astimezone(actor.zone).date()
    if (program.starts_on and local_start < program.starts_on) or (
            program.ends_on and local_end > program.ends_on):
        return [_dates_message(program)]
    clash = _overlap_message(pair=pair, actor=actor, start=start, end=end,
                             exclude_meeting_id=exclude_meeting_id)
    return [clash] if clash else []


def _dates_message(program) -> str:
    def day(value) -> str:
        return show_date(value)

    if program.starts_on and program.ends_on:
        return _("The program runs from %(start)s to %(end)s; pick a day inside it.") % {
            "start": day(program.starts_on), "end": day(program.ends_on)}
    if program.starts_on:
        return _("The program starts on %(start)s; pick a day from then on.") % {
            "start": day(program.starts_on)}
    return _("The program ends on %(end)s; pick a day before then.") % {"end": day(program.ends_on)}


def place_problems(program, *, mode: str, location: str, video_link: str) -> dict[str, str]:
    """What is wrong with how and where a session happens, by field (empty when all is well)."""
    errors: dict[str, str] = {}
    if mode not in allowed_modes(program):
        errors["mode"] = (_("This program meets in person.") if program.meeting_modes == "in_person"
                          else _("This program meets by video call."))
    elif mode == Meeting.Mode.VIDEO and video_link:
        # No link yet is fine (it can follow by e-mail); a link that would not open is not.
        try:
            _https(video_link)
        except ValidationError:
            errors["video_link"] = _("That is not a valid link. Use a full https:// address, for "
                                     "example https://meet.example.com/abc-defg.")
    elif mode == Meeting.Mode.IN_PERSON and not location.strip():
        errors["location"] = _("Say where you will meet (a room, a café, a floor).")
    return errors


# --- booking your time ---------------------------------------------------------------------


def _take_time(meeting: Meeting, *, actor) -> None:
    """Reserve the meeting's time for both attendees; the exclusion constraint has the last word."""
    pair = meeting.pair
    try:
        with transaction.atomic():
            # Always in user-id order, so two bookings sharing both people cannot deadlock.
            for user in sorted((pair.mentor.user, pair.mentee.user), key=lambda u: u.pk):
                MeetingAttendance.objects.update_or_create(
                    meeting=meeting, user=user,
                    defaults={"starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "active": True})
    except IntegrityError as exc:
        if NO_OVERLAP_CONSTRAINT not in str(exc):
            raise
        # Another request booked an overlapping session between our check and our insert.
        message = _overlap_message(pair=pair, actor=actor, start=meeting.starts_at, end=meeting.ends_at,
                                   exclude_meeting_id=meeting.pk)
        raise ValidationError({"starts_at": message or _(
            "Someone booked an overlapping session a moment ago. Pick another time.")}) from None


def _release_time(meeting: Meeting) -> None:
    MeetingAttendance.objects.filter(meeting=meeting).update(active=False)


def _event(meeting: Meeting, *, actor, role: str, kind: str, reason: str = "", old: datetime | None = None,
           new: datetime | None = None, at: datetime | None = None) -> MeetingEvent:
    event = MeetingEvent(meeting=meeting, actor=actor, actor_role=role, kind=kind, reason=reason,
                         old_starts_at=old, new_starts_at=new, at=_now(at))
    event.full_clean()
    event.save()
    return event


# Off inside notices_not_queued(): the rows are still written, nothing is sent for them.
_queue_notices: ContextVar[bool] = ContextVar("queue_meeting_notices", default=True)


@contextmanager
def notices_not_queued() -> Iterator[None]:
    """Write notices without queueing their messages: the demo seed books past sessions (history
    nobody is e-mailed about)."""
    token = _queue_notices.set(False)
    try:
        yield
    finally:
        _queue_notices.reset(token)


def notices_queued() -> bool:
    """False inside notices_not_queued() (other notice writers, e.g. meetings.series, honour it too)."""
    return _queue_notices.get()


def _notify(meeting: Meeting, *, kind: str, change: str, recipients) -> list[int]:
    return notices.meeting_notices_queue(meeting, kind=kind, change=change, recipients=recipients,
                                         queue=_queue_notices.get())


def _locked(meeting: Meeting) -> Meeting:
    """Re-read the meeting under a row lock so two changes to it cannot interleave."""
    return (Meeting.objects.select_for_update(of=("self",))
            .select_related("pair__program", "pair__mentor__user", "pair__mentee__user")
            .get(pk=meeting.pk))


@transaction.atomic
def meeting_propose(*, pair: Pair, proposer, slots_utc: Sequence[tuple[datetime, datetime]], mode: str,
                    location: str = "", video_link: str = "", now: datetime | None = None,
                    topic=None, hours_confirmed: bool | str = False) -> Meeting:
    """Offer one to three times; the partner confirms one of them.

    ``topic``: an entry of the program's topic menu (optional). ``hours_confirmed``: the proposer
    saw the out-of-hours warning (see meetings.hours) and sends anyway.
    """
    role = _member(pair, proposer)
    now = _now(now)
    errors: dict[str, list[str]] = {}
    if not slots_utc:
        raise ValidationError({"slots": _("Offer at least one time.")})
    if len(slots_utc) > MAX_SLOTS:
        raise ValidationError({"slots": _("Offer at most three times.")})
    seen: list[tuple[datetime, datetime]] = []
    for index, (start, end) in enumerate(slots_utc):
        problems = slot_problems(pair=pair, actor=proposer, start=start, end=end, now=now)
        if not problems and slots.overlaps(start, end, seen):
            problems = [_("This time overlaps another time you are offering.")]
        if problems:
            errors[f"slot_{index}"] = problems
        seen.append((start, end))
    errors.update({k: [v] for k, v in place_problems(pair.program, mode=mode, location=location,
                                                   video_link=video_link).items()})
    errors.update(topic_problems(pair, topic))
    if not errors:
        errors.update(hours.problems(pair=pair, actor=proposer, times=slots_utc, confirmed=hours_confirmed,
                                     keys=[f"slot_{i}" for i in range(len(slots_utc))]))
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(pair=pair, mode=mode, location=location.strip(),
                      video_link=video_link if mode == Meeting.Mode.VIDEO else "",
                      status=Meeting.Status.PROPOSED, proposed_by=proposer, topic=topic)
    meeting.full_clean()
    meeting.save()
    for start, end in slots_utc:
        slot = ProposedSlot(meeting=meeting, starts_at=start, ends_at=end)
        slot.full_clean()
        slot.save()
    _event(meeting, actor=proposer, role=role, kind=MeetingEvent.Kind.PROPOSED, at=now)
    _notify(meeting, kind=MeetingNotice.Kind.PROPOSED, change=MeetingNotice.Change.PROPOSED,
            recipients=[pair.partner_of(proposer)])
    log.info("meeting %s proposed by user %s with %s slots", meeting.pk, proposer.pk, len(slots_utc))
    return meeting


@transaction.atomic
def meeting_confirm(*, meeting: Meeting, user, slot_id: int, now: datetime | None = None) -> Meeting:
    """The partner picks one of the proposed times; both get a calendar invitation."""
    meeting = _locked(meeting)
    role = _member(meeting.pair, user)
    if meeting.status != Meeting.Status.PROPOSED:
        raise ValidationError(_("This proposal has already been answered."))
    if meeting.proposed_by_id == user.pk:
        raise ValidationError(_("You proposed these times; %(name)s picks one.") % {
            "name": meeting.pair.partner_of(user).first_name})
    slot = meeting.slots.filter(pk=slot_id).first()
    if slot is None:
        raise ValidationError({"slot": _("Pick one of the proposed times.")})
    problems = slot_problems(pair=meeting.pair, actor=user, start=slot.starts_at, end=slot.ends_at, now=now)
    if problems:
        raise ValidationError({"slot": problems})
    meeting.starts_at, meeting.ends_at = slot.starts_at, slot.ends_at
    meeting.status, meeting.confirmed_by = Meeting.Status.CONFIRMED, user
    meeting.save(update_fields=["starts_at", "ends_at", "status", "confirmed_by", "updated_at"])
    _take_time(meeting, actor=user)
    _event(meeting, actor=user, role=role, kind=MeetingEvent.Kind.CONFIRMED, new=meeting.starts_at, at=now)
    _notify(meeting, kind=MeetingNotice.Kind.REQUEST, change=MeetingNotice.Change.CONFIRMED,
            recipients=[meeting.pair.mentor.user, meeting.pair.mentee.user])
    log.info("meeting %s confirmed by user %s", meeting.pk, user.pk)
    return meeting


@transaction.atomic
def meeting_book(*, pair: Pair, booker, starts_at: datetime, ends_at: datetime, mode: str,
                 location: str = "", video_link: str = "", now: datetime | None = None,
                 topic=None, hours_confirmed: bool | str = False) -> Meeting:
    """Book straight into the partner's published availability: confirmed at once."""
    role = _member(pair, booker)
    partner = pair.partner_of(booker)
    errors: dict[str, list[str]] = {}
    problems = slot_problems(pair=pair, actor=booker, start=starts_at, end=ends_at, now=now)
    if not problems:
        calendar = availability_of(partner)
        if calendar is None:
            problems = [_("%(name)s has not published any availability yet. Propose times instead.")
                        % {"name": partner.first_name}]
        elif not slots.fits_calendar(starts_at, ends_at, calendar):
            problems = [_("That time is outside %(name)s's published availability. Pick one of the open "
                          "times, or propose times instead.") % {"name": partner.first_name}]
    if problems:
        errors["starts_at"] = problems
    errors.update({k: [v] for k, v in place_problems(pair.program, mode=mode, location=location,
                                                   video_link=video_link).items()})
    errors.update(topic_problems(pair, topic))
    if not errors:
        errors.update(hours.problems(pair=pair, actor=booker, times=[(starts_at, ends_at)],
                                     keys=["starts_at"], confirmed=hours_confirmed))
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(pair=pair, starts_at=starts_at, ends_at=ends_at, mode=mode, location=location.strip(),
                      video_link=video_link if mode == Meeting.Mode.VIDEO else "",
                      status=Meeting.Status.CONFIRMED, proposed_by=booker, confirmed_by=booker, topic=topic)
    meeting.full_clean()
    meeting.save()
    _take_time(meeting, actor=booker)
    _event(meeting, actor=booker, role=role, kind=MeetingEvent.Kind.BOOKED, new=starts_at, at=now)
    _notify(meeting, kind=MeetingNotice.Kind.REQUEST, change=MeetingNotice.Change.BOOKED,
            recipients=[pair.mentor.user, pair.mentee.user])
    log.info("meeting %s booked by user %s", meeting.pk, booker.pk)
    return meeting


@transaction.atomic
def meeting_decline(*, meeting: Meeting, user, reason: str = "") -> Meeting:
    """Close a proposal without a time (the proposer withdraws it, or none of the times work)."""
    meeting = _locked(meeting)
    role = _member(meeting.pair, user, active=False)
    if meeting.status != Meeting.Status.PROPOSED:
        raise ValidationError(_("This proposal has already been answered."))
    meeting.status, meeting.cancelled_by = Meeting.Status.CANCELLED, user
    meeting.cancel_reason = reason.strip()
    meeting.save(update_fields=["status", "cancelled_by", "cancel_reason", "updated_at"])
    _event(meeting, actor=user, role=role, kind=MeetingEvent.Kind.DECLINED, reason=reason.strip())
    _notify(meeting, kind=MeetingNotice.Kind.DECLINED, change=MeetingNotice.Change.DECLINED,
            recipients=[meeting.pair.partner_of(user)])
    log.info("proposal %s closed by user %s", meeting.pk, user.pk)
    return meeting


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, user, starts_at: datetime, ends_at: datetime, reason: str,
                       now: datetime | None = None, hours_confirmed: bool | str = False) -> Meeting:
    """Move a confirmed future session (not within the program's cut-off); same calendar event."""
    meeting = _locked(meeting)
    role = _member(meeting.pair, user)
    now = _now(now)
    program = meeting.pair.program
    if meeting.status != Meeting.Status.CONFIRMED or meeting.has_started(now):
        raise ValidationError(_("Only a confirmed session that has not started can be moved."))
    cutoff = timedelta(hours=program.reschedule_cutoff_hours)
    if now > meeting.starts_at - cutoff:
        raise ValidationError(_("Sessions can't be moved within %(n)s hours of the start. Keep it, or "
                                "cancel it with a reason.") % {"n": program.reschedule_cutoff_hours})
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why you are moving the session; %(name)s will see it.") % {
            "name": meeting.pair.partner_of(user).first_name}]
    if starts_at == meeting.starts_at and ends_at == meeting.ends_at:
        errors["starts_at"] = [_("That is the session's current time. Pick a new one.")]
    else:
        problems = slot_problems(pair=meeting.pair, actor=user, start=starts_at, end=ends_at, now=now,
                                 exclude_meeting_id=meeting.pk)
        if problems:
            errors["starts_at"] = problems
    if not errors:
        errors.update(hours.problems(pair=meeting.pair, actor=user, times=[(starts_at, ends_at)],
                                     keys=["starts_at"], confirmed=hours_confirmed))
    if errors:
        raise ValidationError(errors)
    old = meeting.starts_at
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.ics_sequence += 1
    meeting.save(update_fields=["starts_at", "ends_at", "ics_sequence", "updated_at"])
    _take_time(meeting, actor=user)
    _event(meeting, actor=user, role=role, kind=MeetingEvent.Kind.RESCHEDULED, reason=reason.strip(),
           old=old, new=starts_at, at=now)
    _notify(meeting, kind=MeetingNotice.Kind.REQUEST, change=MeetingNotice.Change.RESCHEDULED,
            recipients=[meeting.pair.mentor.user, meeting.pair.mentee.user])
    log.info("meeting %s rescheduled by user %s", meeting.pk, user.pk)
    return meeting


@transaction.atomic
def meeting_update_place(*, meeting: Meeting, user, mode: str, location: str = "", video_link: str = "",
                         now: datetime | None = None) -> Meeting:
    """Change how or where a proposed or upcoming session happens; a booked one gets an updated
    invitation (same event, next sequence)."""
    meeting = _locked(meeting)
    role = _member(meeting.pair, user)
    if not (meeting.status == Meeting.Status.PROPOSED or meeting.is_upcoming(_now(now))):
        raise ValidationError(_("Only a proposed or upcoming session can be changed."))
    errors = place_problems(meeting.pair.program, mode=mode, location=location, video_link=video_link)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    location, video_link = location.strip(), (video_link.strip() if mode == Meeting.Mode.VIDEO else "")
    if (meeting.mode, meeting.location, meeting.video_link) == (mode, location, video_link):
        return meeting
    meeting.mode, meeting.location, meeting.video_link = mode, location, video_link
    if meeting.status == Meeting.Status.CONFIRMED:
        meeting.ics_sequence += 1
    meeting.save(update_fields=["mode", "location", "video_link", "ics_sequence", "updated_at"])
    _event(meeting, actor=user, role=role, kind=MeetingEvent.Kind.UPDATED, at=now)
    if meeting.status == Meeting.Status.CONFIRMED:
        _notify(meeting, kind=MeetingNotice.Kind.REQUEST, change=MeetingNotice.Change.UPDATED,
                recipients=[meeting.pair.mentor.user, meeting.pair.mentee.user])
    log.info("meeting %s place changed by user %s", meeting.pk, user.pk)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user, reason: str, now: datetime | None = None) -> Meeting:
    """Cancel a confirmed session that has not started; both calendars drop the event."""
    meeting = _locked(meeting)
    role = _member(meeting.pair, user, active=False)
    if meeting.status != Meeting.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed session can be cancelled."))
    if meeting.has_started(_now(now)):
        raise ValidationError(_("This session has already started. Mark it as held or as a no-show instead."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you are cancelling; %(name)s will see it.") % {
            "name": meeting.pair.partner_of(user).first_name}})
    meeting.status, meeting.cancelled_by = Meeting.Status.CANCELLED, user
    meeting.cancel_reason = reason.strip()
    meeting.ics_sequence += 1
    meeting.save(update_fields=["status", "cancelled_by", "cancel_reason", "ics_sequence", "updated_at"])
    _release_time(meeting)
    _event(meeting, actor=user, role=role, kind=MeetingEvent.Kind.CANCELLED, reason=reason.strip(),
           old=meeting.starts_at, at=now)
    _notify(meeting, kind=MeetingNotice.Kind.CANCEL, change=MeetingNotice.Change.CANCELLED,
            recipients=[meeting.pair.mentor.user, meeting.pair.mentee.user])
    log.info("meeting %s cancelled by user %s", meeting.pk, user.pk)
    return meeting


@transaction.atomic
def meeting_mark(*, meeting: Meeting, user, outcome: str, now: datetime | None = None) -> Meeting:
    """After the start: the session was held, or one of you did not come (a no-show)."""
    meeting = _locked(meeting)
    role = _member(meeting.pair, user, active=False)
    if outcome not in (Meeting.Status.HELD, Meeting.Status.NO_SHOW):
        raise ValidationError({"outcome": _("Choose held or no-show.")})
    if meeting.status == outcome:
        return meeting
    if meeting.status == Meeting.Status.HELD and hasattr(meeting, "log"):
        raise ValidationError(_("This session has a log, so it was held."))
    if meeting.status not in (Meeting.Status.CONFIRMED, Meeting.Status.HELD, Meeting.Status.NO_SHOW):
        raise ValidationError(_("Only a confirmed session can be marked as held or no-show."))
    if not meeting.has_started(_now(now)):
        raise ValidationError(_("You can mark the session once it has started."))
    meeting.status = outcome
    meeting.save(update_fields=["status", "updated_at"])
    kind = MeetingEvent.Kind.HELD if outcome == Meeting.Status.HELD else MeetingEvent.Kind.NO_SHOW
    _event(meeting, actor=user, role=role, kind=kind, at=now)
    log.info("meeting %s marked %s by user %s", meeting.pk, outcome, user.pk)
    return meeting


# --- the session log -----------------------------------------------------------------------


class SummaryConflict(ValidationError):
    """The partner changed the shared summary since the author started editing it (the one clash a
    form cannot see). Carries their version so the page can show it in the box."""

    def __init__(self, session_log: SessionLog) -> None:
        self.summary = session_log.shared_summary
        self.revision = session_log.summary_revision
        editor = session_log.updated_by.first_name if session_log.updated_by else _("Your partner")
        super().__init__(
            _("%(name)s changed the shared summary while you were writing. Their version is in the box "
              "now and yours is below it: combine them and save again.") % {"name": editor},
            code="summary_conflict")


@transaction.atomic
def session_log_save(
    *,
    meeting: Meeting,
    author,
    topics: Sequence | None = None,
    shared_summary: str | None = None,
    summary_revision: int | None = None,
    reflection: str | None = None,
    goal_note: str | None = None,
    goal_rating: int | None = None,
    action_items: Sequence[tuple[str, object, date | None]] = (),
    now: datetime | None = None,
) -> SessionLog:
    """Add one person's part to a session's log (both people write to the same log).

    ``topics`` are what the author taught (their own direction). ``shared_summary`` is edited by
    either person; ``summary_revision`` is the revision the author started from, so an edit made
    meanwhile by the partner is never overwritten silently. ``reflection`` is private to the
    author; an empty one deletes theirs. ``None`` leaves a part unchanged.
    """
    meeting = _locked(meeting)
    role = _member(meeting.pair, author, active=False)
    now = _now(now)
    if not meeting.can_be_logged(now):
        if meeting.status == Meeting.Status.CONFIRMED:
            raise ValidationError(_("You can log the session once it has started."))
        raise ValidationError(_("Only a session that was held can be logged."))
    if meeting.status == Meeting.Status.CONFIRMED:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])
        _event(meeting, actor=author, role=role, kind=MeetingEvent.Kind.HELD, at=now)
    session_log, _created = SessionLog.objects.get_or_create(meeting=meeting)
    session_log = SessionLog.objects.select_for_update().get(pk=session_log.pk)
    summary_changed = shared_summary is not None and shared_summary.strip() != session_log.shared_summary
    if summary_changed and summary_revision is not None and summary_revision != session_log.summary_revision:
        raise SummaryConflict(session_log)
    # The form checks these field by field; here they are the invariants, whoever calls.
    pair_users = {meeting.pair.mentor.user_id, meeting.pair.mentee.user_id}
    if any(owner is None or owner.pk not in pair_users or not text.strip()
           for text, owner, _due in action_items):
        raise ValidationError(_("An action item says what needs doing and belongs to one of you two."))
    if goal_rating is not None and not 1 <= goal_rating <= 5:
        raise ValidationError(_("Rate your goals from 1 to 5."))

    if topics is not None:
        field = session_log.topics_by_mentor if role == "mentor" else session_log.topics_by_mentee
        field.set(topics)
    if summary_changed:
        session_log.shared_summary = shared_summary.strip()
        session_log.summary_revision += 1
    session_log.updated_by = author
    session_log.full_clean()
    session_log.save()
    if reflection is not None:
        if reflection.strip():
            PrivateReflection.objects.update_or_create(log=session_log, author=author,
                                                       defaults={"text": reflection.strip()})
        else:
            PrivateReflection.objects.filter(log=session_log, author=author).delete()
    if goal_note is not None and (goal_note.strip() or goal_rating is not None):
        enrollment = meeting.pair.mentor if role == "mentor" else meeting.pair.mentee
        GoalProgress.objects.update_or_create(log=session_log, author=enrollment,
                                              defaults={"note": goal_note.strip(), "rating": goal_rating})
    for text, owner, due_on in action_items:
        item = ActionItem(pair=meeting.pair, log=session_log, text=text.strip(), owner=owner,
                          due_on=due_on, created_by=author)
        item.full_clean()
        item.save()
    log.info("session log of meeting %s updated by user %s", meeting.pk, author.pk)
    return session_log


@transaction.atomic
def action_item_set_done(*, item: ActionItem, user, done: bool) -> ActionItem:
    _member(item.pair, user, active=False)
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done_at"])
    return item


# --- the private calendar feed -------------------------------------------------------------


@transaction.atomic
def calendar_feed_revoke(*, user) -> CalendarFeed:
    """Invalidate every earlier feed link of this person; the new link carries the next version."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user, defaults={"version": 2})
    if not created:
        feed.version += 1
        feed.save(update_fields=["version"])
    log.info("calendar feed of user %s revoked (now version %s)", user.pk, feed.version)
    return feed
