"""Benchmark the REST API: a paginated list costs the same number of queries at 100 and 10,000 rows.

Run from the repository root::

    python benchmarks/api.py            # SQLite in a temporary folder
    DATABASE_URL=postgres://… python benchmarks/api.py

Database setup as benchmarks/dashboard.py (a throwaway ``flipside_bench_api`` database next to
DATABASE_URL's, dropped afterwards). It seeds 100 employees, measures ``GET /api/v1/people/`` (first
page and the page after a cursor) with an HR admin's token, seeds up to 10,000 and measures again.
Prints one JSON line last::

    {"benchmark": "api", "queries_100": …, "queries_10000": …, "ms_100": …, "ms_10000": …}

Target: equal query counts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dashboard import create_database, drop_database  # noqa: E402

BENCH_DB = "flipside_bench_api"


def seed_people(total: int) -> None:
    from accounts.models import User

    have = User.objects.count()
    User.objects.bulk_create(
        [User(email=f"person{i}@bench.example", full_name=f"Person {i}", department="Sales", level=5)
         for i in range(have, total)], batch_size=5000)


def measure(client, token: str, repeat: int) -> tuple[int, float]:
    """Queries for the first page plus the next one (through its cursor); fastest time of both."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    best = float("inf")
    queries = 0
    for _ in range(repeat + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            first = client.get("/api/v1/people/", {"limit": 50}, **headers)
            cursor = first.json()["next_cursor"]
            second = client.get("/api/v1/people/", {"limit": 50, "cursor": cursor}, **headers)
            elapsed = time.perf_counter() - started
        assert first.status_code == second.status_code == 200, (first.content, second.content)
        queries, best = len(captured), min(best, elapsed)
    return queries, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db-name", default=BENCH_DB)
    args = parser.parse_args()

    original_url = create_database(args.db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from accounts.services import user_set_hr_admin
    from api.tokens import api_token_create

    try:
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        settings.API_RATE_LIMIT = 10**9  # measuring queries, not the rate limit
        call_command("migrate", verbosity=0, interactive=False)
        hr = user_set_hr_admin(user=User.objects.create_user("hr@bench.example", "bench-password-1"),
                               is_hr_admin=True)
        token = api_token_create(user=hr, name="bench", read_only=True)[1]
        client = Client()
        seed_people(args.small)
        queries_small, small = measure(client, token, args.repeat)
        seed_people(args.large)
        queries_large, large = measure(client, token, args.repeat)
        print(f"database: {engine}; {args.small} rows: {queries_small} queries, {small * 1000:.1f} ms; "
              f"{args.large} rows: {queries_large} queries, {large * 1000:.1f} ms")
        print(json.dumps({"benchmark": "api", "database": engine, "rows_small": args.small,
                          "rows_large": args.large, "queries_100": queries_small,
                          "queries_10000": queries_large, "ms_100": round(small * 1000, 2),
                          "ms_10000": round(large * 1000, 2)}))
    finally:
        drop_database(original_url, args.db_name)


if __name__ == "__main__":
    main()
