"""Learning measured both ways: the start self-assessment and the end survey's reverse-back answers.

Each side rates itself (1–5) on the topics it came to learn: a junior mentor on the senior's
industry and leadership topics, a senior mentee on the digital topics. The start rating is given at
enrolment (the application form) or, for whoever skipped it there, on the page of this module
before or after the first session; the end rating comes with the end-of-program survey. Both are
``pairing.SkillRating`` rows (enrolment × topic × direction × phase), which the dashboard turns
into the gain in each direction. The end survey also asks the "reverse-back" questions (take part
again? the other way next time?), stored as one :class:`~surveys.models.ReturnIntent` per person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pairing.models import Enrollment, LearningInterest, Pair, SkillRating
from programs.models import Direction, Program, ProgramTopic
from surveys.models import ReturnIntent, SurveyInvitation, SurveyResponse

log = logging.getLogger(__name__)

START, END = SkillRating.Phase.ENROLMENT, SkillRating.Phase.END


# --- what a person rates -------------------------------------------------------------------------


@dataclass(frozen=True)
class LearningTopic:
    topic_id: int
    name: str
    direction: str
    score: int | None  # this person's start rating, when given

    @property
    def field_name(self) -> str:
        return f"learn_{self.topic_id}"


def learning_topics(enrollment: Enrollment) -> list[LearningTopic]:
    """The program's topics this person came to learn, with their start rating (two queries).

    Their learning interests narrow the menu's topics of the direction they learn in; someone whose
    interests name none of them rates all of that direction's topics.
    """
    direction = enrollment.learns_direction
    interests = LearningInterest.objects.filter(profile__user_id=enrollment.user_id, topic=OuterRef("topic"))
    menu = list(
        ProgramTopic.objects.filter(program_id=enrollment.program_id, direction=direction)
        .select_related("topic")
        .annotate(wanted=Exists(interests))
        .order_by("topic__name")
    )
    wanted = [pt for pt in menu if pt.wanted] or menu
    scores = dict(
        SkillRating.objects.filter(enrollment=enrollment, phase=START, direction=direction).values_list(
            "topic_id", "score"
        )
    )
    return [LearningTopic(pt.topic_id, pt.topic.name, direction, scores.get(pt.topic_id)) for pt in wanted]


def start_rating_open(enrollment: Enrollment) -> bool:
    """May this person (still) give their start rating: approved, the program not closed, and no
    end-of-program rating yet (a start given after the end would not be a start)."""
    return (
        enrollment.status == Enrollment.Status.APPROVED
        and enrollment.program.status != Program.Status.CLOSED
        and not SkillRating.objects.filter(enrollment=enrollment, phase=END).exists()
    )


def enrollments_missing_start(user) -> list[Enrollment]:
    """The person's approved enrolments (in a started pair) with no start rating on what they learn:
    "My surveys" asks for it, since the application form left it optional. One query."""
    # A rating in the direction the person learns in (a mentor learns what seniors teach).
    learned = Q(direction=Direction.SENIOR_TEACHES, enrollment__role=Enrollment.Role.MENTOR) | Q(
        direction=Direction.JUNIOR_TEACHES, enrollment__role=Enrollment.Role.MENTEE
    )
    rated = SkillRating.objects.filter(learned, enrollment=OuterRef("pk"), phase=START)
    ended = SkillRating.objects.filter(enrollment=OuterRef("pk"), phase=END)
    paired = Pair.objects.filter(
        Q(mentor=OuterRef("pk")) | Q(mentee=OuterRef("pk")), status=Pair.Status.ACTIVE
    )
    return list(
        Enrollment.objects.filter(Exists(paired), user=user, status=Enrollment.Status.APPROVED)
        .exclude(program__status=Program.Status.CLOSED)
        .exclude(Exists(ended))
        .exclude(Exists(rated))
        .select_related("program")
        .order_by("program__name")
    )


def get_enrollment_for_learner(user, pk: int) -> Enrollment:
    """The signed-in person's own enrolment (404 for anyone else's)."""
    return get_object_or_404(Enrollment.objects.select_related("program", "user"), pk=pk, user=user)


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def learning_start_save(*, enrollment: Enrollment, scores: dict[int, int]) -> int:
    """Store (or replace) this person's start rating of the topics they came to learn.

    ``scores`` maps topic ids to 1–5; topics outside what they learn are refused. Returns how many
    ratings were stored. Raises ValidationError (nothing stored) once the end rating exists.
    """
    enrollment = Enrollment.objects.select_for_update().select_related("program").get(pk=enrollment.pk)
    if not start_rating_open(enrollment):
        raise ValidationError(
            _("Your starting point can no longer change: the program has ended for you."), code="closed"
        )
    topics = {t.topic_id: t for t in learning_topics(enrollment)}
    errors = {}
    for topic_id, score in scores.items():
        if topic_id not in topics:
            errors["__all__"] = _("One of the topics is not one you came to learn in this program.")
        elif not isinstance(score, int) or not 1 <= score <= 5:
            errors[topics[topic_id].field_name] = _("Rate this topic from 1 to 5.")
    if not scores:
        errors["__all__"] = _("Rate at least one topic.")
    if errors:
        raise ValidationError(errors)
    direction = enrollment.learns_direction
    SkillRating.objects.filter(
        enrollment=enrollment, phase=START, direction=direction, topic_id__in=list(scores)
    ).delete()
    SkillRating.objects.bulk_create(
        [
            SkillRating(enrollment=enrollment, topic_id=t, direction=direction, phase=START, score=s)
            for t, s in scores.items()
        ]
    )
    log.info("start self-assessment stored for enrolment %s", enrollment.pk)
    return len(scores)


# --- reverse-back ------------------------------------------------------------------------------

AGAIN_LABEL = gettext_lazy("Would you take part in reverse mentoring again?")
OTHER_WAY_LABELS = {
    # A junior mentor would be mentored by a senior; a senior mentee would mentor a junior.
    Enrollment.Role.MENTOR: gettext_lazy(
        "Next time, would you like to be mentored the other way, by a senior colleague?"
    ),
    Enrollment.Role.MENTEE: gettext_lazy("Next time, would you mentor a junior colleague the other way?"),
}


def asks_reverse_back(invitation: SurveyInvitation) -> bool:
    return invitation.kind == SurveyInvitation.Kind.END_PROGRAM and invitation.program.reverse_back_questions


def return_intent_save(
    *, invitation: SurveyInvitation, response: SurveyResponse, answers: dict[str, str]
) -> ReturnIntent | None:
    """Store the reverse-back answers with their survey response (inside its transaction).

    ``answers``: {"again": …, "other_way": …}, each "yes", "maybe" or "no"; both are required.
    """
    if not asks_reverse_back(invitation):
        return None
    valid = set(ReturnIntent.Answer.values)
    errors = {
        f"rb_{name}": _("Please answer this question.")
        for name in ("again", "other_way")
        if answers.get(name) not in valid
    }
    if errors:
        raise ValidationError(errors)
    intent, _created = ReturnIntent.objects.update_or_create(
        enrollment_id=invitation.enrollment_id,
        defaults={
            "program_id": invitation.program_id,
            "response": response,
            "again": answers["again"],
            "other_way": answers["other_way"],
            "answered_at": response.submitted_at or timezone.now(),
        },
    )
    return intent
