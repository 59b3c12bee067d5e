"""Demo survey data for `seed_demo`, so the dashboards have something to show.

In the running program: every participant's skill self-assessment at enrolment; an after-session
survey for each held session, most of them answered (ratings mostly 4–5, a few 3s), a few still
open and a couple that closed unanswered; a mid-program survey sent to everyone at the program's
midpoint (this week's Monday, see programs.demo), as the mid-program job would have, about 70 %
answered. Answers go through the real service. Demo invitations are marked as sent (and reminded)
so the jobs send nobody an e-mail about the past; their links are not usable (no token), the
signed-in survey pages are. Deterministic and idempotent: nothing is added once the program has
invitations.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from meetings.models import Meeting
from pairing.models import Enrollment, Pair, SkillRating
from programs.models import Program, SurveyQuestion
from surveys import services
from surveys.models import SurveyInvitation

TEXTS = [
    "We built a first prompt library together; I will try it on next week's report.",
    "Learned how our largest client buys: context I never get in my day-to-day.",
    "Good conversation about running a team meeting without slides.",
    "Practised the new collaboration tools on a real project.",
    "",
    "",
]


@transaction.atomic
def seed_surveys(people: dict, programs: dict) -> dict:
    """Create the demo survey history of the running program. Returns counts of what was added."""
    running: Program | None = programs.get("running")
    if running is None:
        return {"invitations": 0}
    rng = random.Random(20261126)  # noqa: S311 - demo data
    now = timezone.now()
    added = {"skill_ratings": _enrolment_skills(running, rng)}
    if SurveyInvitation.objects.filter(program=running).exists():
        return {**added, "invitations": 0}
    demo_people = {u.pk for key, u in people.items() if key in ("mentor", "mentee") and u is not None}
    sessions = _session_invitations(running, now, demo_people)
    mids = _mid_invitations(running, now)
    # The demo accounts keep their mid-program survey open, so "My surveys" has something to
    # answer; otherwise 85 % and 70 % of people answered.
    answering = _share(sessions, 0.85, rng) + _share(
        [i for i in mids if i.recipient_id not in demo_people], 0.7 * len(mids), rng)
    questions = {
        kind: list(running.survey_questions.filter(survey=kind)) for kind in SurveyInvitation.Kind.values
    }
    quiet = logging.getLogger("surveys.services")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # dozens of demo answers are not worth a log line each
    try:
        for invitation in sorted(answering, key=lambda i: i.pk):
            _answer(invitation, questions[invitation.kind], rng)
    finally:
        quiet.setLevel(level)
    return {**added, "invitations": len(sessions) + len(mids), "answered": len(answering)}


def _share(rows: list[SurveyInvitation], share: float, rng: random.Random) -> list[SurveyInvitation]:
    """A fixed-size random pick: ``share`` of the rows (a fraction), or that many rows (above 1)."""
    count = round(share * len(rows)) if share <= 1 else round(share)
    return rng.sample(rows, min(count, len(rows)))


def _enrolment_skills(program: Program, rng: random.Random) -> int:
    """A 1–5 self-assessment of every program topic for each approved participant who has none."""
    topics = list(program.program_topics.all())
    missing = Enrollment.objects.filter(program=program, status=Enrollment.Status.APPROVED).exclude(
        skill_ratings__phase=SkillRating.Phase.ENROLMENT
    )
    rows = []
    for enrollment in missing:
        for pt in topics:
            learning = pt.direction == enrollment.learns_direction
            score = rng.choice([1, 2, 2, 3]) if learning else rng.choice([3, 4, 4, 5])
            rows.append(
                SkillRating(
                    enrollment=enrollment,
                    topic_id=pt.topic_id,
                    direction=pt.direction,
                    phase=SkillRating.Phase.ENROLMENT,
                    score=score,
                )
            )
    SkillRating.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _sent(invitation: SurveyInvitation, sent_at: dt.datetime, program: Program, now: dt.datetime) -> None:
    days = dt.timedelta(days=program.survey_expiry_days)
    invitation.sent_at, invitation.expires_at, invitation.remind_at = (
        sent_at,
        sent_at + days,
        sent_at + days / 2,
    )
    if invitation.remind_at <= now:
        invitation.reminder_sent_at = invitation.remind_at


def _session_invitations(program: Program, now: dt.datetime, demo_people: set[int]) -> list[SurveyInvitation]:
    delay = dt.timedelta(hours=program.survey_delay_hours)
    meetings = (
        Meeting.objects.filter(pair__program=program, status=Meeting.Status.HELD, ends_at__lte=now - delay)
        .select_related("pair__mentor", "pair__mentee")
        .order_by("pair_id", "starts_at")
    )
    rows, seen_pairs = [], set()
    for meeting in meetings:
        first = meeting.pair_id not in seen_pairs
        seen_pairs.add(meeting.pair_id)
        for enrollment in (meeting.pair.mentor, meeting.pair.mentee):
            if enrollment.status != Enrollment.Status.APPROVED:
                continue
            row = SurveyInvitation(
                program=program,
                recipient_id=enrollment.user_id,
                enrollment=enrollment,
                kind=SurveyInvitation.Kind.AFTER_SESSION,
                meeting=meeting,
                first_session=first,
                created_at=meeting.ends_at + delay,
            )
            _sent(row, meeting.ends_at + delay, program, now)
            rows.append(row)
    return SurveyInvitation.objects.bulk_create(rows)


def _mid_invitations(program: Program, now: dt.datetime) -> list[SurveyInvitation]:
    """The mid-program survey as the job sends it: on the midpoint day, once it has come."""
    if not (program.survey_mid_program and program.starts_on and program.ends_on):
        return []
    midpoint = program.starts_on + (program.ends_on - program.starts_on) / 2
    sent_at = dt.datetime.combine(midpoint, dt.time.min, tzinfo=dt.UTC)  # the job's dates are UTC
    if sent_at > now:
        return []
    in_pair = Q(pairs_as_mentor__status=Pair.Status.ACTIVE) | Q(pairs_as_mentee__status=Pair.Status.ACTIVE)
    rows = []
    for enrollment in (
        Enrollment.objects.filter(in_pair, program=program, status=Enrollment.Status.APPROVED)
        .distinct()
        .order_by("id")
    ):
        row = SurveyInvitation(
            program=program,
            recipient_id=enrollment.user_id,
            enrollment=enrollment,
            kind=SurveyInvitation.Kind.MID_PROGRAM,
            created_at=sent_at,
        )
        _sent(row, sent_at, program, now)
        rows.append(row)
    return SurveyInvitation.objects.bulk_create(rows)


def _answer(invitation: SurveyInvitation, questions: list[SurveyQuestion], rng: random.Random) -> None:
    answers: dict[int, object] = {}
    for question in questions:
        if question.first_session_only and not invitation.first_session:
            continue
        if question.kind == SurveyQuestion.Kind.RATING:
            answers[question.pk] = rng.choice([5, 5, 4, 4, 4, 3])
        elif question.kind == SurveyQuestion.Kind.RECOMMENDATION:
            answers[question.pk] = rng.choice([10, 9, 9, 8, 7])
        elif question.kind == SurveyQuestion.Kind.CHOICE:
            answers[question.pk] = rng.choice(question.choices[:1] * 3 + question.choices)
        elif question.kind == SurveyQuestion.Kind.TEXT:
            answers[question.pk] = rng.choice(TEXTS) or (TEXTS[0] if question.required else "")
    answered_at = invitation.sent_at + dt.timedelta(hours=rng.randint(1, 72))
    answered_at = min(answered_at, invitation.expires_at - dt.timedelta(minutes=1), timezone.now())
    services.survey_response_submit(invitation=invitation, answers=answers, now=answered_at)
