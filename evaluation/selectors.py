"""Reads behind the evaluation dashboards: aggregate querysets only, a fixed number per page.

The dashboard's reads live in :mod:`evaluation.cube_reads` and :mod:`evaluation.pair_reads`
(its filters and periods in :mod:`evaluation.periods`); this module gathers them into one
:func:`dashboard_data` and holds access, certificates and shared summaries. Two kinds of reads:

* **Cubes** — figures about people (enrolment, survey answers, invitations, cancellations, skill
  ratings, topics learned), grouped by the person's department, level band and intake month.
  Every measure in a cube row is additive (a person sits in exactly one cell), so the department
  and cohort filters, their complements and the breakdown tables are sums of cells in Python:
  the result sets are bounded by the number of cells, not by the data.
* **Pair reads** — figures about pairs (sessions held against the cadence, pairs at risk, sessions
  per week): one aggregate over the program's pairs with the filter applied in SQL, together with
  the same figures for the pairs *outside* the filter (so a filtered page cannot be subtracted
  from the unfiltered one to reveal a small group).

Nothing here reads session text: no shared summaries (see :func:`shared_summaries`, a separate
page behind the program's switch), and never private reflections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import is_hr_admin
from evaluation import reporting_periods
from evaluation.cube_reads import (  # noqa: F401 - re-exported: the report and the tests read them here
    ELIGIBLE,
    LEVEL_BANDS,
    answers_cube,
    band_of,
    enrollment_cube,
    events_and_invitations,
    topic_cube,
)
from evaluation.disclosure import Span
from evaluation.learning_reads import return_intent_cube
from evaluation.models import ManagerNote, RecognitionConsent
from evaluation.pair_reads import held_periods, pair_figures
from evaluation.periods import (  # noqa: F401
    Bucket,
    Filters,
    Window,
    pair_q,
    person_q,
    program_weeks,
    series_candidates,
    series_levels,
    series_spans,
    window_for,
)
from meetings.models import Meeting, SessionLog
from notifications import outbox
from pairing.models import Enrollment, Pair
from programs.models import Goal, Program

# --- access ----------------------------------------------------------------------------------


def programs_for_viewer(user) -> QuerySet[Program]:
    """Programs whose dashboards this person may open: all for HR admins, led ones for leads."""
    programs = Program.objects.order_by("-starts_on", "-created_at", "name")
    if is_hr_admin(user):
        return programs
    if not user.is_authenticated:
        return programs.none()
    return programs.filter(leads=user)


def get_program_for_lead(user, pk: int) -> Program:
    """The program if the person leads it or is an HR admin; everyone else gets a 404."""
    program = programs_for_viewer(user).filter(pk=pk).first()
    if program is None:
        raise Http404
    return program



def goals_of(program: Program) -> list[Goal]:
    return list(program.goals.all())


# PostgreSQL planner settings for the dashboard's aggregate reads. By default the planner keeps
# tables under 8 MB to one process; a dashboard scans whole fact tables (sessions, invitations,
# answers) of about that size, and parallel workers and in-memory sorts cut those scans and joins.
# work_mem: at 25,000 pairs (a million answers) the answers' GROUP BY sorts ~45 MB in each process
# and the invitations' ~95 MB in one; at 32 MB they spilled to disk (EXPLAIN on the benchmark's
# database; tests/evaluation/test_query_plans.py checks the plans). Only these reads get it.
ANALYTIC_SETTINGS = {"min_parallel_table_scan_size": "0", "parallel_setup_cost": "100",
                     "parallel_tuple_cost": "0.01", "work_mem": "128MB",
                     "jit": "off"}


@contextmanager
def analytic_reads() -> Iterator[None]:
    """Plan the reads inside for aggregates (PostgreSQL), then put the connection back as it was.

    Two queries: one to set, one to reset (a transaction with ``SET LOCAL`` would cost three:
    BEGIN, SET, COMMIT). A connection whose reset fails is closed. Behind a pooler in transaction
    mode, use SET LOCAL instead: session settings would move between clients there.
    """
    if connection.vendor != "postgresql":
        yield
        return
    names = list(ANALYTIC_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, false)"] * len(names)),
                       [item for pair in ANALYTIC_SETTINGS.items() for item in pair])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(name, reset_val, false) FROM pg_settings "
                               "WHERE name = ANY(%s)", [names])
        except DatabaseError:
            connection.close()  # never hand a connection with these settings to the next request


@dataclass(frozen=True)
class Timeline:
    """The program's weeks, the levels a series can be shown at, and its reporting periods.

    The same for every filter (see :mod:`evaluation.reporting_periods`): read once per render, and
    reusable by any caller that renders several queries of one program at the same moment.
    """

    weeks: tuple[Bucket, ...]
    end: dt.datetime
    levels: list[list[tuple[int, int]]]
    level: int
    periods: list[Span]

    @property
    def bounds(self) -> list[tuple[int, int]]:
        return [(p.first, p.last) for p in self.periods]


def reporting_timeline(program: Program, enrollments: list[dict], *,
                       now: dt.datetime | None = None) -> Timeline:
    """The reporting periods, the same for every filter: each is safe for every windowed figure
    (see evaluation.reporting_periods); date windows are widened to whole periods of them."""
    k = program.anonymity_k
    weeks, end = program_weeks(program, now=now)
    levels = series_levels(weeks)
    checks = reporting_periods.period_people(program, reporting_periods.groups_of(enrollments, k),
                                             weeks, levels, end)
    level, periods = reporting_periods.reporting_periods(checks, levels, k)
    return Timeline(weeks=weeks, end=end, levels=levels, level=level, periods=periods)


def dashboard_data(program: Program, filters: Filters, *, enrollments: list[dict] | None = None,
                   now: dt.datetime | None = None, timeline: Timeline | None = None) -> dict:
    """Every read of one dashboard: a fixed number of queries, whatever the data size.

    ``enrollments``: the enrolment cube when the caller already read it (for the filter form);
    ``timeline``: the reporting periods when the caller already read them (at the same ``now``).
    """
    enrollments = enrollment_cube(program) if enrollments is None else enrollments
    timeline = timeline or reporting_timeline(program, enrollments, now=now)
    weeks, end, levels, level = timeline.weeks, timeline.end, timeline.levels, timeline.level
    rows = held_periods(program, filters, weeks, levels, end)
    window = window_for(program, filters, now=now, periods=timeline.bounds)
    # The sessions chart: the finest level whose periods inside the window are safe for the
    # sessions held (in and outside the filter) and each lie inside one reporting period; the
    # reporting periods themselves when no level is (see reporting_periods.chart_spans).
    level, spans, merged = reporting_periods.chart_spans(
        series_candidates(rows, levels, scoped=filters.people), timeline.level, timeline.periods,
        window.first_week, window.last_week, program.anonymity_k)
    events, invitations = events_and_invitations(program, window)  # one query for both cubes
    goals = goals_of(program)
    goal_sessions = [g.sessions for g in goals if g.kind == Goal.Kind.SESSIONS_REACHED and g.sessions]
    return {
        "window": window,
        "goals": goals,
        "enrollments": enrollments,
        "pairs": pair_figures(program, filters, window, goal_sessions=goal_sessions),
        "series": {"level": level, "spans": spans, "merged": merged, "rows": rows, "levels": levels,
                   "weeks": weeks, "periods": timeline.periods},
        "events": events,
        # Satisfaction over time is shown by reporting period (a month could cut one).
        "answers": answers_cube(program, filters, window,
                                [(weeks[p.first].start.date(), weeks[p.last].end) for p in timeline.periods]),
        "invitations": invitations,
        "topics": topic_cube(program, filters, window),
        # issue 18: the end survey's reverse-back answers (not windowed: asked once, at the end)
        "return_intents": return_intent_cube(program),
    }


# --- certificates and shared summaries ---------------------------------------------------------------


def shared_summaries(program: Program) -> QuerySet[SessionLog]:
    """Shared session summaries of a program (never private reflections: that model is not read)."""
    return (SessionLog.objects.filter(meeting__pair__program=program)
            .exclude(shared_summary="")
            .select_related("meeting__pair__mentor__user", "meeting__pair__mentee__user")
            .prefetch_related("topics_by_mentor", "topics_by_mentee")
            .only("id", "shared_summary", "meeting__starts_at", "meeting__pair__mentor__user__full_name",
                  "meeting__pair__mentor__user__email", "meeting__pair__mentee__user__full_name",
                  "meeting__pair__mentee__user__email")
            .order_by("-meeting__starts_at", "-id"))


def _took_part() -> Q:
    """Enrolments that were in a pair that started (both people accepted)."""
    return (Q(Exists(Pair.objects.filter(mentor=OuterRef("pk"), activated_at__isnull=False)))
            | Q(Exists(Pair.objects.filter(mentee=OuterRef("pk"), activated_at__isnull=False))))


def _held_sessions() -> Coalesce:
    rows = (Meeting.objects.filter(Q(pair__mentor=OuterRef("pk")) | Q(pair__mentee=OuterRef("pk")),
                                   status=Meeting.Status.HELD)
            .order_by().values("status").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(rows), 0)


def certificate_enrollment_for_user(user, program_pk: int) -> Enrollment:
    """The signed-in person's own enrolment in a program they took part in; 404 otherwise."""
    enrollment = (Enrollment.objects.filter(_took_part(), user=user, program_id=program_pk)
                  .select_related("program", "user__manager").first())
    if enrollment is None:
        raise Http404
    return enrollment


@dataclass(frozen=True)
class CertificateFacts:
    sessions_held: int
    taught: list[str]
    learned: list[str]


def certificate_facts(enrollment: Enrollment) -> CertificateFacts:
    """Sessions held and topics taught and learned by one participant (topic tags only, no text)."""
    side = "pair__mentor" if enrollment.is_mentor else "pair__mentee"
    held = Meeting.objects.filter(**{side: enrollment}, status=Meeting.Status.HELD)
    logs = SessionLog.objects.filter(meeting__in=held)
    by_mentor = set(logs.values_list("topics_by_mentor__name", flat=True))
    by_mentee = set(logs.values_list("topics_by_mentee__name", flat=True))
    taught, learned = (by_mentor, by_mentee) if enrollment.is_mentor else (by_mentee, by_mentor)
    return CertificateFacts(sessions_held=held.count(), taught=sorted(t for t in taught if t),
                            learned=sorted(t for t in learned if t))


def certificate_notices_due(*, since) -> list[int]:
    """Enrolments of programs closed since ``since`` that took part and were not told yet."""
    return list(Enrollment.objects.filter(
        _took_part(), program__status=Program.Status.CLOSED, program__closed_at__gte=since,
        program__purged_at__isnull=True, certificate_notice__isnull=True).values_list("pk", flat=True))


def programs_with_manager_notes_due() -> QuerySet[Program]:
    """Closed programs with a consenting junior mentor whose manager has no note yet (or only the
    claim of a worker that died). Programs closed before the job existed (no ``closed_at``) wait
    for HR's button: their consents may be old, and the note says the mentor has just finished."""
    lease_start = timezone.now() - outbox.lease()
    handled = ManagerNote.objects.filter(Q(sent_at__isnull=False) | Q(claimed_at__gte=lease_start),
                                         enrollment=OuterRef("pk"))
    waiting = Enrollment.objects.filter(
        _took_part(), ~Exists(handled), program=OuterRef("pk"), role=Enrollment.Role.MENTOR,
        recognition_consent__isnull=False, user__manager__is_active=True)
    return Program.objects.filter(Exists(waiting), status=Program.Status.CLOSED, closed_at__isnull=False,
                                  purged_at__isnull=True)


def usable_manager(user) -> User | None:
    """The person's manager when a note can reach them (on record, active, with an address)."""
    manager = user.manager
    return manager if manager is not None and manager.is_active and manager.email else None


def consenting_mentors(program: Program) -> QuerySet[Enrollment]:
    """Junior mentors of the program who took part and agreed to a note to their manager."""
    return (Enrollment.objects.filter(_took_part(), program=program, role=Enrollment.Role.MENTOR,
                                      recognition_consent__isnull=False)
            .select_related("user__manager").order_by("user__full_name", "pk"))


def certificate_participants(program: Program) -> QuerySet[Enrollment]:
    """Everyone who gets a certificate, with sessions held, consent and whether a note went out."""
    return (Enrollment.objects.filter(_took_part(), program=program)
            .select_related("user__manager")
            .annotate(sessions_held=_held_sessions(),
                      consented=Exists(RecognitionConsent.objects.filter(enrollment=OuterRef("pk"))),
                      note_sent=Exists(ManagerNote.objects.filter(enrollment=OuterRef("pk"),
                                                                  sent_at__isnull=False)))
            .order_by("role", "user__full_name", "pk"))
