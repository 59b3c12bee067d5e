"""Every change to circles, their sessions and notes goes through one of these functions.

Each runs in one transaction: the rows and the messages they cause are saved together or not at
all. Bad input raises ValidationError with a message a person can act on, keyed by the field.

Places: an RSVP locks its session's row (``select_for_update``) and counts, which gives the
friendly "full" message; the database has the last word through the CHECK constraint on
``CircleSession.going`` (``going <= places``), so even a path that skipped the check could not
confirm one person too many. On SQLite the embedded settings begin transactions IMMEDIATE, which
serialises writers the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from circles import messages
from circles.models import (
    LEARNING_MAX,
    LEARNING_MIN,
    MAX_PLACES,
    PLACES_CONSTRAINT,
    Circle,
    CircleActionItem,
    CircleFeedback,
    CircleMember,
    CircleMessage,
    CircleNote,
    CircleReflection,
    CircleRsvp,
    CircleSession,
)
from meetings.services import MAX_MINUTES, place_problems
from pairing.models import Enrollment

log = logging.getLogger(__name__)

MAX_ACTIONS = 5


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- circles (HR) -------------------------------------------------------------------------------


def composition_problems(*, program, kind: str, hosts: Sequence[Enrollment], members: Sequence[Enrollment],
                         places: int) -> dict[str, str]:
    """Why these people can't form this kind of circle in this program (empty when they can)."""
    errors: dict[str, str] = {}
    everyone = [*hosts, *members]
    if any(e.program_id != program.pk for e in everyone):
        errors["members"] = _("Everyone in a circle must be enrolled in its program.")
    elif any(e.status != Enrollment.Status.APPROVED for e in everyone):
        errors["members"] = _("Only approved participants can join a circle.")
    if not hosts:
        errors["hosts"] = _("Pick at least one host.")
    if {e.pk for e in hosts} & {e.pk for e in members}:
        errors["members"] = _("Someone can't be both a host and a member of the same circle.")
    if kind == Circle.Kind.PEER and any(not e.is_mentor for e in everyone):
        errors.setdefault("members", _("A mentor peer circle is for junior mentors only."))
    if kind == Circle.Kind.LEARNING:
        if any(not e.is_mentor for e in hosts):
            errors["hosts"] = _("A learning circle is hosted by a junior mentor.")
        if any(e.is_mentor for e in members):
            errors.setdefault("members", _("The members of a learning circle are senior mentees."))
        elif not LEARNING_MIN <= len(members) <= LEARNING_MAX:
            errors.setdefault("members", _("A learning circle has %(low)s to %(high)s seniors.") % {
                "low": LEARNING_MIN, "high": LEARNING_MAX})
        if places > LEARNING_MAX:
            errors["places"] = _("A learning circle takes at most %(n)s seniors.") % {"n": LEARNING_MAX}
    if len(members) > places:
        errors.setdefault("members", _("There are more members than places (%(n)s).") % {"n": places})
    if not 2 <= places <= MAX_PLACES:
        errors["places"] = _("A circle has 2 to %(n)s places.") % {"n": MAX_PLACES}
    return errors


@transaction.atomic
def circle_create(*, program, by, name: str, kind: str, hosts: Sequence[Enrollment],
                  members: Sequence[Enrollment] = (), purpose: str = "", places: int = 8,
                  cadence_weeks: int = 4, topics: Iterable = (), status: str = Circle.Status.ACTIVE,
                  explanation: str = "") -> Circle:
    """HR creates a circle (or stores the app's proposal as a draft) with its hosts and members."""
    errors = composition_problems(program=program, kind=kind, hosts=hosts, members=members, places=places)
    if not name.strip():
        errors["name"] = _("Give the circle a name.")
    if errors:
        raise ValidationError(errors)
    circle = Circle(program=program, name=name.strip(), purpose=purpose.strip(), kind=kind, places=places,
                    cadence_weeks=cadence_weeks, status=status, explanation=explanation, created_by=by)
    circle.full_clean()
    circle.save()
    circle.topics.set(list(topics))
    CircleMember.objects.bulk_create(
        [CircleMember(circle=circle, enrollment=e, role=CircleMember.Role.HOST) for e in hosts]
        + [CircleMember(circle=circle, enrollment=e, role=CircleMember.Role.MEMBER) for e in members])
    log.info("circle %s (%s) created in program %s by user %s", circle.pk, kind, program.pk,
             getattr(by, "pk", None))
    return circle


@transaction.atomic
def circle_set_status(*, circle: Circle, by, status: str) -> Circle:
    """Accept a proposed circle (draft → active) or close one; a closed circle books nothing new."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    allowed = {Circle.Status.DRAFT: {Circle.Status.ACTIVE, Circle.Status.CLOSED},
               Circle.Status.ACTIVE: {Circle.Status.CLOSED}, Circle.Status.CLOSED: set()}
    if status not in allowed[circle.status]:
        raise ValidationError(_("This circle is %(status)s; that change is not possible.") % {
            "status": circle.get_status_display().lower()})
    circle.status = status
    circle.save(update_fields=["status", "updated_at"])
    if status == Circle.Status.CLOSED:
        # Sessions still ahead are called off, with a calendar cancellation to everyone.
        for session in circle.sessions.filter(status__in=[CircleSession.Status.PROPOSED,
                                                          CircleSession.Status.CONFIRMED],
                                              starts_at__gt=timezone.now()):
            _cancel(session, reason=_("The circle has closed."))
    log.info("circle %s set to %s by user %s", circle.pk, status, getattr(by, "pk", None))
    return circle


@transaction.atomic
def circle_join(*, circle: Circle, user) -> CircleMember:
    """Join an open session circle as someone approved in its program, while places are left."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)  # one join at a time per circle
    if circle.kind != Circle.Kind.OPEN or not circle.is_active:
        raise ValidationError(_("Only an active open session can be joined."))
    enrollment = (Enrollment.objects.filter(program=circle.program, user=user,
                                            status=Enrollment.Status.APPROVED).first())
    if enrollment is None:
        raise PermissionDenied
    if circle.memberships.filter(enrollment=enrollment).exists():
        raise ValidationError(_("You are already in this circle."))
    if circle.memberships.filter(role=CircleMember.Role.MEMBER).count() >= circle.places:
        raise ValidationError(_("This open session is full."))
    return CircleMember.objects.create(circle=circle, enrollment=enrollment, role=CircleMember.Role.MEMBER)


# --- sessions (hosts) ---------------------------------------------------------------------------


def _host(circle: Circle, user) -> None:
    if not circle.memberships.filter(enrollment__user=user, role=CircleMember.Role.HOST).exists():
        raise PermissionDenied
    if not circle.is_active:
        raise ValidationError(_("This circle is not active, so its sessions can't be changed."))


def people_of(circle: Circle) -> list:
    """Hosts and members still in the program (withdrawn people get no more invitations)."""
    rows = (circle.memberships.exclude(enrollment__status__in=[Enrollment.Status.WITHDRAWN,
                                                               Enrollment.Status.DECLINED])
            .select_related("enrollment__user").order_by("enrollment__user_id"))
    return [m.enrollment.user for m in rows]


def time_problems(*, circle: Circle, start: datetime, end: datetime, now: datetime) -> list[str]:
    program = circle.program
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("session times must be timezone-aware")
    if start <= now:
        return [_("That time is in the past. Pick a time from now on.")]
    minutes = (end - start).total_seconds() / 60
    if minutes < 15 or minutes > MAX_MINUTES:
        return [_("A circle session lasts 15 minutes to 3 hours.")]
    if program.ends_on and start.date() > program.ends_on:
        return [_("The program ends before then; pick an earlier day.")]
    return []


def _notify(session: CircleSession, kind: str, recipients) -> None:
    messages.notices_queue(session, kind=kind, recipients=recipients)


@transaction.atomic
def session_book(*, circle: Circle, booker, starts_at: datetime, ends_at: datetime, places: int,
                 mode: str = CircleSession.Mode.VIDEO, location: str = "", video_link: str = "",
                 topic=None, propose: bool = False, now: datetime | None = None) -> CircleSession:
    """A host books a session (or proposes a tentative time); every member gets an invitation."""
    # Re-read under a lock: a circle HR closes meanwhile books nothing.
    circle = Circle.objects.select_for_update().select_related("program").get(pk=circle.pk)
    _host(circle, booker)
    now = _now(now)
    errors: dict[str, list[str]] = {}
    if problems := time_problems(circle=circle, start=starts_at, end=ends_at, now=now):
        errors["starts_at"] = problems
    if not 1 <= places <= MAX_PLACES:
        errors["places"] = [_("Offer 1 to %(n)s places.") % {"n": MAX_PLACES}]
    errors.update({k: [v] for k, v in place_problems(circle.program, mode=mode, location=location,
                                                   video_link=video_link).items()})
    if errors:
        raise ValidationError(errors)
    session = CircleSession(
        circle=circle, starts_at=starts_at, ends_at=ends_at, places=places, mode=mode,
        location=location.strip(), video_link=video_link if mode == CircleSession.Mode.VIDEO else "",
        topic=topic, booked_by=booker,
        status=CircleSession.Status.PROPOSED if propose else CircleSession.Status.CONFIRMED)
    session.full_clean()
    session.save()
    _notify(session, CircleMessage.Kind.REQUEST, people_of(circle))
    log.info("circle session %s booked by user %s (%s places)", session.pk, booker.pk, places)
    return session


def _locked(session: CircleSession) -> CircleSession:
    """Re-read the session under a row lock: RSVPs and changes to it go one at a time."""
    return (CircleSession.objects.select_for_update(of=("self",)).select_related("circle__program")
            .get(pk=session.pk))


@transaction.atomic
def session_confirm(*, session: CircleSession, user) -> CircleSession:
    """A host turns a proposed time into a booked one (the invitations are updated)."""
    session = _locked(session)
    _host(session.circle, user)
    if session.status != CircleSession.Status.PROPOSED:
        raise ValidationError(_("Only a proposed time can be confirmed."))
    session.status = CircleSession.Status.CONFIRMED
    session.ics_sequence += 1
    session.save(update_fields=["status", "ics_sequence", "updated_at"])
    _notify(session, CircleMessage.Kind.REQUEST, people_of(session.circle))
    return session


@transaction.atomic
def session_reschedule(*, session: CircleSession, user, starts_at: datetime, ends_at: datetime,
                       now: datetime | None = None) -> CircleSession:
    """Move a session that has not started; the same calendar event moves for every member."""
    session = _locked(session)
    _host(session.circle, user)
    now = _now(now)
    if not session.is_open_for_rsvp(now):
        raise ValidationError(_("Only a session that has not started can be moved."))
    if problems := time_problems(circle=session.circle, start=starts_at, end=ends_at, now=now):
        raise ValidationError({"starts_at": problems})
    session.starts_at, session.ends_at = starts_at, ends_at
    session.ics_sequence += 1
    session.save(update_fields=["starts_at", "ends_at", "ics_sequence", "updated_at"])
    _notify(session, CircleMessage.Kind.REQUEST, people_of(session.circle))
    return session


def _cancel(session: CircleSession, *, reason: str) -> None:
    session.status = CircleSession.Status.CANCELLED
    session.cancel_reason = reason.strip()
    session.ics_sequence += 1
    session.save(update_fields=["status", "cancel_reason", "ics_sequence", "updated_at"])
    _notify(session, CircleMessage.Kind.CANCEL, people_of(session.circle))


@transaction.atomic
def session_cancel(*, session: CircleSession, user, reason: str = "",
                   now: datetime | None = None) -> CircleSession:
    """Call off a session that has not started; every member gets a calendar cancellation."""
    session = _locked(session)
    _host(session.circle, user)
    if not session.is_open_for_rsvp(_now(now)):
        raise ValidationError(_("Only a session that has not started can be cancelled."))
    _cancel(session, reason=reason)
    log.info("circle session %s cancelled by user %s", session.pk, user.pk)
    return session


# --- RSVPs (members) ----------------------------------------------------------------------------


def _is_member(circle: Circle, user) -> bool:
    return circle.memberships.filter(enrollment__user=user, role=CircleMember.Role.MEMBER).exclude(
        enrollment__status__in=[Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED]).exists()


@transaction.atomic
def rsvp_set(*, session: CircleSession, user, answer: str, now: datetime | None = None) -> CircleRsvp:
    """A member answers going or not going; "going" takes one of the session's places."""
    session = _locked(session)
    if not _is_member(session.circle, user):
        raise PermissionDenied
    if answer not in CircleRsvp.Answer.values:
        raise ValidationError({"answer": _("Answer going or not going.")})
    if not session.is_open_for_rsvp(_now(now)):
        raise ValidationError(_("This session is no longer taking answers."))
    rsvp = CircleRsvp.objects.filter(session=session, user=user).first()
    before = rsvp.answer if rsvp else None
    if before == answer:
        return rsvp
    change = (answer == CircleRsvp.Answer.YES) - (before == CircleRsvp.Answer.YES)
    if change > 0 and session.going >= session.places:
        raise ValidationError({"answer": _("Sorry, this session is full: all %(n)s places are taken.") % {
            "n": session.places}})
    try:
        with transaction.atomic():
            if change:
                CircleSession.objects.filter(pk=session.pk).update(going=F("going") + change)
            if rsvp is None:
                rsvp = CircleRsvp.objects.create(session=session, user=user, answer=answer,
                                                 answered_at=_now(now))
            else:
                rsvp.answer, rsvp.answered_at = answer, _now(now)
                rsvp.save(update_fields=["answer", "answered_at"])
    except IntegrityError as exc:
        if PLACES_CONSTRAINT not in str(exc):
            raise
        raise ValidationError({"answer": _("Sorry, this session is full: all %(n)s places are taken.") % {
            "n": session.places}}) from None
    log.info("user %s answered %s to circle session %s", user.pk, answer, session.pk)
    return rsvp


@transaction.atomic
def attendance_record(*, session: CircleSession, user, attended_ids: Iterable[int],
                      now: datetime | None = None) -> CircleSession:
    """After a session starts, a host records who of those going came; the session is then held."""
    session = _locked(session)
    _host(session.circle, user)
    if not session.can_be_logged(_now(now)):
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    came = set(attended_ids)
    for rsvp in session.rsvps.filter(answer=CircleRsvp.Answer.YES):
        rsvp.attended = rsvp.user_id in came
        rsvp.save(update_fields=["attended"])
    if session.status != CircleSession.Status.HELD:
        session.status = CircleSession.Status.HELD
        session.save(update_fields=["status", "updated_at"])
    return session


# --- notes ---------------------------------------------------------------------------------------


def _in_circle(circle: Circle, user) -> None:
    if not circle.memberships.filter(enrollment__user=user).exists():
        raise PermissionDenied


@transaction.atomic
def circle_note_save(*, session: CircleSession, author, shared_summary: str | None = None,
                     revision: int | None = None, reflection: str | None = None, topics=None,
                     actions: Sequence[tuple[object, str]] = (), now: datetime | None = None) -> CircleNote:
    """Write to a session's notes: the shared summary, the author's own reflection, topics taught
    (hosts only) and action items, each for one member. Logging a started session marks it held."""
    session = _locked(session)
    circle = session.circle
    _in_circle(circle, author)
    if not session.can_be_logged(_now(now)):
        raise ValidationError(_("Notes can be written once the session has started."))
    note, _created = CircleNote.objects.select_for_update().get_or_create(session=session)
    fields = ["updated_at", "updated_by"]
    if shared_summary is not None and shared_summary.strip() != note.shared_summary:
        if revision is not None and revision != note.summary_revision:
            raise ValidationError({"shared_summary": _(
                "Someone else changed the summary while you were writing. Copy your text, reload and "
                "add it again.")})
        note.shared_summary = shared_summary.strip()
        note.summary_revision += 1
        fields += ["shared_summary", "summary_revision"]
    note.updated_by = author
    note.full_clean()
    note.save(update_fields=fields)
    if topics is not None and circle.memberships.filter(enrollment__user=author,
                                                       role=CircleMember.Role.HOST).exists():
        note.topics_taught.set(list(topics))
    if reflection is not None:
        if reflection.strip():
            CircleReflection.objects.update_or_create(note=note, author=author,
                                                      defaults={"text": reflection.strip()})
        else:
            CircleReflection.objects.filter(note=note, author=author).delete()
    people = {u.pk: u for u in people_of(circle)}
    for owner, text in list(actions)[:MAX_ACTIONS]:
        if not text.strip():
            continue
        if getattr(owner, "pk", None) not in people:
            raise ValidationError({"actions": _("An action item belongs to someone in the circle.")})
        item = CircleActionItem(circle=circle, session=session, owner=owner, text=text.strip(),
                                created_by=author)
        item.full_clean()
        item.save()
    if session.status == CircleSession.Status.CONFIRMED:
        session.status = CircleSession.Status.HELD
        session.save(update_fields=["status", "updated_at"])
    log.info("circle note of session %s saved by user %s", session.pk, author.pk)
    return note


@transaction.atomic
def action_item_set_done(*, item: CircleActionItem, user, done: bool) -> CircleActionItem:
    if item.owner_id != user.pk:
        raise PermissionDenied
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done_at"])
    return item


@transaction.atomic
def feedback_save(*, session: CircleSession, user, rating: int,
                  now: datetime | None = None) -> CircleFeedback:
    """The short after-session survey: how useful it was, 1 to 5 (one answer, changeable)."""
    if not session.rsvps.filter(user=user, answer=CircleRsvp.Answer.YES).exists() or not _is_member(
            session.circle, user):
        raise PermissionDenied
    if not session.has_started(_now(now)) or session.status == CircleSession.Status.CANCELLED:
        raise ValidationError(_("You can rate a session once it has taken place."))
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Pick 1 to 5.")})
    feedback, _created = CircleFeedback.objects.update_or_create(
        session=session, user=user, defaults={"rating": int(rating), "answered_at": _now(now)})
    return feedback


def session_length_default(program) -> timedelta:
    return timedelta(minutes=program.session_minutes)
