"""The shapes the API answers with. Pydantic models, so the OpenAPI schema comes from the code."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field


class ProblemOut(Schema):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, str | int | None]] = Field(
        default_factory=list, description="Per field or per row: field (or row), message."
    )


class GoalOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    target: float | None
    direction: str


class TopicOut(Schema):
    id: int
    name: str
    direction: str


class FrameworkOut(Schema):
    cadence_weeks: int
    session_minutes: int
    min_sessions: int
    meeting_modes: str
    mentor_responsibilities: str
    mentee_responsibilities: str
    communication_guidelines: str
    leads_can_read_summaries: bool
    anonymity_k: int


class ProgramOut(Schema):
    id: int
    name: str
    description: str
    status: str
    cohort: str
    enrolment_opens: dt.date | None
    enrolment_closes: dt.date | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    updated_at: dt.datetime
    goals: list[GoalOut]
    topics: list[TopicOut]
    framework: FrameworkOut


class PersonOut(Schema):
    id: int
    email: str
    full_name: str
    job_title: str
    department: str
    level: int | None
    manager_id: int | None
    location: str
    is_active: bool
    updated_at: dt.datetime


class EnrolmentOut(Schema):
    id: int
    program_id: int
    user_id: int
    role: str
    status: str
    capacity: int
    applied_at: dt.datetime
    decided_at: dt.datetime | None
    updated_at: dt.datetime


class PairOut(Schema):
    id: int
    program_id: int
    mentor_enrolment_id: int
    mentee_enrolment_id: int
    mentor_user_id: int
    mentee_user_id: int
    status: str
    published_at: dt.datetime | None
    updated_at: dt.datetime


class MeetingOut(Schema):
    id: int
    pair_id: int
    status: str
    mode: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    shared_summary: str = Field(description="The pair's shared summary; private reflections are never sent.")
    updated_at: dt.datetime


class QuestionOut(Schema):
    id: int
    survey: str
    order: int
    kind: str
    text: str
    choices: list[str]
    required: bool


class FigureOut(Schema):
    section: str
    table: str | None
    label: str
    row: str | None
    value: float | None = Field(description="null when held back; see reason.")
    reason: Literal["fewer_than_k", "could_reveal_small_group", "no_data"] | None


class DashboardOut(Schema):
    program_id: int
    k: int
    filters: dict[str, str]
    figures: list[FigureOut]


class MatchRunOut(Schema):
    id: int
    program_id: int
    status: str
    progress: int
    stage: str
    matched: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


class PublishOut(Schema):
    published: int


class DecisionIn(Schema):
    decision: Literal["approved", "waitlisted", "declined"]


class EnrolmentRowIn(Schema):
    email: str = Field(max_length=254)
    role: str = Field(description='"mentor" or "mentee"', max_length=20)
    capacity: int | None = Field(None, description="Mentors only: mentees at most (1 to the program's limit)")
    status: str | None = Field(None, description='"approved", "waitlisted" or "applied" (default "approved")')


class EnrolmentsIn(Schema):
    enrolments: list[EnrolmentRowIn] = Field(min_length=1, max_length=1000)


class EnrolmentRowOut(Schema):
    row: int
    outcome: Literal["created", "updated", "unchanged"]
    enrolment_id: int


class EnrolmentsOut(Schema):
    results: list[EnrolmentRowOut]


NEXT_CURSOR = "Pass as ?cursor= for the next page; null on the last."


class ProgramPage(Schema):
    items: list[ProgramOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class EnrolmentPage(Schema):
    items: list[EnrolmentOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class PairPage(Schema):
    items: list[PairOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)
