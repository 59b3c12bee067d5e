"""What surveys holds about a person: invitations and their own answers (see accounts/privacy.py)."""

from __future__ import annotations

from accounts.privacy import row
from surveys.models import ReturnIntent, SafetyPulse, SurveyAnswer, SurveyInvitation


def export(user) -> dict:
    invitations = SurveyInvitation.objects.filter(recipient=user).select_related("response")
    answers = SurveyAnswer.objects.filter(response__invitation__recipient=user)
    return {
        "invitations": [row(i, exclude=("token_hash", "reminder_token_hash", "claim_id"))
                        for i in invitations],
        "answers": [row(a) for a in answers],
        # The junior mentor's own pulse answers (their note included: it is theirs) and reverse-back.
        "safety_pulses": [row(p, exclude=("token_hash",))
                          for p in SafetyPulse.objects.filter(recipient=user)],
        "return_intents": [row(r) for r in ReturnIntent.objects.filter(enrollment__user=user)],
    }


def erase(user) -> None:
    # Ratings stay (they only ever count in aggregates); words the person wrote go.
    SurveyAnswer.objects.filter(response__invitation__recipient=user).update(text="")
    SurveyInvitation.objects.filter(recipient=user).update(token_hash=None, reminder_token_hash=None)
    SafetyPulse.objects.filter(recipient=user).update(note="", token_hash=None)
