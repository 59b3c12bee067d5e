"""Benchmark the evaluation dashboard: the same number of queries for 50 and 2,500 pairs.

Run from the repository root::

    python benchmarks/dashboard.py            # SQLite in a temporary folder
    DATABASE_URL=postgres://… python benchmarks/dashboard.py

With DATABASE_URL it creates (and afterwards drops) a throwaway database named
``flipside_bench_dashboard`` (``--db-name`` to choose another) next to the one in the URL;
without it, a SQLite file in a temporary folder. It migrates, seeds a small program (50 pairs)
and a large one (2,500 pairs, 50,000 sessions, 100,000 survey answers) with ``bulk_create``,
renders each program's dashboard through Django's test client as a signed-in program lead,
and prints a few human-readable lines, then exactly one JSON line (last)::

    {"benchmark": "dashboard", "queries_small": …, "queries_large": …, "render_s_small": …, …}

``render_s_*`` is the fastest of ``--repeat`` renders (after one warm-up render each).
Targets: equal query counts (at most 25), the large render within 5× of the small one, and the
disclosure control (``suppression_overhead_large``: its time over the rest of the large render)
at most 0.2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "flipside_bench_dashboard"
DEPARTMENTS = ["Engineering", "Marketing", "Sales", "Operations", "Finance", "Customer Success"]
TOPICS = {
    "junior_teaches": ["Generative AI", "Social media", "Cloud tools", "Data visualisation"],
    "senior_teaches": ["Industry knowledge", "Stakeholder management", "Negotiation", "Strategy"],
}
CHUNK = 2500  # pairs seeded at a time
WEEKS = 20  # the programs started this many weeks ago; one session a week per pair


# --- database ------------------------------------------------------------------------------------


def _maintenance(url: str, statement: str) -> None:
    """Run CREATE/DROP DATABASE from the server's maintenance database (``postgres``)."""
    import psycopg2

    parsed = urlparse(url)
    last_error: Exception | None = None
    for name in ("postgres", parsed.path.lstrip("/"), "template1"):
        try:
            connection = psycopg2.connect(urlunparse(parsed._replace(path=f"/{name}")))
        except psycopg2.OperationalError as error:
            last_error = error
            continue
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()
        return
    raise RuntimeError(f"cannot reach a maintenance database: {last_error}")


def create_database(name: str = BENCH_DB) -> str | None:
    """A fresh PostgreSQL database ``name`` next to DATABASE_URL's (returns the original URL), or None."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="flipside-bench-dashboard-")
        return None
    _maintenance(url, f'DROP DATABASE IF EXISTS "{name}"')
    _maintenance(url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunparse(urlparse(url)._replace(path=f"/{name}"))
    return url


def drop_database(original_url: str | None, name: str = BENCH_DB) -> None:
    if original_url is None:
        return
    from django.db import connections

    connections.close_all()
    _maintenance(original_url, f'DROP DATABASE IF EXISTS "{name}"')


# --- seeding -------------------------------------------------------------------------------------


def _bulk(model, rows, batch_size: int = 5000):
    return model.objects.bulk_create(rows, batch_size=batch_size)


def seed_program(*, name: str, pairs: int, sessions_per_pair: int, answers: int, rng: random.Random, lead,
                 topics: dict[str, list], now: dt.datetime):
    """A running program with ``pairs`` pairs, their sessions, logs, events, surveys and skills."""
    from django.utils.text import slugify

    from accounts.models import User
    from meetings.models import Meeting, MeetingEvent, SessionLog
    from pairing.models import Enrollment, ExitRequest, Pair, SkillRating
    from programs.models import AgreementVersion, Goal, Program, ProgramTopic, SurveyQuestion
    from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse

    today = now.date()
    program = Program.objects.create(
        name=name, cohort="Benchmark", status=Program.Status.RUNNING, cadence_weeks=1, min_sessions=12,
        starts_on=today - dt.timedelta(weeks=WEEKS), ends_on=today + dt.timedelta(weeks=6), anonymity_k=5)
    program.leads.add(lead)
    agreement = AgreementVersion.objects.create(program=program, version=1, text="Agreement",
                                                published_at=now)
    _bulk(ProgramTopic, [ProgramTopic(program=program, topic=t, direction=d)
                         for d, ts in topics.items() for t in ts])
    _bulk(Goal, [
        Goal(program=program, order=1, title="Pairs keep meeting", kind=Goal.Kind.SESSIONS_REACHED,
             sessions=6, target=80),
        Goal(program=program, order=2, title="Sessions are valued", kind=Goal.Kind.SATISFACTION, target=4),
        Goal(program=program, order=3, title="Seniors learn digital skills", kind=Goal.Kind.SKILL_GAIN,
             direction="junior_teaches", target=1),
        Goal(program=program, order=4, title="Juniors learn the business", kind=Goal.Kind.SKILL_GAIN,
             direction="senior_teaches", target="0.5"),
        Goal(program=program, order=5, title="People answer surveys", kind=Goal.Kind.RESPONSE_RATE,
             target=60),
        Goal(program=program, order=6, title="People recommend it", kind=Goal.Kind.RECOMMENDATION, target=8),
        Goal(program=program, order=7, title="A culture of learning both ways", kind=Goal.Kind.QUALITATIVE),
    ])
    questions = {
        "sat": SurveyQuestion.objects.create(program=program, survey="after_session", order=1, kind="rating",
                                             text="How useful was this session?", measures_satisfaction=True),
        "fit": SurveyQuestion.objects.create(program=program, survey="after_session", order=2, kind="rating",
                                             text="How well does your pairing fit?", first_session_only=True),
        "rhythm": SurveyQuestion.objects.create(program=program, survey="mid_program", order=1, kind="choice",
                                                text="How is the meeting rhythm?",
                                                choices=["About right", "Too often", "Not often enough"]),
        "rec": SurveyQuestion.objects.create(program=program, survey="end_program", order=1,
                                             kind="recommendation", text="Would you recommend it?"),
    }
    slug = slugify(name)
    people = []
    for i in range(2 * pairs + pairs // 5):
        junior = i % 2 == 0
        people.append(User(email=f"{slug}-{i}@bench.example", full_name=f"Person {i} {slug}",
                           department=DEPARTMENTS[rng.randrange(len(DEPARTMENTS))],
                           level=rng.randint(1, 4) if junior else rng.randint(7, 13),
                           time_zone="Europe/London"))
    people = _bulk(User, people)
    applied = now - dt.timedelta(weeks=WEEKS + 4)
    enrollments = []
    for i, user in enumerate(people):
        role = "mentor" if i % 2 == 0 else "mentee"
        status = "approved" if i < 2 * pairs else rng.choice(
            ["declined", "waitlisted", "withdrawn", "applied"])
        enrollments.append(Enrollment(
            program=program, user=user, role=role, status=status, agreement_version=agreement,
            agreement_accepted_at=applied, learn_goals="Learn", teach_goals="Teach",
            applied_at=applied + dt.timedelta(days=rng.randint(0, 14)),
            decided_at=applied + dt.timedelta(days=rng.randint(15, 20)) if status != "applied" else None))
    enrollments = _bulk(Enrollment, enrollments)
    start = now - dt.timedelta(weeks=WEEKS)
    pair_rows = []
    for p in range(pairs):
        status = "active" if p % 25 else "ended_early"
        pair_rows.append(Pair(
            program=program, mentor=enrollments[2 * p], mentee=enrollments[2 * p + 1], status=status,
            published_at=start - dt.timedelta(days=3), activated_at=start,
            created_at=start - dt.timedelta(days=5),
            ended_at=start + dt.timedelta(weeks=8) if status == "ended_early" else None,
            mentor_response="accepted", mentee_response="accepted"))
    pair_rows = _bulk(Pair, pair_rows)
    _bulk(ExitRequest, [ExitRequest(pair=pair, requested_by=pair.mentee.user, kind="rematch", reason="")
                        for pair in pair_rows[3::40]])
    by_name = {t.name: t for ts in topics.values() for t in ts}
    jt = [by_name[n].pk for n in TOPICS["junior_teaches"]]
    st = [by_name[n].pk for n in TOPICS["senior_teaches"]]

    def sessions_of(chunk: list) -> tuple[int, int]:
        """Sessions, events, logs, invitations and answers of some pairs (chunked: bounded memory)."""
        meetings = []
        for pair in chunk:
            skip = rng.randint(0, 6)  # some pairs fall behind
            for s in range(sessions_per_pair):
                starts = start + dt.timedelta(weeks=s * WEEKS / sessions_per_pair, hours=rng.randint(8, 17))
                if starts > now:
                    status = "confirmed"
                elif s < skip and rng.random() < 0.5:
                    status = "cancelled"
                else:
                    status = rng.choices(["held", "cancelled", "no_show"], weights=[85, 10, 5])[0]
                meetings.append(Meeting(pair=pair, starts_at=starts, status=status, mode="video",
                                        ends_at=starts + dt.timedelta(minutes=45),
                                        proposed_by_id=pair.mentor.user_id))
        meetings = _bulk(Meeting, meetings)
        events = []
        for meeting in meetings:
            if meeting.status == "cancelled":
                events.append(MeetingEvent(meeting=meeting, kind="cancelled",
                                           actor_role=rng.choice(["mentor", "mentee", "mentee"]),
                                           at=meeting.starts_at - dt.timedelta(days=1)))
            elif rng.random() < 0.08:
                events.append(MeetingEvent(meeting=meeting, actor_role=rng.choice(["mentor", "mentee"]),
                                           kind="rescheduled", at=meeting.starts_at - dt.timedelta(days=2)))
        _bulk(MeetingEvent, events)
        held = [m for m in meetings if m.status == "held"]
        logs = _bulk(SessionLog, [SessionLog(meeting=m, shared_summary="") for m in held])
        _bulk(SessionLog.topics_by_mentor.through,
              [SessionLog.topics_by_mentor.through(sessionlog_id=log.pk, topic_id=rng.choice(jt))
               for log in logs])
        _bulk(SessionLog.topics_by_mentee.through,
              [SessionLog.topics_by_mentee.through(sessionlog_id=log.pk, topic_id=rng.choice(st))
               for log in logs])
        # Surveys: after-session invitations to both members of held sessions until the answers are
        # reached (two answers per response: usefulness and pairing fit).
        invitations = []
        pair_by_id = {p.pk: p for p in chunk}
        for meeting in held:
            pair = pair_by_id[meeting.pair_id]
            for enrollment in (pair.mentor, pair.mentee):
                invitations.append(SurveyInvitation(
                    program=program, recipient_id=enrollment.user_id, enrollment=enrollment,
                    kind="after_session",
                    meeting=meeting, sent_at=meeting.ends_at + dt.timedelta(hours=2),
                    expires_at=meeting.ends_at + dt.timedelta(days=14)))
        wanted = answers * len(chunk) // pairs // 2
        answered = set(rng.sample(range(len(invitations)), min(wanted, len(invitations))))
        for index in answered:
            invitations[index].answered_at = invitations[index].sent_at + dt.timedelta(hours=5)
        invitations = _bulk(SurveyInvitation, invitations)
        responses = _bulk(SurveyResponse, [
            SurveyResponse(invitation=inv, program=program, kind=inv.kind, submitted_at=inv.answered_at)
            for inv in invitations if inv.answered_at])
        rows = []
        for response in responses:
            rows.append(SurveyAnswer(response=response, question=questions["sat"], kind="rating",
                                     question_text="How useful?",
                                     number=rng.choices([2, 3, 4, 5], weights=[1, 2, 5, 4])[0]))
            rows.append(SurveyAnswer(response=response, question=questions["fit"], question_text="Fit?",
                                     kind="rating", number=rng.randint(3, 5)))
        _bulk(SurveyAnswer, rows)
        return len(meetings), len(rows)

    sessions = answer_rows = 0
    for first in range(0, len(pair_rows), CHUNK):
        made = sessions_of(pair_rows[first:first + CHUNK])
        sessions, answer_rows = sessions + made[0], answer_rows + made[1]
    skills = []
    for enrollment in enrollments[: 2 * pairs]:
        learned = st if enrollment.role == "mentor" else jt
        for topic in learned:
            before = rng.randint(1, 3)
            skills.append(SkillRating(enrollment=enrollment, topic_id=topic, direction="senior_teaches"
                                      if enrollment.role == "mentor" else "junior_teaches",
                                      phase="enrolment", score=before))
            if rng.random() < 0.7:
                skills.append(SkillRating(enrollment=enrollment, topic_id=topic,
                                          direction=skills[-1].direction, phase="end",
                                          score=min(5, before + rng.randint(0, 2))))
    _bulk(SkillRating, skills)
    return program, {"pairs": len(pair_rows), "sessions": sessions, "answers": answer_rows}


def seed(*, small_pairs: int, large_pairs: int, sessions_per_pair: int, answers_large: int,
         seed_value: int = 7):
    from django.utils import timezone

    from accounts.models import User
    from programs.models import Topic

    rng = random.Random(seed_value)
    now = timezone.now()
    lead = User.objects.create_user("lead@bench.example", full_name="Lena Lead", level=13,
                                    department="People")
    topics = {d: [Topic.objects.get_or_create(name=n, defaults={"usual_direction": d})[0] for n in names]
              for d, names in TOPICS.items()}
    small, small_counts = seed_program(
        name="Benchmark small", pairs=small_pairs, sessions_per_pair=sessions_per_pair,
        answers=answers_large * small_pairs // large_pairs, rng=rng, lead=lead, topics=topics, now=now)
    large, large_counts = seed_program(
        name="Benchmark large", pairs=large_pairs, sessions_per_pair=sessions_per_pair, answers=answers_large,
        rng=rng, lead=lead, topics=topics, now=now)
    return lead, small, large, small_counts, large_counts


# --- measuring -------------------------------------------------------------------------------------


def render(client, program, *, repeat: int) -> tuple[int, float, int]:
    """(queries, fastest seconds, bytes) for the dashboard page of ``program``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("evaluation:dashboard", args=[program.pk])
    response = client.get(url)  # warm-up: template loading, caches
    assert response.status_code == 200, response.status_code
    best, queries = float("inf"), 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        best, queries = min(best, elapsed), len(captured.captured_queries)
    return queries, best, len(response.content)


def suppression_time(client, program, *, repeat: int) -> tuple[float, float]:
    """(seconds of disclosure control, seconds of the whole render) for the fastest of ``repeat``
    renders: every function of ``evaluation.disclosure`` and the two protections of
    ``report.cubes.Cubes`` (the people outside a filter, the breakdowns a filter sits in) are
    timed, outermost calls only."""
    import functools

    from django.urls import reverse

    from evaluation import disclosure
    from evaluation.report.cubes import Cubes

    spent = {"s": 0.0, "depth": 0}

    def timed(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            spent["depth"] += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent["depth"] -= 1
                if not spent["depth"]:
                    spent["s"] += time.perf_counter() - started
        return wrapper

    names = ["figure", "breakdown", "chain", "share", "derived", "hide", "coarsen", "snap"]
    originals = {name: getattr(disclosure, name) for name in names}
    methods = {name: getattr(Cubes, name) for name in ("_rests", "_breakdown_hides")}
    for name, fn in originals.items():
        setattr(disclosure, name, timed(fn))
    for name, fn in methods.items():
        setattr(Cubes, name, timed(fn))
    url = reverse("evaluation:dashboard", args=[program.pk])
    best = (float("inf"), float("inf"))
    try:
        for _ in range(repeat):
            spent["s"] = 0.0
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            best = min(best, (elapsed, spent["s"]))
    finally:
        for name, fn in originals.items():
            setattr(disclosure, name, fn)
        for name, fn in methods.items():
            setattr(Cubes, name, fn)
    return best[1], best[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small-pairs", type=int, default=50)
    parser.add_argument("--large-pairs", type=int, default=2500)
    parser.add_argument("--sessions-per-pair", type=int, default=20)
    parser.add_argument("--answers", type=int, default=100_000, help="survey answers in the large program")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db-name", default=BENCH_DB,
                        help="the throwaway PostgreSQL database (created and dropped)")
    args = parser.parse_args()

    original_url = create_database(args.db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    try:
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        lead, small, large, small_counts, large_counts = seed(
            small_pairs=args.small_pairs, large_pairs=args.large_pairs,
            sessions_per_pair=args.sessions_per_pair, answers_large=args.answers)
        if engine == "postgresql":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"database: {engine}; seeded in {time.perf_counter() - started:.1f} s: "
              f"small {small_counts}, large {large_counts}")
        client = Client()
        client.force_login(lead)
        queries_small, render_small, bytes_small = render(client, small, repeat=args.repeat)
        queries_large, render_large, bytes_large = render(client, large, repeat=args.repeat)
        suppression_s, instrumented_s = suppression_time(client, large, repeat=args.repeat)
        overhead = suppression_s / max(instrumented_s - suppression_s, 1e-9)
        print(f"small: {queries_small} queries, {render_small * 1000:.0f} ms, {bytes_small} bytes")
        print(f"large: {queries_large} queries, {render_large * 1000:.0f} ms, {bytes_large} bytes "
              f"({render_large / render_small:.1f}x the small one)")
        print(f"disclosure control at {large_counts['pairs']} pairs: {suppression_s * 1000:.1f} ms, "
              f"+{overhead:.1%} on the rest of the render (target: at most +20%)")
        print(json.dumps({
            "benchmark": "dashboard", "database": engine,
            "queries_small": queries_small, "queries_large": queries_large,
            "render_s_small": round(render_small, 4), "render_s_large": round(render_large, 4),
            "ratio": round(render_large / render_small, 2),
            "suppression_s_large": round(suppression_s, 4),
            "suppression_overhead_large": round(overhead, 3),
            "pairs_small": small_counts["pairs"], "pairs_large": large_counts["pairs"],
            "sessions_large": large_counts["sessions"], "answers_large": large_counts["answers"],
        }))
    finally:
        drop_database(original_url, args.db_name)


if __name__ == "__main__":
    main()
