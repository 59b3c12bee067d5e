"""The circles section for program leads: sessions held, attendance, survey quality and topics
taught per circle, every figure through :mod:`evaluation.disclosure`.

A circle is a group of people: each figure about it has the circle's people as its population, so
a circle of fewer than k people shows nothing but its name (its zeros included), and every rate or
mean inherits the protection of the counts it comes from. No total across circles is published: with
one, a hidden circle's figure would be the total minus the shown ones (and secondary suppression
would then hide the big circles too). Notes are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass

from circles.selectors import CircleFigures, circle_figures
from evaluation import disclosure
from evaluation.disclosure import Cell, Fig


@dataclass
class CircleRow:
    name: str
    kind: str
    sessions_held: Cell
    attendance: Cell
    quality: Cell
    topics: Cell


@dataclass
class CircleReport:
    rows: list[CircleRow]
    k: int


def _row(fig: CircleFigures, held: Cell, k: int) -> CircleRow:
    about = fig.people
    attended = disclosure.figure(Fig(fig.attended, n=fig.attendees, population=about), k)
    going = disclosure.figure(Fig(fig.going, n=fig.going_people, population=about), k)
    rate = fig.attended / fig.going if fig.going else None
    mean = sum(fig.ratings) / len(fig.ratings) if fig.ratings else None
    quality = disclosure.figure(Fig(mean, n=fig.raters, population=about), k)
    topics = ", ".join(sorted(fig.topics)) or "—"
    return CircleRow(
        name=fig.circle.name, kind=fig.circle.get_kind_display(), sessions_held=held,
        attendance=disclosure.derived(rate, attended, going, held, n=fig.going_people),
        quality=quality, topics=disclosure.derived(topics, held))


def circle_report(program) -> CircleReport:
    """Every circle of the program (accepted ones), protected for the program's k."""
    k = program.anonymity_k
    figures = circle_figures(program)
    held = [disclosure.figure(Fig(f.sessions_held, n=f.people, population=f.people), k) for f in figures]
    return CircleReport(rows=[_row(f, c, k) for f, c in zip(figures, held, strict=True)], k=k)
