"""The dashboard as tables, key figures and charts — every number protected by ``disclosure``.

``build(program, filters, data)`` turns the raw reads of :mod:`evaluation.selectors` into a
:class:`Report`: sections of key figures and tables. The HTML page, the print view and every CSV
export render the same :class:`Table` objects, so a figure hidden on the page is hidden in the
export too. One module per section (``enrolment``, ``engagement``, ``quality``, ``outcomes``,
``breakdowns``, ``goals``); ``page`` holds the page model and ``cubes`` the protected sums.

Cube figures (about people) are computed for the selected department/intake, for the people
outside it (``rests``), and for every group of the same breakdown: a filtered view never shows a
figure that the unfiltered page hides in its department or intake breakdown, so no sequence of
filtered pages adds up to a hidden group.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from evaluation import disclosure
from evaluation.disclosure import Cell, Fig
from evaluation.report.breakdowns import _breakdowns, filter_options
from evaluation.report.cubes import Context, Cubes, Rows, Selection, applications
from evaluation.report.engagement import _engagement
from evaluation.report.enrolment import _enrolment
from evaluation.report.goals import _goals
from evaluation.report.learning import add_reverse_back
from evaluation.report.outcomes import _act, _outcomes
from evaluation.report.page import Column, Report, Section, Stat, Table, cell_text, csv_rows, display_rows
from evaluation.report.quality import _quality
from evaluation.selectors import Filters, Window
from programs.models import Program

__all__ = ["Column", "Report", "Section", "Stat", "Table", "applications", "build", "cell_text",
           "certificate_summary", "csv_rows", "display_rows", "filter_options"]


def split_answers(rows: Rows) -> tuple[Rows, Rows]:
    """The answers cube as (answer rows with their question's text and flags, satisfaction cells)."""
    questions = {r["q"]: r for r in rows if r["source"] == "question"}
    answers = []
    for row in rows:
        if row["source"] != "answers":
            continue
        meta = questions.get(row["q"], {})
        answers.append({**row, "label": meta.get("label") or _("(a question since removed)"),
                        "kind": meta.get("qkind") or "", "survey": meta.get("survey"),
                        "order": meta.get("order"), "sat": bool(meta.get("sat")),
                        "fit": bool(meta.get("fit"))})
    return answers, [r for r in rows if r["source"] == "satisfaction"]


def build(program: Program, filters: Filters, data: dict) -> Report:
    k = program.anonymity_k
    answers, satisfaction = split_answers(data["answers"])
    data = {**data, "answers": answers, "satisfaction": satisfaction}
    cubes = Cubes.of(Selection(filters.department, filters.cohort), k, data["enrollments"])
    window: Window = data["window"]
    ctx = Context(program=program, filters=filters, data=data, cubes=cubes, k=k, window=window)
    enrolment = _enrolment(ctx)
    engagement = _engagement(ctx)
    quality = _quality(ctx)
    outcomes = _outcomes(ctx)
    add_reverse_back(ctx, outcomes)
    act = _act(ctx)
    breakdowns = _breakdowns(ctx)
    goals = _goals(ctx)
    outcomes.tables.insert(0, goals)
    names = data["pairs"]["at_risk_names"]
    limit = 50
    for section in (enrolment, engagement, quality, outcomes, act, breakdowns):
        section.k = k
    return Report(program=program, filters=filters, k=k, window=window,
                  sections=[enrolment, engagement, quality, outcomes, act, breakdowns], goals=goals,
                  at_risk_names=names[:limit], at_risk_more=len(names) > limit, all_at_risk=names)



def certificate_summary(participants: Sequence, k: int) -> list[Stat]:
    """Counts for the certificates page (leads see these, never the names)."""
    mentors = [p for p in participants if p.role == "mentor"]
    consented = sum(1 for p in mentors if p.consented)
    sent = sum(1 for p in mentors if p.note_sent)
    total = Fig(len(participants), len(participants))
    mentees = len(participants) - len(mentors)
    (mentor_cell, mentee_cell), total_cell = disclosure.breakdown(
        [Fig(len(mentors), len(mentors)), Fig(mentees, mentees)], total, k)

    def part(n: int, whole: int) -> Cell:
        # A part of a shown whole gives the rest away: both must be none or at least k people.
        return disclosure.figure(Fig(n, n, (whole - n,)), k)
    return [
        Stat(_("Certificates"), total_cell, note=_("Everyone who was in a pair that started.")),
        Stat(_("Junior mentors"), mentor_cell),
        Stat(_("Senior mentees"), mentee_cell),
        Stat(_("Mentors who agreed to a note to their manager"), part(consented, len(mentors))),
        Stat(_("Notes sent to managers"), part(sent, consented)),
    ]

