"""The writes of the survey pages: answering a survey, and stopping nudges.

The periodic jobs live beside them: :mod:`surveys.invitations` (survey invitations and reminders),
:mod:`surveys.nudges` (nudges and escalations), :mod:`surveys.digests` (the leads' weekly digest);
meeting reminders are in :mod:`meetings.reminders`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from pairing.models import SkillRating
from programs.models import SurveyQuestion
from surveys import learning, selectors
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse

log = logging.getLogger(__name__)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- answering a survey --------------------------------------------------------------------


class AlreadyAnswered(Exception):  # noqa: N818 - reads as the situation, like Http404
    """The invitation has its answers already; nothing was stored a second time."""


RANGES = {SurveyQuestion.Kind.RATING: (1, 5), SurveyQuestion.Kind.RECOMMENDATION: (0, 10)}


def _answer_rows(questions, answers: dict[int, object]) -> list[SurveyAnswer]:
    errors: dict[str, str] = {}
    rows = []
    for question in questions:
        if question.kind == SurveyQuestion.Kind.SKILLS:
            continue
        value = answers.get(question.pk)
        empty = value is None or (isinstance(value, str) and not value.strip())
        key = f"q_{question.pk}"
        if empty:
            if question.required:
                errors[key] = _("Please answer this question.")
            continue
        row = SurveyAnswer(question=question, question_text=question.text, kind=question.kind)
        if question.kind in RANGES:
            low, high = RANGES[question.kind]
            if not isinstance(value, int) or not low <= value <= high:
                errors[key] = _("Pick a number from %(low)s to %(high)s.") % {"low": low, "high": high}
                continue
            row.number = value
        elif question.kind == SurveyQuestion.Kind.CHOICE:
            if value not in question.choices:
                errors[key] = _("Pick one of the options.")
                continue
            row.text = value
        else:
            row.text = str(value).strip()[:2000]
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows


def _skill_rows(
    invitation: SurveyInvitation, questions, skills: dict[tuple[int, str], int]
) -> list[SkillRating]:
    asked = [q for q in questions if q.kind == SurveyQuestion.Kind.SKILLS]
    if not asked:
        return []
    errors: dict[str, str] = {}
    ratings = []
    for row in selectors.skill_rows_for(invitation):
        score = skills.get((row.topic_id, row.direction))
        if score is None:
            if any(q.required for q in asked):
                errors[row.field_name] = _("Rate this topic from 1 to 5.")
            continue
        if not isinstance(score, int) or not 1 <= score <= 5:
            errors[row.field_name] = _("Rate this topic from 1 to 5.")
            continue
        ratings.append(
            SkillRating(
                enrollment_id=invitation.enrollment_id,
                topic_id=row.topic_id,
                direction=row.direction,
                phase=SkillRating.Phase.END,
                score=score,
            )
        )
    if errors:
        raise ValidationError(errors)
    return ratings


@transaction.atomic
def survey_response_submit(
    *,
    invitation: SurveyInvitation,
    answers: dict[int, object],
    skills: dict[tuple[int, str], int] | None = None,
    reverse_back: dict[str, str] | None = None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Store the answers to one invitation, once.

    ``answers`` maps question ids to a number (rating, recommendation), an option or a text;
    ``skills`` maps (topic id, direction) to a 1–5 self-assessment (end-of-program survey, stored
    as the enrolment's end-phase skill ratings); ``reverse_back`` the end survey's reverse-back
    answers (see :mod:`surveys.learning`; None: not asked). Raises :class:`AlreadyAnswered` for a second
    submit and ValidationError (code "expired") once the invitation has closed; stores nothing then.
    """
    now = _now(now)
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("program", "enrollment")
        .get(pk=invitation.pk)
    )
    if invitation.answered_at is not None:
        raise AlreadyAnswered
    if invitation.sent_at is None:
        raise ValidationError(_("This survey has not been sent yet."), code="not_sent")
    if invitation.is_expired(now):
        raise ValidationError(_("This survey closed before your answers arrived."), code="expired")
    questions = selectors.questions_for(invitation)
    answer_rows = _answer_rows(questions, answers)
    ratings = _skill_rows(invitation, questions, skills or {})
    response = SurveyResponse(
        invitation=invitation, program=invitation.program, kind=invitation.kind, submitted_at=now
    )
    response.full_clean(exclude=["invitation"])
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise AlreadyAnswered from None
    for row in answer_rows:
        row.response = response
    SurveyAnswer.objects.bulk_create(answer_rows)
    if reverse_back is not None:
        # Raises (rolling the whole response back) when a reverse-back answer is missing.
        learning.return_intent_save(invitation=invitation, response=response, answers=reverse_back)
    if ratings:
        SkillRating.objects.filter(
            enrollment_id=invitation.enrollment_id, phase=SkillRating.Phase.END
        ).delete()
        SkillRating.objects.bulk_create(ratings)
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    log.info("survey invitation %s answered", invitation.pk)
    return response


# --- nudge preference ----------------------------------------------------------------------


@transaction.atomic
def nudges_unsubscribe(*, user_id: int) -> User | None:
    """Stop nudge e-mails for this person (escalations to leads are not theirs to stop)."""
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    if not user.nudges_opt_out:
        user.nudges_opt_out = True
        user.save(update_fields=["nudges_opt_out"])
        log.info("user %s unsubscribed from nudges", user.pk)
    return user
