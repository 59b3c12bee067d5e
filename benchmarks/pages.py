"""Benchmark the HR pages at 100, 2,000 and 20,000 participants: same queries, within 2x.

Run from the repository root::

    python benchmarks/pages.py [--sizes 100 2000 20000] [--repeat 3]
    DATABASE_URL=postgres://... python benchmarks/pages.py

Like ``benchmarks/dashboard.py``: with DATABASE_URL it creates (and afterwards drops) a throwaway
PostgreSQL database ``flipside_bench_pages``; without it, SQLite in a temporary folder. For each
size it seeds (``bulk_create``) one program with that many applicants, half juniors offering to
mentor and half seniors, a third approved, draft and active pairs among them and exit requests on
some, and a manager for every ten people; then renders, through Django's test client as a signed-in
HR admin, the People page (organisation-wide), a People search, the program's enrolments page, a
search and a filtered enrolments page, the matching review and the exits queue. Prints one line per
page and size, then exactly one JSON line (last) with queries and the fastest of ``--repeat``
renders (after a warm-up) per page and size, each page's ratio of its largest to its smallest
render and of its largest to its middle one. Targets (issue 17): equal queries across sizes, and
every size's render within 2x of the smallest size's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dashboard import create_database, drop_database  # noqa: E402

BENCH_DB = "flipside_bench_pages"
DEPARTMENTS = ["Engineering", "Marketing", "Sales", "Operations", "Finance", "Customer Success"]


def seed_program(*, size: int, index: int):
    """An enrolling program with ``size`` applicants (new people each time, one manager for every ten
    of them), a third approved; half the approved mentees in draft pairs, a quarter in published
    active pairs, and exit requests on a fifth of those (half of them open)."""
    from django.utils import timezone

    from accounts.models import User
    from pairing.models import Enrollment, ExitRequest, Pair
    from programs.models import AgreementVersion, Program

    now = timezone.now()
    program = Program.objects.create(name=f"Benchmark {size}", cohort="Benchmark",
                                     status=Program.Status.MATCHING)
    agreement = AgreementVersion.objects.create(program=program, version=1, text="Agreement",
                                                published_at=now)
    managers = User.objects.bulk_create([
        User(email=f"m{index}-{i}@bench.example", full_name=f"Manager {index}-{i:05d}", level=14,
             department=DEPARTMENTS[i % len(DEPARTMENTS)], job_title="Head")
        for i in range(max(1, size // 10))], batch_size=5000)
    users = User.objects.bulk_create([
        User(email=f"p{index}-{i}@bench.example", full_name=f"Person {index}-{i:05d}",
             department=DEPARTMENTS[i % len(DEPARTMENTS)], level=3 if i % 2 else 10,
             job_title="Analyst" if i % 2 else "Director", manager=managers[i // 10 % len(managers)])
        for i in range(size)], batch_size=5000)
    statuses = [Enrollment.Status.APPLIED, Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED]
    enrollments = Enrollment.objects.bulk_create([
        Enrollment(program=program, user=user, role="mentor" if i % 2 else "mentee",
                   status=statuses[i % 3], agreement_version=agreement, agreement_accepted_at=now,
                   learn_goals="Learn", teach_goals="Teach", applied_at=now - dt.timedelta(minutes=i))
        for i, user in enumerate(users)], batch_size=5000)
    approved = [e for e in enrollments if e.status == Enrollment.Status.APPROVED]
    mentors = [e for e in approved if e.role == "mentor"]
    mentees = [e for e in approved if e.role == "mentee"]
    pairs = []
    for j, (mentor, mentee) in enumerate(zip(mentors, mentees, strict=False)):
        if j % 2 == 0:
            pairs.append(Pair(program=program, mentor=mentor, mentee=mentee, score=50 + j % 37,
                              explanation="They share Cloud tools.", locked=j % 10 == 0,
                              parts={"mentor_teaches": 3.0, "availability": 1.5}))
        elif j % 4 == 1:
            pairs.append(Pair(program=program, mentor=mentor, mentee=mentee, score=50 + j % 37,
                              status=Pair.Status.ACTIVE, published_at=now, activated_at=now,
                              mentor_response="accepted", mentee_response="accepted"))
    pairs = Pair.objects.bulk_create(pairs, batch_size=5000)
    active = [p for p in pairs if p.status == Pair.Status.ACTIVE]
    ExitRequest.objects.bulk_create([
        ExitRequest(pair=pair, requested_by=pair.mentee.user, kind="rematch", reason="",
                    resolved_at=now if j % 2 else None, outcome="kept" if j % 2 else "")
        for j, pair in enumerate(active[::5])], batch_size=5000)
    return program


def measure(client, url: str, params: dict, repeat: int) -> tuple[int, float, int]:
    """(queries, fastest seconds, bytes) for one GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, params)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    best, queries = float("inf"), 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        best, queries = min(best, elapsed), len(captured.captured_queries)
    return queries, best, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 2000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db-name", default=BENCH_DB)
    args = parser.parse_args()

    original_url = create_database(args.db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from accounts.services import user_set_hr_admin

    results: dict[str, dict[str, dict[str, float | int]]] = {}
    try:
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        call_command("migrate", verbosity=0, interactive=False)
        hr = User.objects.create(email="hr@bench.example", full_name="Hannah HR")
        user_set_hr_admin(user=hr, is_hr_admin=True)
        client = Client()
        client.force_login(hr)
        for index, size in enumerate(sorted(args.sizes)):
            started = time.perf_counter()
            program = seed_program(size=size, index=index)
            if engine == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"{size} participants seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            enrolments = reverse("pairing:hr_enrollments", args=[program.pk])
            pages = {
                "people": (reverse("programs:people"), {}),
                "people_search": (reverse("programs:people"), {"q": "Person"}),
                "enrolments": (enrolments, {}),
                "enrolments_search": (enrolments, {"q": "person", "role": "mentor", "status": "approved"}),
                "enrolments_page_2": (enrolments, {"page": 2}),
                "matching_review": (reverse("pairing:hr_review", args=[program.pk]), {}),
                "exits": (reverse("pairing:hr_exits"), {}),
            }
            for name, (url, params) in pages.items():
                queries, seconds, size_bytes = measure(client, url, params, args.repeat)
                results.setdefault(name, {})[str(size)] = {
                    "queries": queries, "ms": round(seconds * 1000, 1), "bytes": size_bytes}
                print(f"{size:>6} {name:>18}: {queries} queries, {seconds * 1000:.0f} ms, {size_bytes} bytes",
                      file=sys.stderr)
    finally:
        drop_database(original_url, args.db_name)

    ordered = sorted(args.sizes)
    smallest, middle, largest = str(ordered[0]), str(ordered[len(ordered) // 2]), str(ordered[-1])
    summary: dict[str, object] = {"benchmark": "pages", "database": engine, "sizes": sorted(args.sizes)}
    failing = []
    for name, by_size in results.items():
        same = len({figures["queries"] for figures in by_size.values()}) == 1
        ratio = round(by_size[largest]["ms"] / max(by_size[smallest]["ms"], 0.1), 2)
        ratio_middle = round(by_size[largest]["ms"] / max(by_size[middle]["ms"], 0.1), 2)
        summary[name] = {"queries": {s: f["queries"] for s, f in by_size.items()},
                         "ms": {s: f["ms"] for s, f in by_size.items()},
                         "kb": {s: round(f["bytes"] / 1024) for s, f in by_size.items()},
                         "same_queries": same, f"ratio_{largest}_vs_{smallest}": ratio,
                         f"ratio_{largest}_vs_{middle}": ratio_middle}
        worst = max(f["ms"] for f in by_size.values()) / max(by_size[smallest]["ms"], 0.1)
        if not same or worst > 2:
            failing.append(name)
    summary["targets_met"] = not failing
    summary["failing"] = failing
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
