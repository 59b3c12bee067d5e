"""Reads for the survey pages and the jobs; each costs a fixed number of queries.

``get_invitation_for_user`` and ``invitation_for_token`` scope what a URL may reach.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pairing.models import SkillRating
from programs.models import ProgramTopic, SurveyQuestion
from surveys.models import SurveyInvitation

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
