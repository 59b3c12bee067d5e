"""What programs holds about a person: invitations and program leadership (see accounts/privacy.py).
Stored CSV imports and change histories that name them are swept by accounts.privacy."""

from __future__ import annotations

from accounts.privacy import row
from programs.models import EmployeeInvitation, Program


def export(user) -> dict:
    return {
        "invitations": [row(i) for i in EmployeeInvitation.objects.filter(user=user)],
        "programs_led": list(Program.objects.filter(leads=user).values_list("name", flat=True)),
    }


def erase(user) -> None:
    for program in Program.objects.filter(leads=user):
        program.leads.remove(user)
