"""Reads for issue 18 items 3 + 4: who would come back (reverse-back), and the junior mentors' pulse.

* :func:`return_intent_cube` — the end survey's reverse-back answers by role, answer and the
  person's cell (department, level, intake), one query; the dashboard sums cells like its other
  cubes (:mod:`evaluation.cube_reads`), so the department/intake filter and its protections apply.
* :func:`pulse_rounds` and :func:`pulse_alerts` — HR's view of the private pulse: scores per
  round as aggregates, and the answers that raised an alert (these name the pair: HR handles
  exits). Program leads never reach either.
"""

from __future__ import annotations

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from evaluation.cube_reads import _cube, _dims
from programs.models import Program
from surveys.models import ReturnIntent, SafetyPulse
from surveys.pulse import LOW


def return_intent_cube(program: Program) -> list[dict]:
    """Reverse-back answers: people by role, "again", "other_way" and cell."""
    return _cube(ReturnIntent.objects.filter(program=program)
                 .values("again", "other_way", role=F("enrollment__role"), **_dims("enrollment__"))
                 .annotate(people=Count("enrollment", distinct=True)))


def pulse_rounds(program: Program) -> list[dict]:
    """Per pulse round: pulses sent, answers, the distinct mentors who answered, the sum of
    scores and the answers at or below the alert level (one query)."""
    answered = Q(score__isnull=False)
    return list(SafetyPulse.objects.filter(program=program, sent_at__isnull=False).order_by()
                .values("round")
                .annotate(sent=Count("id"), answers=Count("id", filter=answered),
                          people=Count("enrollment", distinct=True, filter=answered),
                          total=Sum("score", filter=answered),
                          low=Count("id", filter=Q(score__lte=LOW)),
                          low_people=Count("enrollment", distinct=True, filter=Q(score__lte=LOW)))
                .order_by("round"))


def pulse_alerts(program: Program) -> list[SafetyPulse]:
    """The answers that alerted HR, newest first, with the pair's previous score (one query)."""
    previous = (SafetyPulse.objects.filter(pair=OuterRef("pair"), round__lt=OuterRef("round"),
                                           score__isnull=False)
                .order_by("-round").values("score")[:1])
    return list(SafetyPulse.objects.filter(program=program).exclude(alert="")
                .select_related("pair__mentor__user", "pair__mentee__user")
                .annotate(previous=Subquery(previous))
                .order_by("-answered_at", "-id"))
