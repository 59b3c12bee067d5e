"""What circles holds about a person: their memberships, answers, ratings, own private reflections,
the shared notes of their circles' sessions and their action items (see accounts/privacy.py)."""

from __future__ import annotations

from django.db.models import Q

from accounts.privacy import row
from circles.models import (
    CircleActionItem,
    CircleFeedback,
    CircleMember,
    CircleNote,
    CircleReflection,
    CircleRsvp,
)


def export(user) -> dict:
    memberships = CircleMember.objects.filter(enrollment__user=user).select_related("circle")
    return {
        "circles": [{**row(m), "circle": m.circle.name, "kind": m.circle.kind} for m in memberships],
        "circle_answers": [row(r) for r in CircleRsvp.objects.filter(user=user)],
        "circle_ratings": [row(f) for f in CircleFeedback.objects.filter(user=user)],
        "circle_notes": [row(n) for n in CircleNote.objects.filter(
            session__circle__in=[m.circle_id for m in memberships])],
        # Only the person's own reflections: the other members' stay private even here.
        "my_circle_reflections": [row(r) for r in CircleReflection.objects.filter(author=user)],
        "circle_action_items": [row(a) for a in CircleActionItem.objects.filter(
            Q(owner=user) | Q(created_by=user))],
    }


def erase(user) -> None:
    CircleReflection.objects.filter(author=user).delete()
    CircleFeedback.objects.filter(user=user).delete()
    CircleActionItem.objects.filter(owner=user).delete()
    # Summaries the person wrote are about the whole circle: their words go with them.
    CircleNote.objects.filter(updated_by=user).update(shared_summary="")
