"""Benchmark one meeting-reminder tick: 1,000 due sessions among 1,000 and among 100,000.

Run from the repository root::

    python benchmarks/reminders.py [--due 1000] [--small 1000] [--large 100000]

Uses PostgreSQL when DATABASE_URL is set (a throwaway database ``flipside_bench_reminders`` is
created next to it and dropped afterwards), else a temporary SQLite file. E-mails go to Django's
in-memory backend. Prints a few human-readable lines, then exactly one JSON line (last):
the query count and wall time of one tick in each case. The claim is that the query count does
not depend on the total number of sessions (it grows only with the number of *due* e-mails: one
``UPDATE`` of its delivery per message sent, by design) and the large tick stays within 3× the small.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "flipside_bench_reminders"
BATCH = 5000


def _postgres_admin(url: str):
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    return admin


def _prepare_database() -> tuple[str, callable]:
    """Point DATABASE_URL at a fresh throwaway database; return (engine name, cleanup)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        with _postgres_admin(url).cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
            cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))

        def cleanup() -> None:
            from django.db import connections

            connections.close_all()
            admin = _postgres_admin(url)
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            admin.close()

        return "postgresql", cleanup
    folder = tempfile.mkdtemp(prefix="flipside-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"

    def cleanup_sqlite() -> None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)

    return "sqlite", cleanup_sqlite


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "mentoring.settings"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed(*, pairs: int, now):
    """One running program, ``pairs`` active pairs (two people and two enrolments each)."""
    import datetime as dt

    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from accounts.models import User
    from pairing.models import Enrollment, Pair
    from programs.models import AgreementVersion, Program

    program = Program.objects.create(
        name="Benchmark program",
        status=Program.Status.RUNNING,
        starts_on=(now - dt.timedelta(weeks=10)).date(),
        ends_on=(now + dt.timedelta(weeks=30)).date(),
    )
    agreement = AgreementVersion.objects.create(program=program, version=1, text="We meet.", published_at=now)
    zones = ["Europe/Berlin", "America/New_York", "Asia/Singapore", "Europe/London"]
    users = User.objects.bulk_create(
        [
            User(
                email=f"person{i}@bench.example",
                full_name=f"Person {i}",
                password=UNUSABLE_PASSWORD_PREFIX,  # nobody signs in
                time_zone=zones[i % len(zones)],
            )
            for i in range(2 * pairs)
        ],
        batch_size=BATCH,
    )
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                program=program,
                user=user,
                role="mentor" if i % 2 == 0 else "mentee",
                status="approved",
                agreement_version=agreement,
                agreement_accepted_at=now,
                learn_goals="-",
                teach_goals="-",
            )
            for i, user in enumerate(users)
        ],
        batch_size=BATCH,
    )
    return Pair.objects.bulk_create(
        [
            Pair(
                program=program,
                mentor=enrollments[2 * i],
                mentee=enrollments[2 * i + 1],
                status="active",
                published_at=now,
                activated_at=now,
                mentor_response="accepted",
                mentee_response="accepted",
            )
            for i in range(pairs)
        ],
        batch_size=BATCH,
    )


def _add_sessions(pairs, *, count: int, due: int, offset: int, now) -> None:
    """``due`` confirmed sessions starting in 2–23 h (their 24 h reminder is due), the rest
    outside the reminder window: held ones in the past weeks and booked ones from day 2 on."""
    import datetime as dt

    from meetings.models import Meeting

    rows = []
    for i in range(count):
        index = offset + i
        pair = pairs[index % len(pairs)]
        if i < due:
            start, status = now + dt.timedelta(hours=2, seconds=(i * 75_600) // max(due, 1)), "confirmed"
        elif index % 3:
            start, status = now - dt.timedelta(days=1 + index % 300, hours=index % 11), "held"
        else:
            start, status = now + dt.timedelta(days=2 + index % 120, hours=index % 9), "confirmed"
        rows.append(
            Meeting(
                pair=pair,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=45),
                status=status,
                mode="video",
                video_link=f"https://meet.example.com/{pair.pk}",
            )
        )
        if len(rows) == BATCH:
            Meeting.objects.bulk_create(rows)
            rows = []
    Meeting.objects.bulk_create(rows)


def _tick() -> tuple[int, float, int]:
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings import reminders

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        outcome = reminders.meeting_reminders_tick()
        took = time.perf_counter() - began
    return len(queries), took, outcome.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=1000)
    args = parser.parse_args()
    engine, cleanup = _prepare_database()
    try:
        _setup_django()
        from django.core import mail
        from django.utils import timezone

        from meetings.models import MeetingReminder
        from notifications.models import Message

        mail.outbox = []
        now = timezone.now()
        pairs = _seed(pairs=args.pairs, now=now)
        _add_sessions(pairs, count=args.small, due=args.due, offset=0, now=now)
        print(f"{engine}: {args.small} sessions, {args.due} due", file=sys.stderr)
        _tick()  # warm-up: templates compiled, connections open; then the same tick measured
        MeetingReminder.objects.all().delete()
        Message.objects.all().delete()
        queries_small, tick_small, sent_small = _tick()
        print(
            f"  small tick: {queries_small} queries, {tick_small:.2f} s, {sent_small} sent", file=sys.stderr
        )

        # The same due sessions again, now among many more that are not due.
        MeetingReminder.objects.all().delete()
        Message.objects.all().delete()
        began = time.perf_counter()
        _add_sessions(pairs, count=args.large - args.small, due=0, offset=args.small, now=now)
        print(
            f"{engine}: {args.large} sessions ({time.perf_counter() - began:.1f} s to add)", file=sys.stderr
        )
        queries_large, tick_large, sent_large = _tick()
        print(
            f"  large tick: {queries_large} queries, {tick_large:.2f} s, {sent_large} sent", file=sys.stderr
        )
    finally:
        cleanup()
    print(
        json.dumps(
            {
                "benchmark": "reminders",
                "engine": engine,
                "queries_small": queries_small,
                "queries_large": queries_large,
                "tick_s_small": round(tick_small, 3),
                "tick_s_large": round(tick_large, 3),
                "due": args.due,
                "sent_small": sent_small,
                "sent_large": sent_large,
                "sessions_small": args.small,
                "sessions_large": args.large,
                "large_over_small": round(tick_large / tick_small, 2) if tick_small else None,
            }
        )
    )


if __name__ == "__main__":
    main()
