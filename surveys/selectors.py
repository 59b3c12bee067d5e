"""Reads for the survey pages and the jobs; each costs a fixed number of queries.

``get_invitation_for_user`` and ``invitation_for_token`` scope what a URL may reach.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from meetings.models import Meeting, MeetingEvent
from meetings.selectors import active_pairs_with_activity, day_start, nudge_thresholds, silence_start
from pairing.models import Enrollment, SkillRating
from programs.models import Program, ProgramTopic, SurveyQuestion
from surveys.models import SurveyAnswer, SurveyInvitation

INVITATION_PEOPLE = (
    "program",
    "recipient",
    "enrollment",
    "meeting__pair__mentor__user",
    "meeting__pair__mentee__user",
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- access helpers -----------------------------------------------------------------------


def get_invitation_for_user(user, pk: int) -> SurveyInvitation:
    """A sent invitation of this person (404 for anyone else's, or one never sent)."""
    return get_object_or_404(
        SurveyInvitation.objects.select_related(*INVITATION_PEOPLE),
        pk=pk,
        recipient=user,
        sent_at__isnull=False,
    )


def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The sent invitation a link's token opens (the invitation's or its reminder's), or None."""
    digest = token_hash(token)
    return (
        SurveyInvitation.objects.select_related(*INVITATION_PEOPLE)
        .filter(Q(token_hash=digest) | Q(reminder_token_hash=digest), sent_at__isnull=False)
        .first()
    )


def invitations_of(user, *, now: datetime | None = None) -> dict[str, list[SurveyInvitation]]:
    """The person's sent invitations: open first (soonest to close), then answered, then expired."""
    now = now or timezone.now()
    rows = list(
        SurveyInvitation.objects.filter(recipient=user, sent_at__isnull=False)
        .select_related(*INVITATION_PEOPLE)
        .order_by("expires_at", "-id")
    )
    grouped: dict[str, list[SurveyInvitation]] = {"open": [], "answered": [], "expired": []}
    for row in rows:
        grouped[row.state(now)].append(row)
    grouped["answered"].sort(key=lambda r: r.answered_at, reverse=True)
    grouped["expired"].sort(key=lambda r: r.expires_at, reverse=True)
    return grouped


# --- what a survey asks -------------------------------------------------------------------


def questions_for(invitation: SurveyInvitation) -> list[SurveyQuestion]:
    """The program's questions for this survey; pairing-fit ones only after the first session."""
    questions = SurveyQuestion.objects.filter(program_id=invitation.program_id, survey=invitation.kind)
    if invitation.kind == SurveyInvitation.Kind.AFTER_SESSION and not invitation.first_session:
        questions = questions.filter(first_session_only=False)
    return list(questions.order_by("order", "id"))


@dataclass(frozen=True)
class SkillRow:
    topic_id: int
    name: str
    direction: str
    learned: bool  # True: a topic this person came to learn; False: one they taught
    at_enrolment: int | None

    @property
    def field_name(self) -> str:
        return f"skill_{self.direction}_{self.topic_id}"


def skill_rows_for(invitation: SurveyInvitation) -> list[SkillRow]:
    """Every program topic, in both directions: what I learned first, then what I taught.

    Each row carries the person's own rating at enrolment, so the end survey compares the two.
    """
    enrollment = invitation.enrollment
    before = {
        (r.topic_id, r.direction): r.score
        for r in SkillRating.objects.filter(enrollment=enrollment, phase=SkillRating.Phase.ENROLMENT)
    }
    rows = [
        SkillRow(
            pt.topic_id,
            pt.topic.name,
            pt.direction,
            pt.direction == enrollment.learns_direction,
            before.get((pt.topic_id, pt.direction)),
        )
        for pt in ProgramTopic.objects.filter(program_id=invitation.program_id).select_related("topic")
    ]
    return sorted(rows, key=lambda r: (not r.learned, r.name))


@dataclass
class ProgramFigures:
    program: Program
    participants: int = 0
    active_pairs: int = 0
    behind: int = 0
    held_week: int = 0
    held_total: int = 0
    cancelled_week: int = 0
    surveys_sent: int = 0
    surveys_answered: int = 0
    satisfaction: float | None = None
    satisfaction_suppressed: bool = False

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.surveys_answered / self.surveys_sent) if self.surveys_sent else None


def program_figures(program_ids, *, now: datetime) -> dict[int, ProgramFigures]:
    """The weekly digest's figures for these programs, in a fixed number of grouped queries.

    Aggregates only; the average satisfaction is left out when fewer people than the program's
    anonymity threshold answered (never names, notes or individual answers).
    """
    ids = list(program_ids)
    week_ago = now - timedelta(days=7)
    figures = {p.pk: ProgramFigures(p) for p in Program.objects.filter(pk__in=ids)}
    for row in (
        Enrollment.objects.filter(program_id__in=ids, status=Enrollment.Status.APPROVED)
        .values("program_id")
        .annotate(n=Count("id"))
    ):
        figures[row["program_id"]].participants = row["n"]
    for pair in active_pairs_with_activity(now, program_id__in=ids).select_related("program"):
        fig = figures[pair.program_id]
        fig.active_pairs += 1
        start = silence_start(
            last_session=pair.last_session,
            activated_at=pair.activated_at,
            program_starts=day_start(pair.program.starts_on),
        )
        if not pair.booked_ahead and start and now - start >= nudge_thresholds(pair.program.cadence_weeks)[0]:
            fig.behind += 1
    for row in (
        Meeting.objects.filter(pair__program_id__in=ids)
        .values("pair__program_id")
        .annotate(
            held_total=Count("id", filter=Q(status=Meeting.Status.HELD)),
            held_week=Count(
                "id", filter=Q(status=Meeting.Status.HELD, starts_at__gte=week_ago, starts_at__lte=now)
            ),
        )
    ):
        fig = figures[row["pair__program_id"]]
        fig.held_total, fig.held_week = row["held_total"], row["held_week"]
    for row in (
        MeetingEvent.objects.filter(
            meeting__pair__program_id__in=ids, kind=MeetingEvent.Kind.CANCELLED, at__gte=week_ago, at__lte=now
        )
        .values("meeting__pair__program_id")
        .annotate(n=Count("id"))
    ):
        figures[row["meeting__pair__program_id"]].cancelled_week = row["n"]
    for row in (
        SurveyInvitation.objects.filter(program_id__in=ids, sent_at__isnull=False)
        .values("program_id")
        .annotate(sent=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    ):
        fig = figures[row["program_id"]]
        fig.surveys_sent, fig.surveys_answered = row["sent"], row["answered"]
    for row in (
        SurveyAnswer.objects.filter(
            response__program_id__in=ids, question__measures_satisfaction=True, number__isnull=False
        )
        .values("response__program_id")
        .annotate(avg=Avg("number"), people=Count("response__invitation__recipient_id", distinct=True))
    ):
        fig = figures[row["response__program_id"]]
        if row["people"] >= fig.program.anonymity_k:
            fig.satisfaction = round(float(row["avg"]), 1)
        else:
            fig.satisfaction_suppressed = True
    return figures
