"""Reads behind the evaluation dashboards: aggregate querysets only, a fixed number per page.

Two kinds of reads:

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
from dataclasses import dataclass, field

from django.db import DatabaseError, connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Floor, Greatest, Least
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import is_hr_admin
from evaluation.expressions import EpochSeconds, GroupConcat, Median, MonthStart, WeekStart
from evaluation.models import ManagerNote, RecognitionConsent
from meetings.models import Meeting, MeetingEvent, SessionLog
from notifications import outbox
from pairing.models import Enrollment, ExitRequest, Pair, SkillRating
from programs.models import Direction, Goal, Program, SurveyQuestion
from surveys.models import SurveyAnswer, SurveyInvitation

# Level bands of the breakdown (inclusive; None = no upper limit).
LEVEL_BANDS: tuple[tuple[int, int | None], ...] = ((1, 3), (4, 6), (7, 9), (10, 12), (13, None))
# A pair whose session ratings (the satisfaction questions after its sessions) of the last RECENT
# weeks average below this (1–5) is at risk.
LOW_RATING = 3
RECENT = dt.timedelta(weeks=8)
# At most this many weekly buckets; earlier sessions count in the first one.
MAX_WEEKS = 104
ELIGIBLE = "eligible"  # the status of the eligible-but-not-applied rows of the enrolment cube
FENCE = 10**9  # "all rows", as a LIMIT (see pair_figures)
FIELD_SEP, ROW_SEP = "\x1f", "\x1e"  # ASCII unit and record separators: never in a name or address
MEASURED = (Pair.Status.ACTIVE, Pair.Status.COMPLETED)
MATCHED = (Pair.Status.PROPOSED, Pair.Status.ACTIVE, Pair.Status.COMPLETED, Pair.Status.ENDED_EARLY)
KINDS = [k.value for k in SurveyInvitation.Kind]
RECOMMENDATION_GROUPS = {
    "promoters": Q(kind=SurveyQuestion.Kind.RECOMMENDATION, number__gte=9),
    "passives": Q(kind=SurveyQuestion.Kind.RECOMMENDATION, number__gte=7, number__lte=8),
    "detractors": Q(kind=SurveyQuestion.Kind.RECOMMENDATION, number__lte=6),
}
NUMERIC_KINDS = (SurveyQuestion.Kind.RATING, SurveyQuestion.Kind.RECOMMENDATION)


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


# --- filters and time window -------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters (validated by ``forms.FilterForm``)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    department: str | None = None
    cohort: dt.date | None = None  # first day of the intake month

    @property
    def people(self) -> bool:
        """Does a filter select a group of people (department or intake)?"""
        return self.department is not None or self.cohort is not None

    def as_query(self) -> dict[str, str]:
        data = {"from": self.date_from, "to": self.date_to, "department": self.department,
                "cohort": self.cohort.strftime("%Y-%m") if self.cohort else None}
        return {key: str(value) for key, value in data.items() if value not in (None, "")}


@dataclass(frozen=True)
class Bucket:
    start: dt.datetime
    end: dt.datetime

    @property
    def label_date(self) -> dt.date:
        return self.start.date()

    def days_in(self, lower: dt.datetime | None, upper: dt.datetime) -> float:
        """Days of this bucket inside [lower, upper)."""
        start = max(self.start, lower) if lower else self.start
        end = min(self.end, upper)
        return max(0.0, (end - start).total_seconds() / 86400)


@dataclass(frozen=True)
class Window:
    """The period the engagement figures cover, in the viewer's time zone."""

    start: dt.datetime | None  # the `from` filter (inclusive)
    end: dt.datetime  # now, the program's end or the `to` filter, whichever comes first (exclusive)
    program_start: dt.datetime | None
    buckets: tuple[Bucket, ...] = field(default_factory=tuple)

    @property
    def lower(self) -> dt.datetime | None:
        """Nothing is expected of a pair before the program starts or the `from` date."""
        bounds = [b for b in (self.start, self.program_start) if b is not None]
        return max(bounds) if bounds else None


def _midnight(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def window_for(program: Program, filters: Filters, *, now: dt.datetime | None = None) -> Window:
    tz = dt.UTC
    now = now or timezone.now()
    program_start = _midnight(program.starts_on, tz) if program.starts_on else None
    ends = [now]
    if program.ends_on:
        ends.append(_midnight(program.ends_on + dt.timedelta(days=1), tz))
    if filters.date_to:
        ends.append(_midnight(filters.date_to + dt.timedelta(days=1), tz))
    end = min(ends)
    start = _midnight(filters.date_from, tz) if filters.date_from else None
    first_day = (filters.date_from or program.starts_on or timezone.localtime(program.created_at, tz).date())
    first_day = min(first_day, timezone.localtime(end, tz).date())
    monday = first_day - dt.timedelta(days=first_day.weekday())
    buckets = []
    cursor = _midnight(monday, tz)
    while cursor < end:
        following = _midnight(cursor.date() + dt.timedelta(days=7), tz)
        buckets.append(Bucket(cursor, following))
        cursor = following
    if len(buckets) > MAX_WEEKS:
        buckets = buckets[-MAX_WEEKS:]
    return Window(start=start, end=end, program_start=program_start, buckets=tuple(buckets))


def _between(path: str, window: Window) -> Q:
    q = Q(**{f"{path}__lt": window.end})
    if window.start:
        q &= Q(**{f"{path}__gte": window.start})
    return q


# --- people: who is in the selection ------------------------------------------------------------


def person_q(filters: Filters, prefix: str = "") -> Q | None:
    """The enrolments a department/intake filter selects (``prefix`` leads to an Enrollment)."""
    if not filters.people:
        return None
    q = Q()
    if filters.department is not None:
        q &= Q(**{f"{prefix}user__department": filters.department})
    if filters.cohort is not None:
        tz = dt.UTC
        month = filters.cohort.replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        q &= Q(**{f"{prefix}applied_at__gte": _midnight(month, tz),
                  f"{prefix}applied_at__lt": _midnight(following, tz)})
    return q


def pair_q(filters: Filters, prefix: str = "") -> Q | None:
    """Pairs with at least one member in the selection."""
    mentor, mentee = person_q(filters, f"{prefix}mentor__"), person_q(filters, f"{prefix}mentee__")
    return None if mentor is None else mentor | mentee


def _dims(prefix: str) -> dict[str, object]:
    """Department, level and intake month (UTC) of the enrolment at ``prefix``.

    The raw level is grouped on (cheaper than a CASE per row); ``_cube`` adds its band.
    """
    return {
        "d_department": F(f"{prefix}user__department"),
        "d_level": F(f"{prefix}user__level"),
        "d_cohort": MonthStart(f"{prefix}applied_at"),
    }


def _role_dims(mentor_prefix: str, mentee_prefix: str, is_mentor: Q) -> dict[str, object]:
    """Cube dimensions of whichever member a row is about (the mentor when ``is_mentor``)."""
    def pick(field: str):
        return Case(When(is_mentor, then=F(f"{mentor_prefix}{field}")), default=F(f"{mentee_prefix}{field}"))

    applied = Case(When(is_mentor, then=F(f"{mentor_prefix}applied_at")),
                   default=F(f"{mentee_prefix}applied_at"), output_field=DateTimeField())
    return {"d_department": pick("user__department"), "d_level": pick("user__level"),
            "d_cohort": MonthStart(applied)}


def _null(field) -> Cast:
    return Cast(Value(None), field)


def band_of(level: int | None) -> int:
    """The level band's position in LEVEL_BANDS, from 1 (0 = level not recorded)."""
    if level is not None:
        for index, (low, high) in enumerate(LEVEL_BANDS, start=1):
            if level >= low and (high is None or level <= high):
                return index
    return 0


def _cube(rows) -> list[dict]:
    """Cube rows with the level band of their ``d_level``."""
    if isinstance(rows, QuerySet) and not rows.query.combinator:
        rows = rows.order_by()  # a model's default ordering would join the GROUP BY
    rows = list(rows)
    for row in rows:
        if "d_level" in row:
            row["d_band"] = band_of(row["d_level"])
    return rows


# --- cubes (grouped by department, band and intake) -----------------------------------------------


def enrollment_cube(program: Program) -> list[dict]:
    """Applications by cell, role and status, with how many were matched and started a pair.

    The same query also brings, as rows with status "eligible", the employees in either level band
    who have not applied (the funnel's first stage), through UNION ALL.
    """
    matched = (Q(pairs_as_mentor__published_at__isnull=False, pairs_as_mentor__status__in=MATCHED)
               | Q(pairs_as_mentee__published_at__isnull=False, pairs_as_mentee__status__in=MATCHED))
    active = (Q(pairs_as_mentor__activated_at__isnull=False)
              | Q(pairs_as_mentee__activated_at__isnull=False))
    applied = (Enrollment.objects.filter(program=program).order_by()
               .values("role", "status", **_dims(""))
               .annotate(people=Count("id", distinct=True),
                         matched=Count("id", distinct=True, filter=matched),
                         active=Count("id", distinct=True, filter=active)))
    bands = (Q(level__gte=program.mentor_level_min, level__lte=program.mentor_level_max)
             | Q(level__gte=program.mentee_level_min, level__lte=program.mentee_level_max))
    eligible = (User.objects.filter(bands, is_active=True).exclude(enrollments__program=program).order_by()
                .values(e_role=Value(""), e_status=Value(ELIGIBLE), e_department=F("department"),
                        e_level=F("level"), e_cohort=Value(None, output_field=DateField()))
                .annotate(e_people=Count("id"), e_matched=Value(0), e_active=Value(0)))
    return _cube(applied.union(eligible, all=True))


def answers_cube(program: Program, filters: Filters, window: Window) -> list[dict]:
    """Survey answers: by question, option and month, and satisfaction by cell.

    Three SELECTs in one query (UNION ALL), told apart by ``source``:

    * "answers": rating, recommendation and single-choice answers by question, ``choice`` (the
      option of a single-choice answer) and ``month``, with their people. Like the pair figures,
      the department/intake filter applies in SQL (the respondent's), with the people outside it
      (``rest_*``). Recommendation answers also count promoters, passives and detractors
      (9–10, 7–8, 0–6).
    * "satisfaction": the answers to satisfaction questions by cell (a cube): the headline
      satisfaction, its goal and the breakdown tables.
    * "question": each question's text, survey, order and flags, once.
    """
    person = "response__invitation__enrollment"
    base = SurveyAnswer.objects.filter(_between("response__submitted_at", window), response__program=program)
    scope = person_q(filters, f"{person}__")
    inside = Q() if scope is None else scope

    def people(cond: Q | None = None):
        return Count(person, distinct=True, filter=(cond or Q()) & inside)

    def rest(cond: Q | None = None):
        return Value(0) if scope is None else Count(person, distinct=True, filter=(cond or Q()) & ~scope)

    groups: dict[str, object] = {}
    for name, cond in RECOMMENDATION_GROUPS.items():
        groups[f"{name}_answers"] = Count("id", filter=cond & inside)
        groups[f"{name}_people"] = people(cond)
        groups[f"{name}_rest"] = rest(cond)
    zeros = {name: Value(0) for name in groups}
    no_cell = {"d_department": _null(TextField()), "d_level": _null(IntegerField()),
               "d_cohort": _null(DateField())}
    no_meta = {"qkind": _null(TextField()), "survey": _null(TextField()), "order": _null(IntegerField()),
               "sat": _null(BooleanField()), "fit": _null(BooleanField()), "label": _null(TextField())}
    choice = Case(When(kind=SurveyQuestion.Kind.CHOICE, then=F("text")), default=Value(""),
                  output_field=TextField())
    answers = (base.filter(kind__in=[*NUMERIC_KINDS, SurveyQuestion.Kind.CHOICE]).order_by()
               .values(q=F("question_id"), source=Value("answers"), choice=choice,
                       month=MonthStart("response__submitted_at"), **no_cell, **no_meta)
               .annotate(total=Sum("number", filter=inside), answers=Count("id", filter=inside),
                         people=people(), rest_people=rest(), **groups))
    satisfaction = (base.filter(question__measures_satisfaction=True, kind=SurveyQuestion.Kind.RATING,
                                number__isnull=False).order_by()
                    .values(q=_null(IntegerField()), source=Value("satisfaction"), choice=Value(""),
                            month=_null(DateField()), **_dims(f"{person}__"), **no_meta)
                    .annotate(total=Sum("number"), answers=Count("id"), people=Count(person, distinct=True),
                              rest_people=Value(0), **zeros))
    questions = (SurveyQuestion.objects.filter(program=program).order_by()
                 .values(q=F("id"), source=Value("question"), choice=Value(""), month=_null(DateField()),
                         **no_cell, qkind=F("kind"), survey_=F("survey"), order_=F("order"),
                         sat=F("measures_satisfaction"),
                         fit=F("first_session_only"), label=F("text"), total=_null(IntegerField()),
                         answers_=Value(0), people_=Value(0), rest_people=Value(0), **zeros))
    return _cube(answers.union(satisfaction, questions, all=True))


def invitations_cube(program: Program, window: Window) -> list[dict]:
    """Survey invitations sent and answered, by kind and cell (response rates)."""
    measures: dict[str, object] = {}
    for kind in [None, *KINDS]:
        cond = Q(kind=kind) if kind else Q()
        suffix = f"_{kind}" if kind else ""
        answered = cond & Q(answered_at__isnull=False)
        measures[f"sent{suffix}"] = Count("id", filter=cond)
        measures[f"answered{suffix}"] = Count("id", filter=answered)
        measures[f"invited_people{suffix}"] = Count("enrollment", distinct=True, filter=cond)
        measures[f"answered_people{suffix}"] = Count("enrollment", distinct=True, filter=answered)
    return _cube(SurveyInvitation.objects
                 .filter(_between("sent_at", window), program=program, sent_at__isnull=False)
                 .values(**_dims("enrollment__"))
                 .annotate(**measures))


def events_cube(program: Program, window: Window) -> list[dict]:
    """Cancellations and reschedules by who did them (their role and cell)."""
    is_mentor = Q(actor_role="mentor")
    actor = Case(When(is_mentor, then=F("meeting__pair__mentor_id")), default=F("meeting__pair__mentee_id"))
    return _cube(MeetingEvent.objects
                 .filter(_between("at", window), meeting__pair__program=program,
                         kind__in=[MeetingEvent.Kind.CANCELLED, MeetingEvent.Kind.RESCHEDULED])
                 .values("kind", "actor_role",
                         **_role_dims("meeting__pair__mentor__", "meeting__pair__mentee__", is_mentor))
                 .annotate(events=Count("id"), people=Count(actor, distinct=True)))


def topic_cube(program: Program, filters: Filters, window: Window) -> list[dict]:
    """Topics taught in sessions, and skill gains by topic, direction and the learner's cell.

    Three SELECTs in one query (UNION ALL), told apart by ``source``:

    * "taught" rows (one per direction and topic): sessions whose log tags the topic, and the
      distinct learners — ``topics_by_mentor`` is what the junior mentor taught (the senior mentee
      learned it), ``topics_by_mentee`` the other way round. Like the other figures about pairs,
      the department/intake filter applies in SQL (pairs with a member in it), with the same
      figures for the pairs outside it (``rest_*``). Only topic tags are read, never the log's text.
    * "skill" rows: self-assessed skill before and after for what each side learned (a senior
      mentee learns what junior mentors teach, and the other way round), by the learner's cell;
      only people who rated the topic both at enrolment and at the end count.
    """
    parts = []
    pair = "sessionlog__meeting__pair"
    scope = pair_q(filters, f"{pair}__")
    no_cell = {"d_department": _null(TextField()), "d_level": _null(IntegerField()),
               "d_cohort": _null(DateField())}
    for direction, relation, learner in ((Direction.JUNIOR_TEACHES, SessionLog.topics_by_mentor, "mentee"),
                                         (Direction.SENIOR_TEACHES, SessionLog.topics_by_mentee, "mentor")):
        inside = Q() if scope is None else scope
        measures = {"sessions": Count("sessionlog", filter=inside),
                    "people": Count(f"{pair}__{learner}", distinct=True, filter=inside),
                    "end_sum": Value(0), "start_sum": Value(0), "ratings": Value(0)}
        if scope is None:
            measures.update(rest_sessions=Value(0), rest_people=Value(0))
        else:
            measures.update(rest_sessions=Count("sessionlog", filter=~scope),
                            rest_people=Count(f"{pair}__{learner}", distinct=True, filter=~scope))
        parts.append(relation.through.objects
                     .filter(_between("sessionlog__meeting__starts_at", window),
                             **{f"{pair}__program": program})
                     .order_by()
                     .values(source=Value("taught"), t_topic=F("topic_id"), t_name=F("topic__name"),
                             t_direction=Value(direction.value), **no_cell)
                     .annotate(**measures))
    learned = (Q(direction=Direction.JUNIOR_TEACHES, enrollment__role=Enrollment.Role.MENTEE)
               | Q(direction=Direction.SENIOR_TEACHES, enrollment__role=Enrollment.Role.MENTOR))
    other_phase = SkillRating.objects.filter(
        enrollment=OuterRef("enrollment"), topic=OuterRef("topic"), direction=OuterRef("direction"),
    ).exclude(phase=OuterRef("phase"))
    end = Q(phase=SkillRating.Phase.END)
    parts.append(SkillRating.objects
                 .filter(learned, Exists(other_phase), enrollment__program=program).order_by()
                 .values(source=Value("skill"), t_topic=F("topic_id"), t_name=F("topic__name"),
                         t_direction=F("direction"), **_dims("enrollment__"))
                 .annotate(sessions=Value(0), people=Count("enrollment", distinct=True),
                           end_sum=Sum("score", filter=end), start_sum=Sum("score", filter=~end),
                           ratings=Count("id", filter=end), rest_sessions=Value(0), rest_people=Value(0)))
    return _cube(parts[0].union(*parts[1:], all=True))


def _whole(seconds, unit: float) -> Cast:
    """Whole units (floor) in ``seconds``, never below zero."""
    return Cast(Greatest(Value(0.0), Floor(seconds / Value(unit))), IntegerField())


def _expected(program: Program, window: Window) -> Cast:
    """Sessions a measured pair should have held by the window's end (see the page's definition).

    From the pair's start (its activation, but not before the program starts or the `from` date)
    to the window's end (or the pair's own end), one session per ``cadence_weeks``, at most
    ``min_sessions``.
    """
    start = F("pair_start") if window.lower is None else Greatest(F("pair_start"), Value(window.lower))
    end = Least(Coalesce(F("ended_at"), Value(window.end)), Value(window.end))
    weeks = dt.timedelta(weeks=program.cadence_weeks).total_seconds()
    periods = _whole(EpochSeconds(end) - EpochSeconds(start), weeks)
    return Cast(Least(Value(program.min_sessions), periods), IntegerField())


def _pairs(program: Program, filters: Filters, window: Window) -> QuerySet[Pair]:
    """The program's pairs with sessions held and missed in the window, expectations and flags."""
    def sessions(status: str) -> Coalesce:
        rows = (Meeting.objects.filter(_between("starts_at", window), pair=OuterRef("pk"), status=status)
                .order_by().values("pair").annotate(n=Count("id")).values("n"))
        return Coalesce(Subquery(rows), 0)

    recent = Window(start=max(filter(None, [window.start, window.end - RECENT])), end=window.end,
                    program_start=window.program_start)
    low_rated = (SurveyAnswer.objects
                 .filter(_between("response__submitted_at", recent), response__program=program,
                         kind=SurveyQuestion.Kind.RATING, question__measures_satisfaction=True,
                         number__isnull=False,
                         response__invitation__meeting__isnull=False)
                 .values("response__invitation__meeting__pair")
                 .annotate(average=Avg("number"))
                 .filter(average__lt=LOW_RATING)
                 .values("response__invitation__meeting__pair"))
    open_exits = ExitRequest.objects.filter(pair__program=program, resolved_at__isnull=True).values("pair")
    scope = pair_q(filters)
    return (Pair.objects.filter(program=program)
            .annotate(held=sessions(Meeting.Status.HELD), no_show=sessions(Meeting.Status.NO_SHOW),
                      pair_start=Coalesce("activated_at", "created_at"),
                      low=Case(When(pk__in=low_rated, then=True), default=False, output_field=BooleanField()),
                      exit_open=Case(When(pk__in=open_exits, then=True), default=False,
                                     output_field=BooleanField()),
                      in_scope=_in_scope(scope))
            .annotate(expected=_expected(program, window)))


def _in_scope(scope: Q | None):
    if scope is None:
        return Value(True, output_field=BooleanField())
    return Case(When(scope, then=True), default=False, output_field=BooleanField())


AT_RISK = {
    # A partition of active pairs at risk: each pair counts once, under its first reason.
    "exit": Q(exit_open=True),
    "low": Q(exit_open=False, low=True),
    "behind": Q(exit_open=False, low=False, held__lt=F("expected") - 1),
}


def _at_risk_q() -> Q:
    q = Q()
    for cond in AT_RISK.values():
        q |= cond
    return Q(status=Pair.Status.ACTIVE) & q


def pair_figures(program: Program, filters: Filters, window: Window, *, goal_sessions=()) -> dict:
    """Everything about pairs in one aggregate, for the selection and for the rest of the pairs.

    Each figure ``name`` comes with ``name`` (a count), ``name__mentors`` and ``name__mentees``
    (distinct people), and with a department/intake filter the same three for the pairs outside
    it (``rest__name...``).
    """
    measured = Q(status__in=MEASURED)
    published = Q(published_at__isnull=False)
    figures: dict[str, Q] = {
        "published": published,
        **{f"status_{s}": published & Q(status=s) for s in Pair.Status.values},
        "measured": measured,
        "on_track": measured & Q(held__gte=F("expected") - 1),
        "behind": measured & Q(held__lt=F("expected") - 1),
        "held_any": Q(held__gt=0),
        "no_show_any": Q(no_show__gt=0),
        "at_risk": _at_risk_q(),
        **{f"risk_{name}": Q(status=Pair.Status.ACTIVE) & cond for name, cond in AT_RISK.items()},
        **{f"reached_{n}": measured & Q(held__gte=n) for n in sorted(set(goal_sessions))},
        "matched_pairs": published & Q(status__in=MATCHED),
    }
    scoped = filters.people
    aggregates: dict[str, object] = {}
    for name, cond in figures.items():
        for prefix, part in (("", Q(in_scope=True)), ("rest__", Q(in_scope=False))):
            if prefix and not scoped:
                continue
            aggregates[f"{prefix}{name}"] = Count("id", filter=cond & part)
            aggregates[f"{prefix}{name}__mentors"] = Count("mentor", distinct=True, filter=cond & part)
            aggregates[f"{prefix}{name}__mentees"] = Count("mentee", distinct=True, filter=cond & part)
    for prefix, part in (("", Q(in_scope=True)), ("rest__", Q(in_scope=False))):
        if prefix and not scoped:
            continue
        aggregates[f"{prefix}held_sum"] = Coalesce(Sum("held", filter=measured & part), 0)
        aggregates[f"{prefix}held_all"] = Coalesce(Sum("held", filter=part), 0)
        aggregates[f"{prefix}no_show_sum"] = Coalesce(Sum("no_show", filter=part), 0)
        aggregates[f"{prefix}expected_sum"] = Coalesce(Sum("expected", filter=measured & part), 0)
    # Pairs active in each week (the weekly expectation). The people behind such a count are at
    # least its distinct mentees plus one mentor: counted that way to keep this aggregate small.
    for index, bucket in enumerate(window.buckets):
        if window.lower is not None and window.lower >= bucket.end:
            continue  # before the program (or the `from` date): nothing expected, read as 0
        cond = (measured & Q(in_scope=True, pair_start__lt=bucket.end)
                & (Q(ended_at__isnull=True) | Q(ended_at__gte=bucket.start)))
        aggregates[f"week_{index}"] = Count("id", filter=cond)
        aggregates[f"week_{index}__mentees"] = Count("mentee", distinct=True, filter=cond)
    # Whole days from approval (the later of the two) to each published pair; the median of them.
    approved = Greatest(Coalesce("mentor__decided_at", "mentor__applied_at"),
                        Coalesce("mentee__decided_at", "mentee__applied_at"))
    days = _whole(EpochSeconds("published_at") - EpochSeconds(approved), 86400.0)
    matched = Q(published_at__isnull=False, status__in=MATCHED, in_scope=True)
    aggregates["median_days"] = Median(Case(When(matched, then=days), default=None))
    # The names of the pairs at risk, in the same pass (never why a pair is at risk).
    names = Concat("mentor__user__full_name", Value(FIELD_SEP), "mentor__user__email", Value(FIELD_SEP),
                   "mentee__user__full_name", Value(FIELD_SEP), "mentee__user__email",
                   output_field=TextField())
    aggregates["at_risk_names"] = GroupConcat(names, ROW_SEP, filter=_at_risk_q() & Q(in_scope=True))
    # The LIMIT is an optimisation fence: PostgreSQL would otherwise pull the per-pair subquery up
    # into the aggregate and recompute its subplans once for every figure that reads them.
    fenced = _pairs(program, filters, window).order_by()[:FENCE]
    figures_ = fenced.aggregate(**aggregates)
    figures_["at_risk_names"] = _names(figures_["at_risk_names"])
    return figures_


def _names(joined: str | None) -> list[dict]:
    """The at-risk pairs' display names, sorted by the mentor's name."""
    def display(full: str, email: str) -> str:
        return full or email.split("@")[0]

    pairs = []
    for row in (joined or "").split(ROW_SEP):
        if row:
            mentor, mentor_email, mentee, mentee_email = row.split(FIELD_SEP)
            pairs.append({"mentor": display(mentor, mentor_email), "mentee": display(mentee, mentee_email)})
    return sorted(pairs, key=lambda p: (p["mentor"].casefold(), p["mentee"].casefold()))


def sessions_by_week(program: Program, filters: Filters, window: Window) -> list[dict]:
    """Held sessions by (UTC) week (and minutes), with the people behind them, in and outside the filter."""
    scope = pair_q(filters, "pair__")
    parts = [("", scope if scope is not None else Q())]
    if scope is not None:
        parts.append(("rest__", ~scope))
    minutes = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    measures: dict[str, object] = {}
    for prefix, part in parts:
        measures[f"{prefix}held"] = Count("id", filter=part)
        measures[f"{prefix}duration"] = Sum(minutes, filter=part)
        measures[f"{prefix}mentors"] = Count("pair__mentor", distinct=True, filter=part)
        measures[f"{prefix}mentees"] = Count("pair__mentee", distinct=True, filter=part)
    return list(Meeting.objects
                .filter(_between("starts_at", window), pair__program=program, status=Meeting.Status.HELD)
                .values(week=WeekStart("starts_at"))
                .annotate(**measures)
                .order_by("week"))


def goals_of(program: Program) -> list[Goal]:
    return list(program.goals.all())


# PostgreSQL planner settings for the dashboard's aggregate reads. By default the planner keeps
# tables under 8 MB to one process; a dashboard scans whole fact tables (sessions, invitations,
# answers) of about that size, and parallel workers and in-memory sorts cut those scans and joins.
ANALYTIC_SETTINGS = {"min_parallel_table_scan_size": "0", "parallel_setup_cost": "100",
                     "parallel_tuple_cost": "0.01", "work_mem": "32MB"}


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


def dashboard_data(program: Program, filters: Filters, *, enrollments: list[dict] | None = None,
                   now: dt.datetime | None = None) -> dict:
    """Every read of one dashboard: a fixed number of queries, whatever the data size.

    ``enrollments``: the enrolment cube when the caller already read it (for the filter form).
    """
    window = window_for(program, filters, now=now)
    goals = goals_of(program)
    goal_sessions = [g.sessions for g in goals if g.kind == Goal.Kind.SESSIONS_REACHED and g.sessions]
    return {
        "window": window,
        "goals": goals,
        "enrollments": enrollment_cube(program) if enrollments is None else enrollments,
        "pairs": pair_figures(program, filters, window, goal_sessions=goal_sessions),
        "weeks": sessions_by_week(program, filters, window),
        "events": events_cube(program, window),
        "answers": answers_cube(program, filters, window),
        "invitations": invitations_cube(program, window),
        "topics": topic_cube(program, filters, window),
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
