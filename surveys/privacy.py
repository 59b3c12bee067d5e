"""What surveys holds about a person: invitations and their own answers (see accounts/privacy.py)."""

from __future__ import annotations

from accounts.privacy import row
from surveys.models import SurveyAnswer, SurveyInvitation


def export(user) -> dict:
    invitations = SurveyInvitation.objects.filter(recipient=user).select_related("response")
    answers = SurveyAnswer.objects.filter(response__invitation__recipient=user)
    return {
        "invitations": [row(i, exclude=("token_hash", "reminder_token_hash", "claim_id"))
                        for i in invitations],
        "answers": [row(a) for a in answers],
    }


def erase(user) -> None:
    # Ratings stay (they only ever count in aggregates); words the person wrote go.
    SurveyAnswer.objects.filter(response__invitation__recipient=user).update(text="")
    SurveyInvitation.objects.filter(recipient=user).update(token_hash=None, reminder_token_hash=None)
