"""A goal the program cannot have reached yet reads "In progress" while it runs, "Not met" after."""

from __future__ import annotations

import pytest

from programs.models import Program
from tests.evaluation import builders as b
from tests.evaluation.helpers import get_dashboard, table

pytestmark = pytest.mark.django_db


def _goals(client, program) -> dict[str, tuple[str, str]]:
    report = get_dashboard(client, program).context["report"]
    return {r[0]: (r[2], r[3].code, str(r[3])) for r in table(report, "goals").rows}


def test_a_sessions_goal_not_yet_reached_is_in_progress_while_the_program_runs(client, lead, six_pairs):
    program = six_pairs.program
    b.goal(program, "sessions_reached", "Everyone meets twelve times", sessions=12, target=80)
    client.force_login(lead)

    goals = _goals(client, program)

    assert goals["Everyone meets twelve times"] == ("0 %", "in_progress", "In progress")
    assert goals["Pairs keep meeting"][1] == "met"  # already reached: met, not merely in progress
    assert goals["People answer surveys"][1] == "not_met"  # judged as it stands


def test_after_the_end_a_sessions_goal_not_reached_is_not_met(client, lead, six_pairs):
    program = six_pairs.program
    b.goal(program, "sessions_reached", "Everyone meets twelve times", sessions=12, target=80)
    Program.objects.filter(pk=program.pk).update(ends_on=b.NOW.date().replace(day=1))
    client.force_login(lead)

    assert _goals(client, program)["Everyone meets twelve times"][1] == "not_met"
