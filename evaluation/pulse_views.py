"""HR's view of the junior mentors' private pulse: a trend per program, and the alerts.

HR admins only (program leads get a 404: the pulse is never theirs to see, not even as a trend).
The trend is protected like every dashboard figure (``disclosure``: a round answered by fewer
than k mentors shows "fewer than k"); the alerts name the pair and show the mentor's note, because
HR handles exits and must be able to act.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import hr_admin_required
from evaluation import disclosure, learning_reads
from evaluation.disclosure import Fig
from evaluation.report.page import AVERAGE, PERCENT, TEXT, Column, Series, Table, chart
from programs.models import Program


def pulse_trend(program: Program, rows: list[dict]) -> Table:
    """The average comfort score and the share at or below the alert level, per pulse round."""
    k = program.anonymity_k
    table = Table("pulse_trend", _("Comfort giving honest feedback, per pulse"),
                  [Column(_("Pulse"), TEXT), Column(_("Mentors who answered")),
                   Column(_("Average (1–5)"), AVERAGE), Column(_("Share at 2 or below"), PERCENT)],
                  note=_("Each junior mentor is asked every few weeks after their pair started. "
                         "A pulse answered by fewer than %(k)s mentors is not shown.") % {"k": k},
                  empty=_("No pulse answered yet."))
    for row in rows:
        people = disclosure.figure(Fig(row["people"], row["people"]), k)
        mean = row["total"] / row["answers"] if row["answers"] else None
        average = disclosure.derived(mean, people)
        answered = Fig(row["people"], row["people"])
        low = disclosure.share(Fig(row["low_people"], row["low_people"]), answered, k)
        weeks = program.safety_pulse_weeks * row["round"]
        label = _("Pulse %(n)s (week %(w)s)") % {"n": row["round"], "w": weeks}
        table.rows.append([label, people, average, low])
    if table.rows:
        table.chart = chart("line", [r[0] for r in table.rows],
                            [Series(_("Average (1–5)"), [r[2] for r in table.rows], AVERAGE, kind="line")],
                            k, min=1, max=5)
    return table


@hr_admin_required
@require_GET
def pulse(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    table = pulse_trend(program, learning_reads.pulse_rounds(program))
    return render(request, "evaluation/pulse.html", {
        "program": program, "table": table, "k": program.anonymity_k,
        "alerts": learning_reads.pulse_alerts(program)})
