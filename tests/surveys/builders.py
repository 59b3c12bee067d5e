"""Build running programs, pairs and sessions for the jobs' tests (also used by the worker tests)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from meetings.models import Meeting, MeetingAttendance
from pairing.models import Enrollment, Pair, SkillRating
from programs import services as program_services
from programs.models import Program
from tests.factories import UserFactory

UTC = dt.UTC


def running_program(
    *,
    name: str = "Reverse Mentoring Spring",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    leads=(),
    **fields,
) -> Program:
    """A running program from the reverse mentoring template (questions, topics, agreement)."""
    today = timezone.now().date()
    program = program_services.program_create_from_template(
        name=name,
        actor=None,
        starts_on=starts_on or today - dt.timedelta(weeks=4),
        ends_on=ends_on or today + dt.timedelta(weeks=20),
    )
    program_services.agreement_publish(program=program, actor=None)
    # These programs book sessions at arbitrary hours; the out-of-hours guard has its own tests.
    fields.setdefault("hours_guard", False)
    Program.objects.filter(pk=program.pk).update(status=Program.Status.RUNNING, **fields)
    program.refresh_from_db()
    if leads:
        program.leads.add(*leads)
    return program


def enroll(
    program: Program, user, role: str, *, status: str = Enrollment.Status.APPROVED, skills: int | None = 2
) -> Enrollment:
    enrollment = Enrollment.objects.create(
        program=program,
        user=user,
        role=role,
        status=status,
        agreement_version=program.current_agreement(),
        agreement_accepted_at=timezone.now(),
        learn_goals="Learn",
        teach_goals="Teach",
    )
    if skills is not None:
        SkillRating.objects.bulk_create(
            [
                SkillRating(
                    enrollment=enrollment,
                    topic_id=pt.topic_id,
                    direction=pt.direction,
                    phase=SkillRating.Phase.ENROLMENT,
                    score=skills,
                )
                for pt in program.program_topics.all()
            ]
        )
    return enrollment


def active_pair(
    program: Program, mentor=None, mentee=None, *, activated_at: dt.datetime | None = None
) -> Pair:
    mentor = mentor or UserFactory(level=3, time_zone="Europe/Berlin")
    mentee = mentee or UserFactory(level=11, time_zone="America/New_York")
    now = activated_at or timezone.now() - dt.timedelta(weeks=3)
    return Pair.objects.create(
        program=program,
        mentor=enroll(program, mentor, "mentor"),
        mentee=enroll(program, mentee, "mentee"),
        status=Pair.Status.ACTIVE,
        published_at=now,
        activated_at=now,
        mentor_response=Pair.Response.ACCEPTED,
        mentee_response=Pair.Response.ACCEPTED,
    )


def session(
    pair: Pair, starts_at: dt.datetime, *, minutes: int = 45, status: str = Meeting.Status.CONFIRMED
) -> Meeting:
    """A booked session (with both people's time taken, as the booking service leaves it)."""
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    meeting = Meeting.objects.create(
        pair=pair,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        mode=Meeting.Mode.VIDEO,
        video_link="https://meet.example.com/abc-defg",
        proposed_by=pair.mentor.user,
        confirmed_by=pair.mentee.user,
    )
    MeetingAttendance.objects.bulk_create(
        [
            MeetingAttendance(
                meeting=meeting,
                user=user,
                starts_at=starts_at,
                ends_at=ends_at,
                active=status != Meeting.Status.CANCELLED,
            )
            for user in (pair.mentor.user, pair.mentee.user)
        ]
    )
    return meeting


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)
