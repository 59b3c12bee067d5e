"""What evaluation holds about a person: recognition consent and notes (see accounts/privacy.py)."""

from __future__ import annotations

from accounts.privacy import row
from evaluation.models import ManagerNote, RecognitionConsent


def export(user) -> dict:
    return {
        "recognition_consents": [row(c) for c in RecognitionConsent.objects.filter(enrollment__user=user)],
        "manager_notes": [row(n) for n in ManagerNote.objects.filter(enrollment__user=user)],
    }


def erase(user) -> None:
    RecognitionConsent.objects.filter(enrollment__user=user).delete()
