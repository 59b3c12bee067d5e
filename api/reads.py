"""Read endpoints. Each scopes its rows with the same access helpers and selectors the pages use."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from ninja import Path, Query, Router, Schema
from pydantic import Field

from accounts.roles import is_hr_admin
from api import figures
from api.core import ERRORS, MAX_ID, paginate, require_hr
from api.schemas import (
    DashboardOut,
    EnrolmentPage,
    MeetingPage,
    PairPage,
    PersonPage,
    ProgramOut,
    ProgramPage,
    QuestionOut,
)
from evaluation.selectors import get_program_for_lead
from meetings.models import Meeting
from meetings.selectors import pairs_for_user
from pairing.models import Enrollment, Pair
from programs.models import Program, ProgramTopic
from programs.selectors import get_program_for_reader, people_search

router = Router(tags=["read"])


class ListParams(Schema):
    cursor: str | None = Field(None, max_length=200, description="From the previous page's next_cursor.")
    limit: int = Field(50, ge=1, le=200)
    updated_since: dt.datetime | None = Field(
        None, description="Only rows changed at or after this time (ISO 8601; UTC when no zone is given)."
    )


def _id(description: str = "id"):
    return Path(..., ge=1, le=MAX_ID, description=description)


# --- programs --------------------------------------------------------------------------------


def _readable_programs(user):
    """The programs whose participant-facing page ``user`` may read (see ``can_read_program``)."""
    qs = Program.objects.all()
    if not is_hr_admin(user):
        qs = qs.filter(
            Q(status=Program.Status.ENROLLING) | Q(leads=user) | Q(enrollments__user=user)
        ).distinct()
    return qs.prefetch_related(
        "goals", Prefetch("program_topics", queryset=ProgramTopic.objects.select_related("topic"))
    )


def program_data(program: Program) -> dict:
    return {
        "id": program.pk,
        "name": program.name,
        "description": program.description,
        "status": program.status,
        "cohort": program.cohort,
        "enrolment_opens": program.enrolment_opens,
        "enrolment_closes": program.enrolment_closes,
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "updated_at": program.updated_at,
        "goals": [
            {
                "id": g.pk,
                "title": g.title,
                "description": g.description,
                "kind": g.kind,
                "target": float(g.target) if g.target is not None else None,
                "direction": g.direction,
            }
            for g in program.goals.all()
        ],
        "topics": [
            {"id": pt.topic_id, "name": pt.topic.name, "direction": pt.direction}
            for pt in program.program_topics.all()
        ],
        "framework": {
            name: getattr(program, name)
            for name in (
                "cadence_weeks",
                "session_minutes",
                "min_sessions",
                "meeting_modes",
                "mentor_responsibilities",
                "mentee_responsibilities",
                "communication_guidelines",
                "leads_can_read_summaries",
                "anonymity_k",
            )
        },
    }


@router.get("/programs/", response={200: ProgramPage, **ERRORS}, summary="Programs you may read")
def programs_list(request, params: Query[ListParams]):
    page = paginate(
        _readable_programs(request.user),
        cursor=params.cursor,
        limit=params.limit,
        updated_since=params.updated_since,
    )
    return {"items": [program_data(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@router.get("/programs/{program_id}/", response={200: ProgramOut, **ERRORS}, summary="One program")
def program_detail(request, program_id: int = _id()):
    get_program_for_reader(request.user, program_id)  # the page's access rule (404 otherwise)
    return program_data(_readable_programs(request.user).get(pk=program_id))


@router.get(
    "/programs/{program_id}/survey-questions/",
    response={200: list[QuestionOut], **ERRORS},
    summary="The program's survey questions",
)
def survey_questions(request, program_id: int = _id()):
    program = get_program_for_reader(request.user, program_id)
    return [
        {
            "id": q.pk,
            "survey": q.survey,
            "order": q.order,
            "kind": q.kind,
            "text": q.text,
            "choices": [str(c) for c in (q.choices or [])],
            "required": q.required,
        }
        for q in program.survey_questions.order_by("survey", "order", "id")
    ]


class DashboardParams(Schema):
    date_from: str = Field("", alias="from", max_length=20, description="YYYY-MM-DD")
    date_to: str = Field("", alias="to", max_length=20, description="YYYY-MM-DD")
    department: str = Field("", max_length=100)
    cohort: str = Field("", max_length=7, description="Intake month, YYYY-MM")


@router.get(
    "/programs/{program_id}/dashboard/",
    response={200: DashboardOut, **ERRORS},
    summary="Dashboard figures (program leads and HR admins)",
)
def dashboard(request, program_id: int = _id(), params: Query[DashboardParams] = None):
    program = get_program_for_lead(request.user, program_id)
    query = {
        "from": params.date_from,
        "to": params.date_to,
        "department": params.department,
        "cohort": params.cohort,
    }
    return figures.dashboard_figures(program, query)


# --- people, enrolments, pairs, meetings --------------------------------------------------------


@router.get("/people/", response={200: PersonPage, **ERRORS}, summary="Employees (HR admins only)")
def people(request, params: Query[ListParams]):
    require_hr(request)
    page = paginate(
        people_search(""), cursor=params.cursor, limit=params.limit, updated_since=params.updated_since
    )
    return page


class EnrolmentParams(ListParams):
    program: int | None = Field(None, ge=1, le=MAX_ID, description="Only this program's enrolments.")


@router.get(
    "/enrolments/",
    response={200: EnrolmentPage, **ERRORS},
    summary="Enrolments: all for HR admins, your own for everyone else",
)
def enrolments(request, params: Query[EnrolmentParams]):
    qs = (
        Enrollment.objects.all()
        if is_hr_admin(request.user)
        else Enrollment.objects.filter(user=request.user)
    )
    if params.program:
        qs = qs.filter(program_id=params.program)
    return paginate(qs, cursor=params.cursor, limit=params.limit, updated_since=params.updated_since)


def pair_data(pair: Pair) -> dict:
    return {
        "id": pair.pk,
        "program_id": pair.program_id,
        "mentor_enrolment_id": pair.mentor_id,
        "mentee_enrolment_id": pair.mentee_id,
        "mentor_user_id": pair.mentor.user_id,
        "mentee_user_id": pair.mentee.user_id,
        "status": pair.status,
        "published_at": pair.published_at,
        "updated_at": pair.updated_at,
    }


@router.get(
    "/pairs/",
    response={200: PairPage, **ERRORS},
    summary="Pairs: all for HR admins, your own published pairs for participants",
)
def pairs(request, params: Query[EnrolmentParams]):
    qs = Pair.objects.select_related("mentor", "mentee")
    if not is_hr_admin(request.user):
        # As pairing.selectors.get_pair_for_user: published pairs the person is in.
        qs = qs.filter(
            Q(mentor__user=request.user) | Q(mentee__user=request.user), published_at__isnull=False
        )
    if params.program:
        qs = qs.filter(program_id=params.program)
    page = paginate(qs, cursor=params.cursor, limit=params.limit, updated_since=params.updated_since)
    return {"items": [pair_data(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@router.get(
    "/meetings/",
    response={200: MeetingPage, **ERRORS},
    summary="Your own pairs' meetings (never HR's or leads': sessions belong to the pair)",
)
def meetings(request, params: Query[ListParams]):
    # Only the log's shared summary is loaded: private reflections are never even queried.
    qs = Meeting.objects.filter(pair__in=pairs_for_user(request.user)).select_related("log")
    page = paginate(qs, cursor=params.cursor, limit=params.limit, updated_since=params.updated_since)
    items = []
    for m in page["items"]:
        log = getattr(m, "log", None)
        items.append(
            {
                "id": m.pk,
                "pair_id": m.pair_id,
                "status": m.status,
                "mode": m.mode,
                "starts_at": m.starts_at,
                "ends_at": m.ends_at,
                "shared_summary": log.shared_summary if log else "",
                "updated_at": m.updated_at,
            }
        )
    return {"items": items, "next_cursor": page["next_cursor"]}
