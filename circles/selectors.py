"""Reads of circles for the pages, the calendar feed and the evaluation dashboard.

Access: a circle's pages are for its hosts and members (and, for an open session, anyone approved
in its program who may join); HR's pages are for HR admins. Everyone else gets 404. Private
reflections are only ever read for their author (see ``notes_page``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.roles import is_hr_admin
from circles.models import (
    Circle,
    CircleActionItem,
    CircleFeedback,
    CircleMember,
    CircleNote,
    CircleReflection,
    CircleRsvp,
    CircleSession,
)
from pairing.models import Enrollment

CLOSED_ENROLMENT = (Enrollment.Status.WITHDRAWN, Enrollment.Status.DECLINED)
VISIBLE = (Circle.Status.ACTIVE, Circle.Status.CLOSED)


def _in(user) -> Q:
    """Circles the person is in (as host or member, while their enrolment stands)."""
    return Q(memberships__enrollment__user=user) & ~Q(memberships__enrollment__status__in=CLOSED_ENROLMENT)


def circles_for_user(user) -> QuerySet[Circle]:
    if not user.is_authenticated:
        return Circle.objects.none()
    return (Circle.objects.filter(_in(user), status__in=VISIBLE).distinct()
            .select_related("program").order_by("status", "name", "id"))


def open_circles_for_user(user) -> QuerySet[Circle]:
    """Active open sessions in the person's programs that they have not joined."""
    if not user.is_authenticated:
        return Circle.objects.none()
    programs = Enrollment.objects.filter(user=user, status=Enrollment.Status.APPROVED).values("program_id")
    return (Circle.objects.filter(kind=Circle.Kind.OPEN, status=Circle.Status.ACTIVE, program_id__in=programs)
            .exclude(pk__in=circles_for_user(user).values("pk"))
            .annotate(members=Count("memberships", filter=Q(memberships__role=CircleMember.Role.MEMBER)))
            .select_related("program").order_by("name"))


def get_circle_for_member(user, pk: int) -> Circle:
    """The circle if ``user`` hosts it or is a member (or may join it, for an open session), else 404."""
    circle = circles_for_user(user).filter(pk=pk).first() or open_circles_for_user(user).filter(pk=pk).first()
    if circle is None:
        raise Http404
    return circle


def get_circle_for_hr(user, pk: int) -> Circle:
    if not is_hr_admin(user):
        raise Http404
    circle = Circle.objects.select_related("program").filter(pk=pk).first()
    if circle is None:
        raise Http404
    return circle


def get_session_for_member(user, pk: int) -> CircleSession:
    """A session of a circle the person is in (host or member), else 404."""
    session = (CircleSession.objects.filter(circle__in=circles_for_user(user), pk=pk)
               .select_related("circle__program", "topic").first())
    if session is None:
        raise Http404
    return session


def get_session_for_host(user, pk: int) -> CircleSession:
    """A session of a circle the person hosts, else 404 (members can't move or cancel it)."""
    session = get_session_for_member(user, pk)
    if not session.circle.memberships.filter(enrollment__user=user, role=CircleMember.Role.HOST).exists():
        raise Http404
    return session


def get_circle_for_host(user, pk: int) -> Circle:
    circle = circles_for_user(user).filter(pk=pk).first()
    if circle is None or not circle.memberships.filter(enrollment__user=user,
                                                       role=CircleMember.Role.HOST).exists():
        raise Http404
    return circle


def get_action_item_for_owner(user, pk: int) -> CircleActionItem:
    item = CircleActionItem.objects.filter(pk=pk, owner=user, circle__in=circles_for_user(user)).first()
    if item is None:
        raise Http404
    return item


def role_in(circle: Circle, user) -> str | None:
    row = circle.memberships.filter(enrollment__user=user).values_list("role", flat=True).first()
    return row


def members_of(circle: Circle) -> list[CircleMember]:
    return list(circle.memberships.select_related("enrollment__user")
                .order_by("role", "enrollment__user__full_name"))


# --- pages ------------------------------------------------------------------------------------------


def _sessions(circle: Circle, user) -> QuerySet[CircleSession]:
    mine = CircleRsvp.objects.filter(user=user)
    return (circle.sessions.select_related("topic")
            .prefetch_related(Prefetch("rsvps", queryset=mine, to_attr="my_rsvps")))


def circle_page(circle: Circle, user, *, now: datetime | None = None) -> dict[str, object]:
    now = now or timezone.now()
    sessions = list(_sessions(circle, user))
    for s in sessions:
        s.my_answer = s.my_rsvps[0].answer if s.my_rsvps else ""
    role = role_in(circle, user)
    return {
        "circle": circle, "program": circle.program, "role": role, "is_host": role == CircleMember.Role.HOST,
        "members": members_of(circle),
        "upcoming": [s for s in sessions if s.status in ("proposed", "confirmed") and not s.has_started(now)],
        "to_log": [s for s in sessions if s.status == "confirmed" and s.has_started(now)],
        "past": [s for s in sessions if s.status == "held"][::-1],
        "cancelled": [s for s in sessions if s.status == "cancelled"],
        "actions": list(circle.action_items.select_related("owner").order_by("done_at", "id")),
        "topics": list(circle.topics.all()),
    }


def session_page(session: CircleSession, user) -> dict[str, object]:
    circle = session.circle
    rsvps = list(session.rsvps.select_related("user").order_by("answered_at", "id"))
    mine = next((r for r in rsvps if r.user_id == user.pk), None)
    role = role_in(circle, user)
    return {
        "session": session, "circle": circle, "program": circle.program, "role": role,
        "is_host": role == CircleMember.Role.HOST, "rsvps": rsvps, "my_rsvp": mine,
        "going": [r for r in rsvps if r.answer == CircleRsvp.Answer.YES],
        "not_going": [r for r in rsvps if r.answer == CircleRsvp.Answer.NO],
        "note": CircleNote.objects.filter(session=session).first(),
    }


def notes_page(session: CircleSession, user) -> dict[str, object]:
    """The notes of a session: the shared summary, and the reader's own reflection only."""
    note = CircleNote.objects.filter(session=session).prefetch_related("topics_taught").first()
    reflection = CircleReflection.objects.filter(note=note, author=user).first() if note else None
    return {"note": note, "reflection": reflection,
            "actions": list(session.action_items.select_related("owner"))}


def my_circles(user) -> dict[str, object]:
    return {"circles": list(circles_for_user(user).annotate(
                members=Count("memberships", filter=Q(memberships__role=CircleMember.Role.MEMBER)))),
            "open_circles": list(open_circles_for_user(user))}


def hr_circles(program) -> list[Circle]:
    return list(program.circles.annotate(
        members=Count("memberships", filter=Q(memberships__role=CircleMember.Role.MEMBER), distinct=True),
        held=Count("sessions", filter=Q(sessions__status=CircleSession.Status.HELD), distinct=True),
    ).prefetch_related(Prefetch("memberships", queryset=CircleMember.objects.filter(
        role=CircleMember.Role.HOST).select_related("enrollment__user"), to_attr="host_rows"))
        .order_by("status", "name"))


def approved_enrollments(program) -> QuerySet[Enrollment]:
    return (program.enrollments.filter(status=Enrollment.Status.APPROVED).select_related("user")
            .order_by("user__full_name", "id"))


def feed_sessions(user) -> QuerySet[CircleSession]:
    """Booked sessions (proposed, confirmed or held) of the person's circles, for their feed."""
    return (CircleSession.objects.filter(circle__in=circles_for_user(user),
                                         status__in=[CircleSession.Status.PROPOSED,
                                                     CircleSession.Status.CONFIRMED,
                                                     CircleSession.Status.HELD])
            .select_related("circle").order_by("starts_at"))


# --- for the evaluation dashboard (raw figures: evaluation applies the anonymity rule) -------------


@dataclass
class CircleFigures:
    """One circle's raw figures and the distinct people behind each (evaluation protects them)."""

    circle: Circle
    people: int = 0  # hosts and members
    sessions_held: int = 0
    places_offered: int = 0
    going: int = 0
    attended: int = 0
    attendees: int = 0  # distinct people who attended at least once
    ratings: list[int] = field(default_factory=list)
    raters: int = 0
    topics: list[str] = field(default_factory=list)
    going_people: int = 0  # distinct people who said yes to a held session
    # Who is in the circle: for counting distinct people across circles, never shown.
    people_ids: set[int] = field(default_factory=set)


def circle_figures(program) -> list[CircleFigures]:
    """Held sessions, RSVPs, attendance, survey ratings and topics taught per circle of a program,
    in a fixed number of queries."""
    circles = list(program.circles.exclude(status=Circle.Status.DRAFT).order_by("name", "id"))
    figures = {c.pk: CircleFigures(circle=c) for c in circles}
    for circle_id, user_id in (CircleMember.objects.filter(circle__in=circles)
                               .exclude(enrollment__status__in=CLOSED_ENROLMENT)
                               .values_list("circle_id", "enrollment__user_id")):
        figures[circle_id].people_ids.add(user_id)
    for fig in figures.values():
        fig.people = len(fig.people_ids)
    held = CircleSession.objects.filter(circle__in=circles, status=CircleSession.Status.HELD)
    for circle_id, places in held.values_list("circle_id", "places"):
        figures[circle_id].sessions_held += 1
        figures[circle_id].places_offered += places
    attendees: dict[int, set[int]] = {}
    going: dict[int, set[int]] = {}
    for circle_id, user_id, attended in CircleRsvp.objects.filter(
            session__in=held, answer=CircleRsvp.Answer.YES).values_list(
            "session__circle_id", "user_id", "attended"):
        fig = figures[circle_id]
        fig.going += 1
        going.setdefault(circle_id, set()).add(user_id)
        if attended:
            fig.attended += 1
            attendees.setdefault(circle_id, set()).add(user_id)
    for circle_id, people in attendees.items():
        figures[circle_id].attendees = len(people)
    for circle_id, people in going.items():
        figures[circle_id].going_people = len(people)
    raters: dict[int, set[int]] = {}
    for circle_id, user_id, rating in CircleFeedback.objects.filter(session__in=held).values_list(
            "session__circle_id", "user_id", "rating"):
        figures[circle_id].ratings.append(rating)
        raters.setdefault(circle_id, set()).add(user_id)
    for circle_id, people in raters.items():
        figures[circle_id].raters = len(people)
    for circle_id, name in (CircleNote.topics_taught.through.objects
                            .filter(circlenote__session__in=held)
                            .values_list("circlenote__session__circle_id", "topic__name").distinct()):
        figures[circle_id].topics.append(name)
    return [figures[c.pk] for c in circles]
