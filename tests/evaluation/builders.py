"""Build hand-made programs for the evaluation tests: every row written on purpose, so the
figures on the dashboard can be worked out by hand (see ``six_pairs`` in conftest)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from meetings.models import Meeting, MeetingEvent, PrivateReflection, SessionLog
from pairing.models import Enrollment, ExitRequest, Pair, SkillRating
from programs.models import Goal, Program, SurveyQuestion, Topic
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.factories import ProgramFactory, PublishedAgreementFactory, UserFactory

UTC = dt.UTC
# A Monday at noon: the program below started eight weeks earlier.
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
STARTS = dt.date(2026, 1, 5)


def at(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class Questions:
    satisfaction: SurveyQuestion
    fit: SurveyQuestion
    recommendation: SurveyQuestion
    rhythm: SurveyQuestion


def program(*, k: int = 3, leads=(), name: str = "Spring pilot", status: str = Program.Status.RUNNING,
            **fields) -> tuple[Program, Questions]:
    """A running program (cadence two weeks, six sessions) with the four kinds of survey question."""
    values = {"anonymity_k": k, "status": status, "cadence_weeks": 2, "min_sessions": 6,
              "starts_on": STARTS, "ends_on": dt.date(2026, 6, 26), "cohort": "2026 spring", **fields}
    prog = ProgramFactory(name=name, leads=list(leads), **values)
    PublishedAgreementFactory(program=prog)
    questions = Questions(
        satisfaction=SurveyQuestion.objects.create(
            program=prog, survey="after_session", order=1, kind="rating", text="How useful was this session?",
            measures_satisfaction=True),
        fit=SurveyQuestion.objects.create(program=prog, survey="after_session", order=2, kind="rating",
                                          text="How well does your pairing fit?", first_session_only=True),
        recommendation=SurveyQuestion.objects.create(program=prog, survey="end_program", order=1,
                                                     kind="recommendation", text="Would you recommend it?"),
        rhythm=SurveyQuestion.objects.create(
            program=prog, survey="mid_program", order=1, kind="choice", text="How is the rhythm?",
            choices=["Right", "Too often", "Rare"]),
    )
    return prog, questions


def person(prog: Program, role: str, *, department: str, level: int | None = None, status: str = "approved",
           name: str = "", applied_at: dt.datetime | None = None, decided_at: dt.datetime | None = None,
           manager=None) -> Enrollment:
    level = level if level is not None else (3 if role == "mentor" else 10)
    user = UserFactory(department=department, level=level, full_name=name or "Someone", manager=manager)
    return Enrollment.objects.create(
        program=prog, user=user, role=role, status=status, agreement_version=prog.current_agreement(),
        agreement_accepted_at=at(2026, 1, 1), learn_goals="Learn", teach_goals="Teach",
        applied_at=applied_at or at(2025, 12, 15),
        decided_at=decided_at if decided_at is not None else (
            at(2026, 1, 2) if status != "applied" else None))


def pair(prog: Program, mentor: Enrollment, mentee: Enrollment, *, status: str = "active",
         activated_at: dt.datetime | None = None, ended_at: dt.datetime | None = None) -> Pair:
    activated = activated_at or at(2026, 1, 5)
    return Pair.objects.create(
        program=prog, mentor=mentor, mentee=mentee, status=status, published_at=at(2026, 1, 4, 12),
        activated_at=activated if status in ("active", "completed", "ended_early") else None,
        ended_at=ended_at, mentor_response="accepted", mentee_response="accepted", created_at=at(2026, 1, 3))


def session(p: Pair, starts_at: dt.datetime, status: str = "held", minutes: int = 45) -> Meeting:
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    return Meeting.objects.create(pair=p, starts_at=starts_at, ends_at=ends_at, status=status, mode="video",
                                  proposed_by=p.mentor.user)


def held(p: Pair, count: int, *, first: dt.datetime | None = None) -> list[Meeting]:
    """``count`` held sessions every two weeks from ``first`` (Monday 12 January, 10:00)."""
    first = first or at(2026, 1, 12, 10)
    return [session(p, first + dt.timedelta(weeks=2 * i)) for i in range(count)]


def event(meeting: Meeting, role: str, kind: str) -> MeetingEvent:
    actor = meeting.pair.mentor.user if role == "mentor" else meeting.pair.mentee.user
    return MeetingEvent.objects.create(meeting=meeting, actor=actor, actor_role=role, kind=kind,
                                       at=(meeting.starts_at or NOW) - dt.timedelta(days=1))


def cancelled(p: Pair, role: str, starts_at: dt.datetime) -> Meeting:
    meeting = session(p, starts_at, status="cancelled")
    event(meeting, role, "cancelled")
    return meeting


def invite(enrollment: Enrollment, kind: str, *, meeting: Meeting | None = None,
           sent_at: dt.datetime | None = None) -> SurveyInvitation:
    sent = sent_at or ((meeting.ends_at + dt.timedelta(hours=2)) if meeting else at(2026, 2, 20))
    return SurveyInvitation.objects.create(
        program=enrollment.program, recipient=enrollment.user, enrollment=enrollment, kind=kind,
        meeting=meeting, sent_at=sent, expires_at=sent + dt.timedelta(days=14))


def answer(invitation: SurveyInvitation, answers: dict[SurveyQuestion, object]) -> SurveyResponse:
    submitted = invitation.sent_at + dt.timedelta(hours=3)
    invitation.answered_at = submitted
    invitation.save(update_fields=["answered_at"])
    response = SurveyResponse.objects.create(invitation=invitation, program=invitation.program,
                                             kind=invitation.kind, submitted_at=submitted)
    for question, value in answers.items():
        SurveyAnswer.objects.create(response=response, question=question, question_text=question.text,
                                    kind=question.kind, number=value if isinstance(value, int) else None,
                                    text=value if isinstance(value, str) else "")
    return response


def skill(enrollment: Enrollment, topic: Topic, direction: str, before: int, after: int | None) -> None:
    SkillRating.objects.create(enrollment=enrollment, topic=topic, direction=direction, phase="enrolment",
                               score=before)
    if after is not None:
        SkillRating.objects.create(enrollment=enrollment, topic=topic, direction=direction, phase="end",
                                   score=after)


def log(meeting: Meeting, *, by_mentor=(), by_mentee=(), summary: str = "") -> SessionLog:
    entry = SessionLog.objects.create(meeting=meeting, shared_summary=summary)
    entry.topics_by_mentor.set(by_mentor)
    entry.topics_by_mentee.set(by_mentee)
    return entry


def reflection(entry: SessionLog, author, text: str) -> PrivateReflection:
    return PrivateReflection.objects.create(log=entry, author=author, text=text)


def exit_request(p: Pair, *, reason: str = "") -> ExitRequest:
    return ExitRequest.objects.create(pair=p, requested_by=p.mentee.user, kind="rematch", reason=reason)


def goal(prog: Program, kind: str, title: str, **fields) -> Goal:
    order = Goal.objects.filter(program=prog).count()
    return Goal.objects.create(program=prog, kind=kind, title=title, order=order, **fields)


@dataclass
class SixPairs:
    """The hand-made program the figure tests read (see conftest.six_pairs for the numbers)."""

    program: Program
    questions: Questions
    mentors: list[Enrollment]
    mentees: list[Enrollment]
    pairs: list[Pair]
    others: list[Enrollment] = field(default_factory=list)
    topics: dict[str, Topic] = field(default_factory=dict)
    logs: list[SessionLog] = field(default_factory=list)
