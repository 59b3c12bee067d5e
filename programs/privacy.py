"""What programs holds about a person: invitations and program leadership (see accounts/privacy.py).
Stored CSV imports and change histories that name them are swept by accounts.privacy."""

from __future__ import annotations

from accounts.privacy import row
from programs.models import EmployeeInvitation, Program, TopicProposal


def export(user) -> dict:
    return {
        "invitations": [row(i) for i in EmployeeInvitation.objects.filter(user=user)],
        "programs_led": list(Program.objects.filter(leads=user).values_list("name", flat=True)),
        "topic_proposals": [
            row(p, names=("program",), exclude=("proposed_by", "decided_by"))
            for p in TopicProposal.objects.filter(proposed_by=user).select_related("program")],
    }


def erase(user) -> None:
    # A proposal's topic stays (it may be on the menu); who proposed it and why, in their words, go.
    TopicProposal.objects.filter(proposed_by=user).update(proposed_by=None, why="")
    for program in Program.objects.filter(leads=user):
        program.leads.remove(user)
