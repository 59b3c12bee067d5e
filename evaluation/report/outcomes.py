"""Sections 4 and 5 of the dashboard: outcomes (two-way learning) and pairs at risk."""

from __future__ import annotations

from django.utils.translation import gettext as _

from evaluation import disclosure
from evaluation.disclosure import Fig
from evaluation.report.cubes import Context, FigureFn, Rows, per_cell, with_cell
from evaluation.report.page import SIGNED, TEXT, Column, Section, Series, Stat, Table, chart
from programs.models import Direction

# 4. Outcomes ---------------------------------------------------------------------------------------------


def _outcomes(ctx: Context) -> Section:
    cubes, k = ctx.cubes, ctx.k
    skills = [r for r in ctx.data["topics"] if r["source"] == "skill"]
    learners = {Direction.JUNIOR_TEACHES: _("What senior mentees learned"),
                Direction.SENIOR_TEACHES: _("What junior mentors learned")}
    gain = _gain_fn()
    skill_table = Table("skills", _("Skill gains in each direction"),
                        [Column(_("Topic"), TEXT), Column(_("Who learned"), TEXT),
                         Column(_("Average gain"), SIGNED), Column(_("Learners"))],
                        note=_("Self-assessed skill (1–5) at the end minus at enrolment, averaged over the "
                               "people who rated the topic both times."),
                        empty=_("No end-of-program skill ratings yet."))
    stats = []
    ctx.results["skill_gain"] = {}
    for direction, title in learners.items():
        mine = [r for r in skills if r["t_direction"] == direction]
        topic_ids = sorted({r["t_topic"] for r in mine}, key=lambda t: next(
            r["t_name"] for r in mine if r["t_topic"] == t))
        per_topic = per_cell(mine, lambda r: "all")
        overall = cubes.cell(per_topic, gain)
        ctx.results["skill_gain"][direction] = overall
        stats.append(Stat(title, overall, SIGNED,
                          note=_("Average gain in self-assessed skill, 1–5 scale.")))
        groups, forced, labels = [], [], []
        for topic_id in topic_ids:
            rows = [r for r in mine if r["t_topic"] == topic_id]
            fig = cubes.fig(rows, gain)
            groups.append(fig)
            forced.append(cubes.forced(rows, gain))
            labels.append(rows[0]["t_name"])
        cells, _t = disclosure.breakdown(groups, cubes.fig(per_topic, gain), k, forced=forced)
        for label, cell, fig in zip(labels, cells, groups, strict=True):
            skill_table.rows.append([label, title, cell, with_cell(cell, fig.n)])
    if skill_table.rows:
        all_labels = [row[0] + " — " + (_("seniors") if row[1] == learners[Direction.JUNIOR_TEACHES]
                                        else _("juniors")) for row in skill_table.rows]
        skill_table.chart = chart("bar", all_labels, [
            Series(_("Average gain"), [r[2] for r in skill_table.rows], SIGNED)], k, horizontal=True)
    topics = _topics_table(ctx)
    return Section("outcomes", _("Outcomes and two-way learning"),
                   intro=_("Whether the program meets its goals, and what each side learned."),
                   stats=stats, tables=[skill_table, topics])


def _gain_fn() -> FigureFn:
    def fn(rs: Rows) -> Fig:
        n = sum(r["ratings"] for r in rs)
        gain = (sum(r["end_sum"] or 0 for r in rs) - sum(r["start_sum"] or 0 for r in rs)) / n if n else None
        return Fig(gain, sum(r["people"] for r in rs))
    return fn


def _topics_table(ctx: Context) -> Table:
    table = Table("topics", _("Topics covered in sessions, by direction"),
                  [Column(_("Topic"), TEXT), Column(_("Taught by"), TEXT), Column(_("Sessions")),
                   Column(_("Learners"))],
                  note=_("From the topics tagged in session logs (never their text). Learners: distinct "
                         "people who learned the topic in at least one session."),
                  empty=_("No topics logged yet."))
    teachers = {Direction.JUNIOR_TEACHES: _("Junior mentor"), Direction.SENIOR_TEACHES: _("Senior mentee")}
    taught = [r for r in ctx.data["topics"] if r["source"] == "taught"]
    for direction, teacher in teachers.items():
        rows = sorted((r for r in taught if r["t_direction"] == direction), key=lambda r: r["t_name"])
        for row in rows:
            rests = (row["rest_people"],) if ctx.filters.people else ()
            cell = disclosure.figure(Fig(row["sessions"], row["people"], rests), ctx.k)
            table.rows.append([row["t_name"], teacher, cell, with_cell(cell, row["people"])])
    return table


# 5. Act ----------------------------------------------------------------------------------------------------


def _act(ctx: Context) -> Section:
    k = ctx.k
    reasons = [("risk_exit", _("Asked HR to end the pair or rematch")),
               ("risk_low", _("Low session ratings (below 3 of 5 on average, last 8 weeks)")),
               ("risk_behind", _("Behind the cadence"))]
    groups = [ctx.pair(name) for name, _label in reasons]
    # The names below give the number of pairs away, so the total counts as shown.
    cells, total = disclosure.breakdown(groups, ctx.pair("at_risk"), k, total_known=True)
    table = Table("at_risk", _("Pairs at risk, by first reason"),
                  [Column(_("Reason"), TEXT), Column(_("Pairs"))],
                  rows=[[label, cell] for (_n, label), cell in zip(reasons, cells, strict=True)],
                  note=_("Active pairs only. Each pair counts once, under the first reason that applies "
                         "(in this order). Reasons are never shown per pair."))
    table.rows.append([_("All pairs at risk"), total])
    return Section("act", _("Act: pairs at risk"),
                   intro=_("Pairs to contact. Names only: never notes, individual ratings or the reason "
                           "for a particular pair."),
                   tables=[table], extra={"names": True})


