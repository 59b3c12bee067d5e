"""Who would come back: the end survey's reverse-back answers on the dashboard (issue 18 item 3).

Practitioners judge a reverse mentoring program by how many seniors volunteer again. The section
adds to "Outcomes" a key figure (senior mentees who would take part again: count and share) and a
table of both questions for both sides. Every figure goes through ``disclosure``: the "yes" and
"not yes" counts of a question are a breakdown of the people who answered it (so a share never
gives away a small rest), and the two roles' answer counts a breakdown of everyone who answered.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from evaluation import disclosure
from evaluation.disclosure import Cell
from evaluation.report.cubes import Context, FigureFn, Rows
from evaluation.report.page import PERCENT, TEXT, Column, Section, Stat, Table
from pairing.models import Enrollment

YES = "yes"
SENIORS, JUNIORS = Enrollment.Role.MENTEE, Enrollment.Role.MENTOR


def _people(test) -> FigureFn:
    def fn(rows: Rows) -> disclosure.Fig:
        n = sum(r["people"] or 0 for r in rows if test(r))
        return disclosure.Fig(n, n)
    return fn


def _protected(ctx: Context, rows: Rows, fns: list[FigureFn], total_fn: FigureFn) -> tuple[list[Cell], Cell]:
    """Cells of groups that add up to a total, within the dashboard's department/intake selection."""
    cubes = ctx.cubes
    groups = [cubes.fig(rows, fn) for fn in fns]
    forced = [cubes.forced(rows, fn) for fn in fns]
    cells, total = disclosure.breakdown(groups, cubes.fig(rows, total_fn), ctx.k, forced=forced)
    if total is not None and total.shown and cubes.forced(rows, total_fn):
        total = disclosure.hide(total)
        cells = [disclosure.hide(c) for c in cells]
    return cells, total


def add_reverse_back(ctx: Context, outcomes: Section) -> None:
    """Add the re-volunteering figures and table to the outcomes section (also the CSV and API)."""
    rows: Rows = ctx.data.get("return_intents", [])
    answered = {role: _people(lambda r, role=role: r["role"] == role) for role in (SENIORS, JUNIORS)}
    (senior_n, junior_n), _all = _protected(ctx, rows, [answered[SENIORS], answered[JUNIORS]],
                                            _people(lambda r: True))
    whole = {SENIORS: senior_n, JUNIORS: junior_n}
    questions = [
        (SENIORS, "again", _("Senior mentees"), _("Would take part again")),
        (SENIORS, "other_way", _("Senior mentees"), _("Would mentor a junior the other way")),
        (JUNIORS, "again", _("Junior mentors"), _("Would take part again")),
        (JUNIORS, "other_way", _("Junior mentors"), _("Would be mentored the other way")),
    ]
    table = Table("reverse_back", _("Who would come back (reverse-back)"),
                  [Column(_("Who"), TEXT), Column(_("Question"), TEXT), Column(_("Said yes")),
                   Column(_("Share of those who answered"), PERCENT), Column(_("Answered"))],
                  note=_("From the end-of-program survey. \"Said yes\" counts people, never names; "
                         "\"maybe\" and \"no\" count as not yes."),
                  empty=_("No end-of-program answers yet."))
    seniors_again: tuple[Cell, Cell] | None = None
    for role, question, who, label in questions:
        yes_fn = _people(lambda r, role=role, q=question: r["role"] == role and r[q] == YES)
        other_fn = _people(lambda r, role=role, q=question: r["role"] == role and r[q] != YES)
        (yes, _other), total = _protected(ctx, rows, [yes_fn, other_fn], answered[role])
        if not whole[role].shown:
            yes, total = disclosure.hide(yes), disclosure.hide(total)
        value = yes.value / total.value if yes.shown and total.shown and total.value else None
        share = disclosure.derived(value, yes, total, n=total.value if total.shown else None)
        if not rows:
            continue
        table.rows.append([who, label, yes, share, total])
        if role == SENIORS and question == "again":
            seniors_again = (yes, share)
    if seniors_again is None:
        empty = Cell(None, disclosure.SHOWN)
        seniors_again = (empty, empty)
    ctx.results["seniors_again"] = seniors_again
    outcomes.stats += [
        Stat(_("Senior mentees who volunteer again"), seniors_again[0],
             note=_("Said yes to taking part again in the end-of-program survey.")),
        Stat(_("Share of senior mentees who volunteer again"), seniors_again[1], PERCENT,
             note=_("Of the senior mentees who answered the end-of-program survey.")),
    ]
    outcomes.tables.append(table)
