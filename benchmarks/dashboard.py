"""Benchmark the evaluation dashboard at 50, 2,500 and 25,000 pairs.

Run from the repository root::

    python benchmarks/dashboard.py            # SQLite in a temporary folder
    DATABASE_URL=postgres://… python benchmarks/dashboard.py [--pairs 25000] [--keep-db | --reuse-db]

With DATABASE_URL it creates (and afterwards drops, unless ``--keep-db``) a throwaway database named
``flipside_bench_dashboard`` (``--db-name`` to choose another) next to the one in the URL;
``--reuse-db`` reads a kept one and seeds only the programs it lacks. Without it, a SQLite file in a
temporary folder. It migrates, seeds a small program (50 pairs), a large one (2,500 pairs, 50,000
sessions, 100,000 survey answers) and an extra-large one (``--pairs``, 25,000 pairs, ten times the
data) with ``bulk_create``, renders each program's dashboard through Django's test client as a
signed-in program lead, and prints a few human-readable lines, then exactly one JSON line (last)::

    {"benchmark": "dashboard", "queries_small": …, "queries_large": …, "render_s_small": …, …}

Two ways of reading a dashboard are measured (see ``evaluation/snapshots.py``):

* live (every render reads every row; what programs under ``DASHBOARD_SNAPSHOT_MIN_PAIRS`` pairs
  always do): ``queries_*``, ``render_s_*`` and ``ratio`` (2,500 vs 50 pairs), and at 25,000
  pairs ``render_s_live_xlarge`` and ``ratio_live_xlarge_vs_large``;
* from the snapshot the refresh job leaves (large programs): ``refresh_s_*`` (the job's read),
  ``render_s_snapshot_*``, ``queries_snapshot_*`` and ``ratio_xlarge`` (25,000 vs 2,500 pairs);
  a repeated view also takes its rendered sections from the cache, the disclosure control still runs.

``render_s_*`` is the fastest of ``--repeat`` renders (after one warm-up render each;
``--repeat-live-xlarge`` for the slow live reads at 25,000 pairs). Targets: equal live query counts
(at most 25), the large live render within 5× of the small one, ``ratio_xlarge`` at most 5 with equal
snapshot query counts, and the disclosure control (``suppression_overhead_large``: its time over
the rest of the large render) at most 0.2; the read of the reporting periods, a query made for
disclosure control only, is reported beside it (``periods_read_s_large``, ``periods_read_overhead_large``).
The same pass on the render a lead of the large program gets, from its snapshot:
``suppression_overhead_snapshot_large`` (target at most 0.2; the periods are read by the refresh job,
with the figures, so ``periods_read_s_snapshot_large`` is 0 and ``refresh_s_large`` includes them).
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
    slug = f"{slugify(name)}-{pairs}"  # unique: a kept database may hold a program of that name before
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


SIZES = (("small", "Benchmark small"), ("large", "Benchmark large"), ("xlarge", "Benchmark xlarge"))


def seed(*, pairs: dict[str, int], sessions_per_pair: int, answers_large: int, seed_value: int = 7):
    """The lead and one program per size in ``pairs`` (answers in proportion to the large one's);
    programs already in the database (``--reuse-db``) are kept as they are."""
    from django.utils import timezone

    from accounts.models import User
    from meetings.models import Meeting
    from programs.models import Program, Topic
    from surveys.models import SurveyAnswer

    rng = random.Random(seed_value)
    now = timezone.now()
    lead = (User.objects.filter(email="lead@bench.example").first()
            or User.objects.create_user("lead@bench.example", full_name="Lena Lead", level=13,
                                        department="People"))
    topics = {d: [Topic.objects.get_or_create(name=n, defaults={"usual_direction": d})[0] for n in names]
              for d, names in TOPICS.items()}
    programs, counts = {}, {}
    for size, name in SIZES:
        if not pairs.get(size):
            continue
        program = Program.objects.filter(name=name).first()
        if program is None:
            program, counts[size] = seed_program(
                name=name, pairs=pairs[size], sessions_per_pair=sessions_per_pair,
                answers=answers_large * pairs[size] // pairs["large"], rng=rng, lead=lead, topics=topics,
                now=now)
        else:
            counts[size] = {"pairs": program.pairs.count(),
                            "sessions": Meeting.objects.filter(pair__program=program).count(),
                            "answers": SurveyAnswer.objects.filter(response__program=program).count()}
        programs[size] = program
    return lead, programs, counts


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


def suppression_time(client, program, *, repeat: int) -> tuple[float, float, float]:
    """(seconds of the disclosure pass, seconds reading the reporting periods, seconds of the whole
    render) for the fastest of ``repeat`` renders. The pass: every function of
    ``evaluation.disclosure``, the two protections of ``report.cubes.Cubes`` (the people outside a
    filter, the breakdowns a filter sits in) and the sessions chart's choice of periods. The
    reporting periods (``selectors.reporting_timeline``: the query of the people behind every
    windowed cell, read for disclosure control only, and the choice of periods) are timed apart.
    Outermost calls only."""
    import functools

    from django.urls import reverse

    from evaluation import disclosure, reporting_periods, selectors
    from evaluation.report.cubes import Cubes

    spent = {"pass": 0.0, "periods": 0.0, "depth": 0}

    def timed(fn, bucket: str = "pass"):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            spent["depth"] += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent["depth"] -= 1
                if not spent["depth"]:
                    spent[bucket] += time.perf_counter() - started
        return wrapper

    names = ["figure", "breakdown", "chain", "share", "derived", "hide", "coarsen", "snap"]
    originals = {name: getattr(disclosure, name) for name in names}
    methods = {name: getattr(Cubes, name) for name in ("_rests", "_breakdown_hides")}
    timeline, chart_spans = selectors.reporting_timeline, reporting_periods.chart_spans
    for name, fn in originals.items():
        setattr(disclosure, name, timed(fn))
    for name, fn in methods.items():
        setattr(Cubes, name, timed(fn))
    selectors.reporting_timeline = timed(timeline, "periods")
    reporting_periods.chart_spans = timed(chart_spans)
    url = reverse("evaluation:dashboard", args=[program.pk])
    best = (float("inf"), 0.0, 0.0)
    try:
        for _ in range(repeat):
            spent["pass"] = spent["periods"] = 0.0
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            best = min(best, (elapsed, spent["pass"], spent["periods"]))
    finally:
        for name, fn in originals.items():
            setattr(disclosure, name, fn)
        for name, fn in methods.items():
            setattr(Cubes, name, fn)
        selectors.reporting_timeline, reporting_periods.chart_spans = timeline, chart_spans
    return best[1], best[2], best[0]


def snapshot_renders(client, programs: dict, *, repeat: int) -> dict[str, dict[str, float]]:
    """For each large program: the refresh job's read (seconds) and the fastest render from the
    snapshot it left, with its queries (``DASHBOARD_SNAPSHOT_MIN_PAIRS`` as configured)."""
    from evaluation import snapshots

    out = {}
    for size, program in programs.items():
        if not snapshots.is_large(program):
            continue
        started = time.perf_counter()
        snapshots.refresh(program)
        refresh_s = time.perf_counter() - started
        queries, seconds, _bytes = render(client, program, repeat=repeat)
        out[size] = {"refresh_s": refresh_s, "render_s": seconds, "queries": queries}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small-pairs", type=int, default=50)
    parser.add_argument("--large-pairs", type=int, default=2500)
    parser.add_argument("--xlarge-pairs", "--pairs", type=int, default=25_000,
                        help="the largest program (0: leave it out)")
    parser.add_argument("--sessions-per-pair", type=int, default=20)
    parser.add_argument("--answers", type=int, default=100_000, help="survey answers in the large program")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repeat-live-xlarge", type=int, default=2,
                        help="live renders of the largest program (each reads every row: slow)")
    parser.add_argument("--db-name", default=BENCH_DB,
                        help="the throwaway PostgreSQL database (created and dropped)")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse-db", action="store_true",
                        help="use the kept database: seed only the programs it lacks")
    args = parser.parse_args()

    original_url = (_reuse_database(args.db_name) if args.reuse_db else create_database(args.db_name))
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
        sizes = {"small": args.small_pairs, "large": args.large_pairs, "xlarge": args.xlarge_pairs}
        lead, programs, counts = seed(pairs=sizes, sessions_per_pair=args.sessions_per_pair,
                                      answers_large=args.answers)
        if engine == "postgresql":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"database: {engine}; seeded in {time.perf_counter() - started:.1f} s: {counts}")
        client = Client()
        client.force_login(lead)
        # Live: every render reads every row (snapshots and the small programs' cache off), as
        # the first visit to a view does once its kept reads have expired.
        snapshot_min, kept = settings.DASHBOARD_SNAPSHOT_MIN_PAIRS, settings.DASHBOARD_CACHE_SECONDS
        settings.DASHBOARD_SNAPSHOT_MIN_PAIRS, settings.DASHBOARD_CACHE_SECONDS = 10**9, 0
        live = {}
        for size, program in programs.items():
            repeat = args.repeat_live_xlarge if size == "xlarge" else args.repeat
            live[size] = render(client, program, repeat=repeat)
            queries, seconds, size_bytes = live[size]
            print(f"live {size}: {queries} queries, {seconds * 1000:.0f} ms, {size_bytes} bytes")
        suppression_s, periods_s, instrumented_s = suppression_time(
            client, programs["large"], repeat=args.repeat)
        rest_s = max(instrumented_s - suppression_s - periods_s, 1e-9)
        overhead, periods_overhead = suppression_s / rest_s, periods_s / rest_s
        print(f"disclosure control at {counts['large']['pairs']} pairs: {suppression_s * 1000:.1f} ms, "
              f"+{overhead:.1%} on the rest of the render (target: at most +20%); reading the reporting "
              f"periods: {periods_s * 1000:.1f} ms, +{periods_overhead:.1%}")
        # Snapshots: what a lead of a large program gets (the job has read the figures).
        settings.DASHBOARD_SNAPSHOT_MIN_PAIRS, settings.DASHBOARD_CACHE_SECONDS = snapshot_min, kept
        snap = snapshot_renders(client, programs, repeat=args.repeat)
        for size, figures in snap.items():
            print(f"snapshot {size}: refresh {figures['refresh_s']:.2f} s, render "
                  f"{figures['render_s'] * 1000:.0f} ms, {figures['queries']} queries")
        # The disclosure control on what a lead of the large program gets: a render from its snapshot
        # (the reporting periods were read by the job, with the figures: refresh_s_large).
        snap_pass_s, snap_periods_s, snap_render_s = suppression_time(
            client, programs["large"], repeat=args.repeat)
        snap_overhead = snap_pass_s / max(snap_render_s - snap_pass_s - snap_periods_s, 1e-9)
        print(f"disclosure control on the snapshot render at {counts['large']['pairs']} pairs: "
              f"{snap_pass_s * 1000:.1f} ms, +{snap_overhead:.1%} (reporting periods read: "
              f"{snap_periods_s * 1000:.1f} ms)")
        result = {
            "benchmark": "dashboard", "database": engine,
            "queries_small": live["small"][0], "queries_large": live["large"][0],
            "render_s_small": round(live["small"][1], 4), "render_s_large": round(live["large"][1], 4),
            "ratio": round(live["large"][1] / live["small"][1], 2),
            "suppression_s_large": round(suppression_s, 4),
            "suppression_overhead_large": round(overhead, 3),
            "periods_read_s_large": round(periods_s, 4),
            "periods_read_overhead_large": round(periods_overhead, 3),
            "suppression_s_snapshot_large": round(snap_pass_s, 4),
            "suppression_overhead_snapshot_large": round(snap_overhead, 3),
            "periods_read_s_snapshot_large": round(snap_periods_s, 4),
            "pairs_small": counts["small"]["pairs"], "pairs_large": counts["large"]["pairs"],
            "sessions_large": counts["large"]["sessions"], "answers_large": counts["large"]["answers"],
        }
        if "large" in snap:
            result.update({"render_s_snapshot_large": round(snap["large"]["render_s"], 4),
                           "refresh_s_large": round(snap["large"]["refresh_s"], 2)})
        if "xlarge" in programs:
            result.update({
                "pairs_xlarge": counts["xlarge"]["pairs"], "sessions_xlarge": counts["xlarge"]["sessions"],
                "answers_xlarge": counts["xlarge"]["answers"],
                "queries_live_xlarge": live["xlarge"][0], "render_s_live_xlarge": round(live["xlarge"][1], 4),
                "ratio_live_xlarge_vs_large": round(live["xlarge"][1] / live["large"][1], 2),
            })
            if "xlarge" in snap and "large" in snap:
                result.update({
                    "snapshot_min_pairs": snapshot_min,
                    "queries_snapshot_large": snap["large"]["queries"],
                    "queries_snapshot_xlarge": snap["xlarge"]["queries"],
                    "render_s_snapshot_large": round(snap["large"]["render_s"], 4),
                    "render_s_snapshot_xlarge": round(snap["xlarge"]["render_s"], 4),
                    "ratio_xlarge": round(snap["xlarge"]["render_s"] / snap["large"]["render_s"], 2),
                    "refresh_s_large": round(snap["large"]["refresh_s"], 2),
                    "refresh_s_xlarge": round(snap["xlarge"]["refresh_s"], 2),
                })
        print(json.dumps(result))
    finally:
        if not args.keep_db:
            drop_database(original_url, args.db_name)


def _reuse_database(name: str) -> str | None:
    """Point DATABASE_URL at the kept database ``name`` (returns the original URL)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("--reuse-db needs DATABASE_URL (PostgreSQL)")
    os.environ["DATABASE_URL"] = urlunparse(urlparse(url)._replace(path=f"/{name}"))
    return url


if __name__ == "__main__":
    main()
