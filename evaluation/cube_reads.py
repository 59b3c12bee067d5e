"""Cubes: figures about people grouped by department, level band and intake (one query each).

Every measure in a cube row is additive (a person sits in exactly one cell), so the department
and cohort filters, their complements and the breakdown tables are sums of cells in Python: the
result sets are bounded by the number of cells, not by the data.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast

from accounts.models import User
from evaluation.expressions import MonthStart
from evaluation.periods import Filters, Window, _between, pair_q, person_q
from meetings.models import MeetingEvent, SessionLog
from pairing.models import Enrollment, Pair, SkillRating
from programs.models import Direction, Program, SurveyQuestion
from surveys.models import SurveyAnswer, SurveyInvitation

# Level bands of the breakdown (inclusive; None = no upper limit).
LEVEL_BANDS: tuple[tuple[int, int | None], ...] = ((1, 3), (4, 6), (7, 9), (10, 12), (13, None))
ELIGIBLE = "eligible"  # the status of the eligible-but-not-applied rows of the enrolment cube
MEASURED = (Pair.Status.ACTIVE, Pair.Status.COMPLETED)
MATCHED = (Pair.Status.PROPOSED, Pair.Status.ACTIVE, Pair.Status.COMPLETED, Pair.Status.ENDED_EARLY)
KINDS = [k.value for k in SurveyInvitation.Kind]
RECOMMENDATION_GROUPS = {
    "promoters": Q(kind=SurveyQuestion.Kind.RECOMMENDATION, number__gte=9),
    "passives": Q(kind=SurveyQuestion.Kind.RECOMMENDATION, number__gte=7, number__lte=8),
    "detractors": Q(kind=SurveyQuestion.Kind.RECOMMENDATION, number__lte=6),
}
NUMERIC_KINDS = (SurveyQuestion.Kind.RATING, SurveyQuestion.Kind.RECOMMENDATION)


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


def answers_cube(program: Program, filters: Filters, window: Window,
                 periods: list[tuple[dt.date, dt.datetime]] | None = None) -> list[dict]:
    """Survey answers: by question, option and month, and satisfaction by cell.

    Three SELECTs in one query (UNION ALL), told apart by ``source``:

    * "answers": rating, recommendation and single-choice answers by question, ``choice`` (the
      option of a single-choice answer) and ``month`` — the first day of the reporting period
      (``periods``: each one's first day and end; by default calendar months), with their people.
      Like the pair figures, the department/intake filter applies in SQL (the respondent's),
      with the people outside it (``rest_*``). Recommendation answers also count promoters,
      passives and detractors (9–10, 7–8, 0–6).
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
                       month=_period_start("response__submitted_at", periods), **no_cell, **no_meta)
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


def _period_start(path: str, periods: list[tuple[dt.date, dt.datetime]] | None):
    """The first day of the reporting period holding ``path`` (calendar months without periods)."""
    if not periods:
        return MonthStart(path)
    whens = [When(**{f"{path}__lt": end}, then=Value(first)) for first, end in periods[:-1]]
    return Case(*whens, default=Value(periods[-1][0]), output_field=DateField())


def _invitation_measures() -> dict[str, object]:
    measures: dict[str, object] = {}
    for kind in [None, *KINDS]:
        cond = Q(kind=kind) if kind else Q()
        suffix = f"_{kind}" if kind else ""
        answered = cond & Q(answered_at__isnull=False)
        measures[f"sent{suffix}"] = Count("id", filter=cond)
        measures[f"answered{suffix}"] = Count("id", filter=answered)
        measures[f"invited_people{suffix}"] = Count("enrollment", distinct=True, filter=cond)
        measures[f"answered_people{suffix}"] = Count("enrollment", distinct=True, filter=answered)
    return measures


def events_and_invitations(program: Program, window: Window) -> tuple[list[dict], list[dict]]:
    """Two cubes in one query (UNION ALL, told apart by ``source``):

    * cancellations and reschedules by who did them (their role and cell): ``kind``,
      ``actor_role``, ``events``, ``people``;
    * survey invitations sent and answered, by kind and cell (response rates).
    """
    measures = _invitation_measures()
    no_measures = {name: Value(0) for name in measures}
    text = TextField()
    is_mentor = Q(actor_role="mentor")
    actor = Case(When(is_mentor, then=F("meeting__pair__mentor_id")), default=F("meeting__pair__mentee_id"))
    events = (MeetingEvent.objects
              .filter(_between("at", window), meeting__pair__program=program,
                      kind__in=[MeetingEvent.Kind.CANCELLED, MeetingEvent.Kind.RESCHEDULED])
              .order_by()
              .values(source=Value("events", output_field=text), e_kind=F("kind"), e_role=F("actor_role"),
                      **_role_dims("meeting__pair__mentor__", "meeting__pair__mentee__", is_mentor))
              .annotate(events=Count("id"), people=Count(actor, distinct=True), **no_measures))
    invitations = (SurveyInvitation.objects
                   .filter(_between("sent_at", window), program=program, sent_at__isnull=False)
                   .order_by()
                   .values(source=Value("invitations", output_field=text), e_kind=_null(text),
                           e_role=_null(text), **_dims("enrollment__"))
                   .annotate(events=Value(0), people=Value(0), **measures))
    rows = _cube(events.union(invitations, all=True))
    event_rows, invitation_rows = [], []
    for row in rows:
        if row.pop("source") == "events":
            row["kind"], row["actor_role"] = row.pop("e_kind"), row.pop("e_role")
            event_rows.append(row)
        else:
            del row["e_kind"], row["e_role"]
            invitation_rows.append(row)
    return event_rows, invitation_rows


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

