"""Who may enrol, and which pairs the program's hard rules allow.

The matching engine applies the same hard rules in NumPy for whole programs; these
functions check one candidate pair at a time (HR's manual pairs and swaps) and say why a
pair is refused, in words HR can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import Program

if TYPE_CHECKING:
    from pairing.models import Enrollment


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str = ""


def level_band_eligibility(*, program: Program, level: int | None, role: str) -> Eligibility:
    """Whether a person at ``level`` fits the program's band for ``role`` (mentor|mentee)."""
    if level is None:
        return Eligibility(False, _("Your level is not on record; ask HR to add it."))
    if role == "mentor":
        low, high = program.mentor_level_min, program.mentor_level_max
        if not low <= level <= high:
            return Eligibility(
                False,
                _("Mentors in this program are at levels %(low)s to %(high)s; HR has you at level %(level)s.")
                % {"low": low, "high": high, "level": level},
            )
    else:
        low, high = program.mentee_level_min, program.mentee_level_max
        if not low <= level <= high:
            return Eligibility(
                False,
                _("Mentees in this program are at levels %(low)s to %(high)s; HR has you at level %(level)s.")
                % {"low": low, "high": high, "level": level},
            )
    return Eligibility(True)


def program_eligibility(*, program: Program, existing: Enrollment | None, has_agreement: bool) -> Eligibility:
    """Reasons that apply whatever role the person picks."""
    if program.status != Program.Status.ENROLLING:
        return Eligibility(False, _("Enrolment for this program is not open."))
    if not has_agreement:
        return Eligibility(False, _("HR has not published the program agreement yet; check back soon."))
    if existing is not None:
        if existing.status != existing.Status.WITHDRAWN:
            return Eligibility(
                False,
                _("You have already applied to this program (status: %(status)s).")
                % {"status": existing.get_status_display()},
            )
        if existing.has_pair_history():
            return Eligibility(
                False, _("You left this program after being paired; ask HR if you would like to come back.")
            )
    return Eligibility(True)


def enrollment_eligibility(
    *, program: Program, user: User, role: str, existing: Enrollment | None, has_agreement: bool
) -> Eligibility:
    """Whether ``user`` may apply to ``program`` as ``role``, with the reason when not."""
    general = program_eligibility(program=program, existing=existing, has_agreement=has_agreement)
    if not general.ok:
        return general
    return level_band_eligibility(program=program, level=user.level, role=role)


# --- Hard rules for one pair ----------------------------------------------------------------


def manager_map() -> dict[int, int | None]:
    """Everyone's manager id, in one query (reporting lines reach through non-participants)."""
    return dict(User.objects.values_list("id", "manager_id"))


def _chain(person: int, managers: dict[int, int | None]) -> list[int]:
    """The people above ``person``, nearest first; stops at a loop in bad imported data."""
    seen = {person}
    chain: list[int] = []
    current = managers.get(person)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = managers.get(current)
    return chain


def in_reporting_line(a: int, b: int, managers: dict[int, int | None]) -> bool:
    """True when one of the two people is anywhere above the other in the manager chain."""
    return b in _chain(a, managers) or a in _chain(b, managers)


def pair_rule_problems(
    *,
    program: Program,
    mentor: Enrollment,
    mentee: Enrollment,
    managers: dict[int, int | None],
    excluded: set[tuple[int, int]],
) -> list[str]:
    """The program's hard rules this pair would break, in plain words (empty = allowed).

    Same rules as the matching engine: not the same person, no reporting line either way,
    the minimum level gap, the department rule and HR's exclusions.
    """
    a, b = mentor.user, mentee.user
    problems: list[str] = []
    if a.pk == b.pk:
        return [_("A person cannot mentor themselves.")]
    if in_reporting_line(a.pk, b.pk, managers):
        problems.append(_("%(a)s and %(b)s are in the same reporting line.") % {"a": a, "b": b})
    if a.level is None or b.level is None:
        missing = a if a.level is None else b
        problems.append(_("%(name)s has no level on record.") % {"name": missing})
    elif b.level - a.level < program.min_level_gap:
        problems.append(
            _(
                "The mentee must be at least %(gap)s levels above the mentor (%(b)s is at %(lb)s, "
                "%(a)s at %(la)s)."
            )
            % {"gap": program.min_level_gap, "a": a, "b": b, "la": a.level, "lb": b.level}
        )
    if program.forbid_same_department and a.department and a.department == b.department:
        problems.append(
            _("This program never pairs people from the same department (%(d)s).") % {"d": a.department}
        )
    if (mentor.pk, mentee.pk) in excluded:
        problems.append(_("HR has ruled out this pair."))
    return problems
