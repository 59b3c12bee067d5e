"""What a program needs before it may take its next lifecycle step.

Each check looks at one program and returns a `Missing` item (or a plain sentence) when
something blocks the step, or None. Checks read related rows through ``.all()`` so a page
that prefetched them (see `selectors.programs_for_hr`) runs no query per program.

Apps higher in the stack add their own rules without programs importing them, e.g. in
``pairing/apps.py``::

    from programs.lifecycle import register_step_check
    register_step_check("running", lambda program: None if pairs_published(program)
                        else "Publish the pairs")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.dates import show_date

if TYPE_CHECKING:
    from programs.models import Program


@dataclass(frozen=True)
class Missing:
    """One thing to do before the next step; `section` names the program page section to fix it."""

    text: str
    section: str = ""

    def __str__(self) -> str:
        return str(self.text)


# A check returns None (nothing missing), one item, or a list of items.
Check = Callable[["Program"], "Missing | str | list[Missing | str] | None"]

# Target status -> checks. "*" applies to every step up to running (the configuration must
# stay complete while the program is open: an emptied framework would hurt later steps too).
_CHECKS: dict[str, list[Check]] = {"*": [], "enrolling": [], "matching": [], "running": [], "closed": []}
_CONFIGURATION_TARGETS = {"enrolling", "matching", "running"}


def register_step_check(target_status: str, check: Check) -> Check:
    """Add a rule that must hold before a program moves to `target_status`."""
    if target_status not in _CHECKS:
        raise ValueError(f"Unknown lifecycle status {target_status!r}")
    if check not in _CHECKS[target_status]:
        _CHECKS[target_status].append(check)
    return check


def missing_for(program: Program) -> list[Missing]:
    target = program.next_status
    if target is None:
        return []
    checks = list(_CHECKS.get(target, []))
    if target in _CONFIGURATION_TARGETS:
        checks = _CHECKS["*"] + checks
    found: list[Missing] = []
    for check in checks:
        result = check(program)
        if not result:
            continue
        for item in result if isinstance(result, list | tuple) else [result]:
            found.append(item if isinstance(item, Missing) else Missing(str(item)))
    return found


# --- the configuration every open program needs --------------------------------------------


def _agreement(program: Program) -> Missing | None:
    if program.published_agreement() is None:
        return Missing(_("Publish the agreement"), "agreement")
    return None


def _responsibilities(program: Program) -> Missing | None:
    if not program.mentor_responsibilities.strip() or not program.mentee_responsibilities.strip():
        return Missing(_("Describe the roles and responsibilities of mentors and mentees"), "framework")
    return None


def _session_length(program: Program) -> Missing | None:
    if not program.session_minutes or not program.cadence_weeks or not program.min_sessions:
        return Missing(_("Set the session length, cadence and minimum number of sessions"), "framework")
    return None


def _enrolment_dates(program: Program) -> Missing | None:
    if not program.enrolment_opens or not program.enrolment_closes:
        return Missing(_("Set the enrolment dates"), "overview")
    return None


def _program_dates(program: Program) -> Missing | None:
    if not program.starts_on or not program.ends_on:
        return Missing(_("Set when the program starts and ends"), "overview")
    return None


def _topics(program: Program) -> Missing | None:
    from programs.models import Direction

    directions = {pt.direction for pt in program.program_topics.all()}
    if not {Direction.JUNIOR_TEACHES, Direction.SENIOR_TEACHES} <= directions:
        return Missing(_("Add at least one topic in each direction"), "topics")
    return None


def _leads(program: Program) -> Missing | None:
    if not program.leads.all():
        return Missing(_("Assign a program lead"), "leads")
    return None


def _goals(program: Program) -> Missing | None:
    if not program.goals.all():
        return Missing(_("Add at least one goal"), "goals")
    return None


def _rules(program: Program) -> Missing | None:
    if not program.confidentiality_rules.all():
        return Missing(_("Add at least one confidentiality rule"), "confidentiality")
    return None


def _survey_questions(program: Program) -> list[Missing] | None:
    from programs.models import SurveyQuestion

    present = {q.survey for q in program.survey_questions.all()}
    needed = [
        (program.survey_after_session, SurveyQuestion.Survey.AFTER_SESSION,
         _("Add questions to the after-session survey (or turn it off)")),
        (program.survey_mid_program, SurveyQuestion.Survey.MID_PROGRAM,
         _("Add questions to the mid-program survey (or turn it off)")),
        (program.survey_end_program, SurveyQuestion.Survey.END_PROGRAM,
         _("Add questions to the end-of-program survey (or turn it off)")),
    ]
    return [Missing(text, "surveys") for on, survey, text in needed if on and survey not in present] or None


def _someone_enrolled(program: Program) -> Missing | None:
    # Enrolments belong to the pairing app; reach them through the related name only.
    enrolled = getattr(program, "has_enrollments", None)  # annotated by programs.selectors
    if enrolled is None:
        enrollments = getattr(program, "enrollments", None)
        if enrollments is None:
            return None
        enrolled = enrollments.exists()
    if not enrolled:
        return Missing(_("Wait for people to enrol (nobody has enrolled yet)"), "")
    return None


def _program_ended(program: Program) -> Missing | None:
    # Closing early is still possible: set the end date to today first (recorded in the history).
    if program.ends_on and program.ends_on > timezone.localdate():
        return Missing(_("Wait until the program ends on %(date)s (or move the end date)")
                       % {"date": show_date(program.ends_on)}, "overview")
    return None


for _check in (_agreement, _responsibilities, _session_length, _enrolment_dates, _program_dates,
               _topics, _leads, _goals, _rules, _survey_questions):
    register_step_check("*", _check)
register_step_check("matching", _someone_enrolled)
register_step_check("closed", _program_ended)
