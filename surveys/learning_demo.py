"""Demo data for learning both ways and the junior mentor's pulse (issue 18 items 3 + 4).

* In the running program, every active pair's junior mentor answered the private pulse of weeks
  4 and 8 (mostly 4–5; one mentor dropped from 4 to 2 with a note, so HR's page has an alert); the
  demo mentor's week-8 pulse is still open, so they can answer it in the browser.
* A closed program from last autumn, with the same people in completed pairs, holds what only the
  end of a program produces: start and end self-ratings on the topics each side came to learn, and
  the reverse-back answers — so the lead's dashboard shows the two-way gain and re-volunteering.

Laid out from the start of the current week (programs.demo.history_anchor), deterministic and
idempotent: nothing is added twice.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from pairing.models import Enrollment, Pair, SkillRating
from programs import services as program_services
from programs.demo import history_anchor
from programs.models import Program
from surveys.models import ReturnIntent, SafetyPulse

PAST = "Reverse Mentoring 2025 — Autumn"
ALERT_NOTE = "I find it hard to disagree with him in meetings; he is my director's peer."


@transaction.atomic
def seed_learning(people: dict, programs: dict) -> dict:
    running: Program | None = programs.get("running")
    if running is None:
        return {}
    rng = random.Random(20261203)  # noqa: S311 - demo data
    anchor = history_anchor()
    return {"pulses": _pulses(running, people, anchor, rng),
            "past": _past_program(running, people, anchor, rng)}


def _pulses(program: Program, people: dict, anchor: dt.datetime, rng: random.Random) -> int:
    if SafetyPulse.objects.filter(program=program).exists():
        return 0
    pairs = list(Pair.objects.filter(program=program, status=Pair.Status.ACTIVE, activated_at__isnull=False)
                 .select_related("mentor").order_by("pk"))
    demo_mentor = people.get("mentor")
    rows = []
    for index, pair in enumerate(pairs):
        mine = demo_mentor is not None and pair.mentor.user_id == demo_mentor.pk
        alerting = index == len(pairs) - 1 and not mine
        for round_ in (1, 2):
            sent = pair.activated_at + dt.timedelta(weeks=4 * round_)
            if sent > anchor:
                continue
            row = SafetyPulse(program=program, pair=pair, enrollment=pair.mentor,
                              recipient_id=pair.mentor.user_id, round=round_, created_at=sent, sent_at=sent,
                              expires_at=max(sent + dt.timedelta(days=14), anchor + dt.timedelta(days=14)))
            if mine and round_ == 2:
                rows.append(row)  # still open: the demo mentor answers it in the browser
                continue
            row.answered_at = sent + dt.timedelta(hours=rng.randint(2, 48))
            if alerting:
                row.score = 4 if round_ == 1 else 2
                row.note, row.alert = (ALERT_NOTE, "low") if round_ == 2 else ("", "")
            else:
                row.score = rng.choice([5, 4, 4, 4, 3]) if round_ == 1 else rng.choice([5, 5, 4, 4, 3])
            rows.append(row)
    SafetyPulse.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _past_program(running: Program, people: dict, anchor: dt.datetime, rng: random.Random) -> int:
    """Last autumn's program, closed, with its start and end self-ratings and reverse-back answers."""
    if Program.objects.filter(name=PAST).exists():
        return 0
    start = (anchor - dt.timedelta(weeks=40)).date()
    program = program_services.program_create_from_template(
        name=PAST, cohort="2025 autumn", actor=people.get("hr"),
        enrolment_opens=start - dt.timedelta(weeks=6), enrolment_closes=start - dt.timedelta(weeks=3),
        starts_on=start, ends_on=start + dt.timedelta(weeks=20))
    program_services.agreement_publish(program=program, actor=people.get("hr"))
    if people.get("lead") is not None:
        program.leads.add(people["lead"])
    Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
    agreement = program.current_agreement()
    began = dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC)
    ended = began + dt.timedelta(weeks=20)
    pairs = list(Pair.objects.filter(program=running, status=Pair.Status.ACTIVE)
                 .select_related("mentor", "mentee").order_by("pk"))

    def enrol(source: Enrollment) -> Enrollment:
        return Enrollment.objects.create(
            program=program, user_id=source.user_id, role=source.role, status=Enrollment.Status.APPROVED,
            agreement_version=agreement, agreement_accepted_at=began - dt.timedelta(weeks=5),
            learn_goals=source.learn_goals, teach_goals=source.teach_goals,
            applied_at=began - dt.timedelta(weeks=5), decided_at=began - dt.timedelta(weeks=3))

    topics = list(program.program_topics.all())
    ratings, intents = [], []
    for index, pair in enumerate(pairs):
        mentor, mentee = enrol(pair.mentor), enrol(pair.mentee)
        Pair.objects.create(program=program, mentor=mentor, mentee=mentee, status=Pair.Status.COMPLETED,
                            published_at=began - dt.timedelta(days=3), activated_at=began, ended_at=ended,
                            mentor_response=Pair.Response.ACCEPTED, mentee_response=Pair.Response.ACCEPTED,
                            created_at=began - dt.timedelta(days=4))
        for enrollment in (mentor, mentee):
            for pt in topics:
                if pt.direction != enrollment.learns_direction:
                    continue
                before = rng.choice([1, 2, 2, 3])
                after = min(5, before + rng.choice([0, 1, 1, 2, 2]))
                for phase, score in ((SkillRating.Phase.ENROLMENT, before), (SkillRating.Phase.END, after)):
                    ratings.append(SkillRating(enrollment=enrollment, topic_id=pt.topic_id,
                                               direction=pt.direction, phase=phase, score=score))
            # About half of each side would come back and half would go the other way: enough
            # people on each side of every answer for the dashboard (k = 5) to show them.
            again = "yes" if index % 2 == 0 else ("maybe" if index % 4 == 1 else "no")
            other_way = "yes" if index % 2 == 1 else ("maybe" if index % 4 == 0 else "no")
            intents.append(ReturnIntent(enrollment=enrollment, program=program, again=again,
                                        other_way=other_way, answered_at=ended + dt.timedelta(days=2)))
    SkillRating.objects.bulk_create(ratings)
    ReturnIntent.objects.bulk_create(intents)
    return len(intents)
