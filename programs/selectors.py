"""Reads of programs used by several views (and the home page).

Every program taken from a URL goes through one of the `get_*_for_*` helpers, which scope
the query to what the person may see and raise Http404 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import User
from accounts.roles import is_hr_admin
from programs.models import (
    EmployeeImport,
    EmployeeInvitation,
    Program,
    ProgramChange,
    ProgramTopic,
    Resource,
    SurveyQuestion,
)

# What the lifecycle checks read (see programs.lifecycle), fetched once for a whole list.
STATUS_PREFETCH = ["agreement_versions", "program_topics", "leads", "goals", "confidentiality_rules",
                   "survey_questions"]


def _with_status_data(qs: QuerySet[Program]) -> QuerySet[Program]:
    qs = qs.prefetch_related(
        *[name for name in STATUS_PREFETCH if name != "program_topics"],
        Prefetch("program_topics",
                 queryset=ProgramTopic.objects.select_related("topic").order_by("topic__name")),
    )
    if hasattr(Program, "enrollments"):  # the pairing app is installed
        # Whether anyone enrolled (all the status checks ask), not how many: counting joined every
        # enrolment of the program, 10-20 ms on each HR page of a 20,000-person program.
        enrollments = Program.enrollments.rel.related_model.objects.filter(program=OuterRef("pk"))
        qs = qs.annotate(has_enrollments=Exists(enrollments))
    return qs


def programs_for_hr() -> QuerySet[Program]:
    """Every program, newest first, with what its status bar needs (constant query count)."""
    return _with_status_data(Program.objects.order_by("-created_at", "-id"))


def hr_home(user: User) -> dict[str, object]:
    """What an HR admin's home panel shows: open programs and their next missing step."""
    programs = list(programs_for_hr().exclude(status=Program.Status.CLOSED)[:10])
    return {"hr_programs": programs}


def get_program_for_hr(user: User, pk: int) -> Program:
    """A program an HR admin manages (they manage all of them); 404 for anyone else."""
    if not is_hr_admin(user):
        raise Http404
    program = _with_status_data(Program.objects.filter(pk=pk)).first()
    if program is None:
        raise Http404
    return program


def get_program_page(user: User, pk: int) -> Program:
    """The HR program page: the program with every list it shows, in a fixed number of queries."""
    if not is_hr_admin(user):
        raise Http404
    program = (
        _with_status_data(Program.objects.filter(pk=pk))
        .select_related("cloned_from", "created_by")
        .prefetch_related(
            Prefetch("changes", queryset=ProgramChange.objects.select_related("actor")[:20],
                     to_attr="recent_changes"),
            "resources",
        )
        .first()
    )
    if program is None:
        raise Http404
    return program


def can_read_program(user: User, program: Program) -> bool:
    """HR admins, the program's leads and its participants; anyone signed in while it enrols."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_hr_admin(user) or program.status == Program.Status.ENROLLING:
        return True
    if program.leads.filter(pk=user.pk).exists():
        return True
    enrollments = getattr(program, "enrollments", None)
    return bool(enrollments is not None and enrollments.filter(user=user).exists())


def get_program_for_reader(user: User, pk: int) -> Program:
    """A program whose participant-facing page `user` may read; 404 otherwise."""
    program = Program.objects.filter(pk=pk).first()
    if program is None or not can_read_program(user, program):
        raise Http404
    return program


@dataclass
class AboutPage:
    program: Program
    audience: str  # Resource.Audience value, or "" to show every audience
    resources: list[Resource]
    agreement: object


def program_about(user: User, program: Program) -> AboutPage:
    """What participants read about a program; resources only for their side when they have one."""
    audience = ""
    enrollments = getattr(program, "enrollments", None)
    if enrollments is not None:
        enrollment = enrollments.filter(user=user).first()
        role = getattr(enrollment, "role", "")
        audience = {"mentor": Resource.Audience.MENTORS, "mentee": Resource.Audience.MENTEES}.get(role, "")
    resources = list(program.resources.all())
    if audience:
        resources = [r for r in resources if r.audience in (audience, Resource.Audience.BOTH)]
    return AboutPage(program=program, audience=audience, resources=resources,
                     agreement=program.current_agreement())


def program_history(program: Program) -> QuerySet[ProgramChange]:
    return program.changes.select_related("actor").order_by("-at", "-id")


def questions_by_survey(program: Program) -> list[tuple[str, str, bool, list[SurveyQuestion]]]:
    """(survey key, label, switched on, questions) for each of the three surveys, in order."""
    switches = {
        SurveyQuestion.Survey.AFTER_SESSION: program.survey_after_session,
        SurveyQuestion.Survey.MID_PROGRAM: program.survey_mid_program,
        SurveyQuestion.Survey.END_PROGRAM: program.survey_end_program,
    }
    questions = list(program.survey_questions.all())
    return [(key, label, switches[key], [q for q in questions if q.survey == key])
            for key, label in SurveyQuestion.Survey.choices]


def people_search(q: str = "") -> QuerySet[User]:
    """Employees for the People page, with their manager and latest invitation (no N+1)."""
    last_invited = (EmployeeInvitation.objects.filter(user=OuterRef("pk"))
                    .order_by("-sent_at").values("sent_at")[:1])
    qs = User.objects.select_related("manager").annotate(last_invited_at=Subquery(last_invited))
    q = q.strip()
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(email__icontains=q) | Q(department__icontains=q)
                       | Q(job_title__icontains=q))
    return qs.order_by("full_name", "email")


def get_import_for_hr(user: User, pk: int) -> EmployeeImport:
    """An import the signed-in HR admin uploaded; 404 for anyone else's."""
    if not is_hr_admin(user):
        raise Http404
    employee_import = EmployeeImport.objects.filter(pk=pk, uploaded_by=user).first()
    if employee_import is None:
        raise Http404
    return employee_import
