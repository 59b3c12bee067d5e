"""What pairing holds about a person: their profile, enrolments, pairs and exit requests
(see accounts/privacy.py for how export and erasure use this)."""

from __future__ import annotations

from django.db.models import Q

from accounts.privacy import row
from pairing.models import Enrollment, ExitRequest, Pair, Profile


def export(user) -> dict:
    profile = (Profile.objects.filter(user=user)
               .prefetch_related("expertise__topic", "interests__topic", "availability").first())
    enrollments = Enrollment.objects.filter(user=user).prefetch_related("training", "skill_ratings__topic")
    pairs = Pair.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
    return {
        "profile": row(profile) if profile else None,
        "expertise": [row(e, names=("topic",)) for e in profile.expertise.all()] if profile else [],
        "learning_interests": [row(i, names=("topic",)) for i in profile.interests.all()] if profile else [],
        "availability": [row(a) for a in profile.availability.all()] if profile else [],
        "enrollments": [
            {**row(e), "training": [row(t) for t in e.training.all()],
             "skill_ratings": [row(s, names=("topic",)) for s in e.skill_ratings.all()]}
            for e in enrollments
        ],
        "pairs": [row(p, exclude=("explanation", "parts")) for p in pairs],
        "exit_requests": [row(x) for x in ExitRequest.objects.filter(requested_by=user)],
    }


def erase(user) -> None:
    Profile.objects.filter(user=user).delete()  # expertise, interests, availability cascade
    Enrollment.objects.filter(user=user).update(learn_goals="", teach_goals="")
    ExitRequest.objects.filter(requested_by=user).update(reason="")
    # Explanations name both people by first name: drop them for every pair the person was in.
    Pair.objects.filter(Q(mentor__user=user) | Q(mentee__user=user)).update(explanation="", parts={})
