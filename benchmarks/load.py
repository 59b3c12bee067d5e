"""Load: each page's service time against ``/health/``, then throughput at 50 and 200 users.

Run from the repository root: ``python benchmarks/load.py [--rounds 30] [--seconds 30]``.
It needs PostgreSQL and Redis: DATABASE_URL and REDIS_URL (``make bench`` starts throwaway
servers). It creates a throwaway database, seeds the demo organisation, starts gunicorn with the
production image's 3 sync workers (DEBUG off), then a SECOND process drives the pages on loopback:

1. **Service time** - one user, strictly sequential, ``--rounds`` times over every page and
   ``/health/`` in turn. Nothing queues, so a page's time is what it costs, and ``/health/``
   (one ``SELECT 1`` and one cache read through the whole middleware stack) is a reference that
   pays the same fixed costs. Target: every page's p95 within 5x of ``/health/``'s p95.
   (The old reference, a static file behind the same busy workers, queued like every page, so
   every ratio came out ~1 whatever a page cost.)
2. **Throughput** - 50, then 200 concurrent users for ``--seconds`` each, on the same mix of
   pages: requests/s in all and per gunicorn worker, p50/p95 and errors. Target: zero errors.

Every response must be a 200 carrying the page's own marker (a sign-in redirect or a 404 counts
as an error), so the benchmark measures the real participant, lead and HR pages. The driver is the
standard library (threads + http.client) rather than Locust: it needs no extra dependency, and the
figures asked for here (per-page percentiles, sequential service time, fixed-duration runs) are a
few lines each. Prints one JSON line last.
"""
from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "flipside_bench_load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- the driver: the second process ------------------------------------------------------------


def fetch(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, bytes, bool]:
    """One GET; returns status, body and whether the server closed the connection."""
    conn.request("GET", path, headers={
        "Cookie": cookie, "Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    body = response.read()
    closed = response.getheader("Connection", "").lower() == "close"
    return response.status, body, closed


class Client:
    """One simulated user's connection, reopened whenever the server closes it (sync workers
    close after every response)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def get(self, page: dict, index: int, cookies: dict[str, list[str]]) -> tuple[bool, float]:
        role_cookies = cookies[page["as"]]
        cookie = role_cookies[index % len(role_cookies)]
        path = page["paths"][index % len(page["paths"])]
        markers = page.get("markers") or [page["marker"]]
        marker = markers[index % len(markers)]
        started = time.perf_counter()
        try:
            status, body, closed = fetch(self.conn, path, cookie)
            ok = status == 200 and marker.encode() in body
            if closed:
                self.conn.close()
        except (OSError, http.client.HTTPException):
            ok = False
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return ok, time.perf_counter() - started


def drive_sequential(base: str, plan: dict, rounds: int) -> dict:
    """One user, one request at a time, every page in turn: service time without queueing."""
    host = urlsplit(base)
    client = Client(host.hostname, host.port)
    names = list(plan["pages"])
    results: dict[str, list[float]] = {name: [] for name in names}
    errors: dict[str, int] = dict.fromkeys(names, 0)
    for round_index in range(rounds + 1):
        for offset in range(len(names)):
            # Rotate the order so no page always follows the same one (caches, GC).
            name = names[(offset + round_index) % len(names)]
            ok, elapsed = client.get(plan["pages"][name], round_index, plan["cookies"])
            if round_index == 0:  # warm-up round: imports, template loading, connections
                if not ok:
                    errors[name] += 1
                continue
            if ok:
                results[name].append(elapsed)
            else:
                errors[name] += 1
    return {"results": results, "errors": errors}


def drive_concurrent(base: str, plan: dict, users: int, seconds: float) -> dict:
    """N users, each looping over randomly chosen pages with its own session, for a fixed time."""
    host = urlsplit(base)
    names = list(plan["pages"])
    results: dict[str, list[float]] = {name: [] for name in names}
    errors: dict[str, int] = dict.fromkeys(names, 0)
    lock = threading.Lock()
    start_barrier = threading.Barrier(users + 1)
    deadline = [0.0]

    def user(index: int) -> None:
        rng = random.Random(index)  # noqa: S311 - load pattern, not security
        client = Client(host.hostname, host.port)
        start_barrier.wait()
        while time.monotonic() < deadline[0]:
            name = rng.choice(names)
            ok, elapsed = client.get(plan["pages"][name], index, plan["cookies"])
            with lock:
                if ok:
                    results[name].append(elapsed)
                else:
                    errors[name] += 1

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    started = time.monotonic()
    start_barrier.wait()
    for t in threads:
        t.join(seconds + 120)
    # Requests in flight at the deadline finish after it: divide by the real elapsed time.
    return {"results": results, "errors": errors, "elapsed_s": time.monotonic() - started}


def drive(base: str, plan_path: str, rounds: int, user_counts: list[int], seconds: float) -> None:
    plan = json.loads(Path(plan_path).read_text())
    out = {"sequential": drive_sequential(base, plan, rounds), "concurrent": {}}
    for users in user_counts:
        out["concurrent"][str(users)] = drive_concurrent(base, plan, users, seconds)
    print(json.dumps(out))


# --- the orchestrator --------------------------------------------------------------------------

def admin_dsn(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    return parts._replace(path=f"/{name}").geturl()


def recreate_database(database_url: str) -> str:
    import psycopg2

    conn = psycopg2.connect(admin_dsn(database_url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{BENCH_DB}"')
    conn.close()
    return admin_dsn(database_url, BENCH_DB)


def drop_database(database_url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_dsn(database_url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    conn.close()


def prepare(env: dict[str, str]) -> dict:
    """Migrate and seed the throwaway database; mint sessions; pick the pages. Runs in a child
    process so Django is configured with the benchmark's environment, not ours."""
    code = r"""
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.management import call_command
from django.urls import reverse
from django.test.utils import override_settings

call_command("migrate", verbosity=0)
with override_settings(DEBUG=True):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
from accounts.models import User
from pairing.models import Pair
from programs.models import Program

def cookie(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"

pairs = list(Pair.objects.filter(status="active").select_related("mentor__user", "mentee__user")[:25])
program = Program.objects.filter(status="running").first()
lead = program.leads.first()
hr = User.objects.get(email="hr@flipside.example")
# Production requires two-factor for leads and HR admins: they have set it up, as they would have.
from allauth.mfa.models import Authenticator
for person in (lead, hr):
    Authenticator.objects.get_or_create(user=person, type=Authenticator.Type.TOTP,
                                        defaults={"data": {"secret": "x"}})
participants, pair_paths, book_paths, partners = [], [], [], []
for pair in pairs:
    for enrollment, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
        participants.append(cookie(enrollment.user))
        partners.append(partner.user.display_name)
        pair_paths.append(reverse("meetings:pair", args=[pair.pk]))
        book_paths.append(reverse("meetings:propose", args=[pair.pk]))
print(json.dumps({
    "cookies": {"participant": participants, "lead": [cookie(lead)], "hr": [cookie(hr)]},
    "pair_paths": pair_paths, "book_paths": book_paths, "partners": partners,
    "program_name": program.name,
    "dashboard": reverse("evaluation:dashboard", args=[program.pk]),
    "hr_enrollments": reverse("pairing:hr_enrollments", args=[program.pk]),
    "hr_review": reverse("pairing:hr_review", args=[program.pk]),
    "hr_exits": reverse("pairing:hr_exits"),
    "people": reverse("programs:people"),
}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    if out.returncode != 0:
        sys.exit(f"seeding failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


WORKERS = 3  # as the production image and the Kubernetes web pods run gunicorn


def page_plan(info: dict) -> dict:
    """The pages, who asks for them and a string each real page carries (a sign-in page, a 404 or
    an error page would not)."""
    program = html.escape(info["program_name"])
    # Every participant sees their pair's page; the partner's name is on it. Paths and cookies
    # are indexed alike, so user i asks for pair i's pages with pair i's session.
    return {
        "health": {"paths": ["/health/"], "as": "participant", "marker": '"database": "ok"'},
        "home": {"paths": ["/"], "as": "participant", "marker": "Flipside"},
        "pair_page": {"paths": info["pair_paths"], "as": "participant",
                      "markers": [html.escape(name) for name in info["partners"]]},
        "booking": {"paths": info["book_paths"], "as": "participant", "marker": "<form"},
        "dashboard": {"paths": [info["dashboard"]], "as": "lead", "marker": program},
        "hr_people": {"paths": [info["people"]], "as": "hr", "marker": "hr@flipside.example"},
        "hr_enrollments": {"paths": [info["hr_enrollments"]], "as": "hr", "marker": program},
        "hr_review": {"paths": [info["hr_review"]], "as": "hr", "marker": program},
        "hr_exits": {"paths": [info["hr_exits"]], "as": "hr", "marker": 'id="main"'},
    }


def timings(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None}
    return {"p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1)}


def summarise(data: dict, args: argparse.Namespace) -> dict[str, object]:
    summary: dict[str, object] = {"benchmark": "load", "gunicorn_workers": WORKERS,
                                  "rounds": args.rounds, "seconds": args.seconds}
    sequential = data["sequential"]
    health95 = percentile(sequential["results"]["health"], 95)
    ratios: dict[str, float] = {}
    for name, values in sequential["results"].items():
        figures = timings(values)
        summary[f"seq_{name}_p50_ms"] = figures["p50_ms"]
        summary[f"seq_{name}_p95_ms"] = figures["p95_ms"]
        if name != "health" and health95 and values:
            ratios[name] = round(percentile(values, 95) / health95, 2)
            summary[f"seq_{name}_p95_vs_health"] = ratios[name]
    summary["seq_errors"] = sum(sequential["errors"].values())
    summary["seq_errors_by_page"] = {k: v for k, v in sequential["errors"].items() if v}
    summary["seq_worst_page"] = max(ratios, key=ratios.get) if ratios else None
    summary["seq_worst_ratio"] = max(ratios.values()) if ratios else None
    errors = summary["seq_errors"]
    for users, run in data["concurrent"].items():
        done = sum(len(v) for v in run["results"].values())
        failed = sum(run["errors"].values())
        everything = [t for values in run["results"].values() for t in values]
        rate = done / run["elapsed_s"] if run["elapsed_s"] else 0.0
        summary[f"u{users}_requests"] = done + failed
        summary[f"u{users}_errors"] = failed
        summary[f"u{users}_errors_by_page"] = {k: v for k, v in run["errors"].items() if v}
        summary[f"u{users}_rps"] = round(rate, 1)
        summary[f"u{users}_rps_per_worker"] = round(rate / WORKERS, 1)
        summary[f"u{users}_p50_ms"] = timings(everything)["p50_ms"]
        summary[f"u{users}_p95_ms"] = timings(everything)["p95_ms"]
        errors += failed
    summary["errors"] = errors
    summary["target_p95_within_5x_health"] = bool(ratios) and max(ratios.values()) <= 5
    summary["target_zero_errors"] = errors == 0
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30,
                        help="sequential rounds over every page (service time)")
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200],
                        help="concurrent users for the throughput runs")
    parser.add_argument("--seconds", type=float, default=30, help="length of each throughput run")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.drive, args.plan, args.rounds, args.users, args.seconds)
        return

    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url or not database_url.startswith("postgres"):
        sys.exit("benchmarks/load.py needs DATABASE_URL (PostgreSQL) and REDIS_URL: run `make bench`.")
    bench_url = recreate_database(database_url)
    var_dir = ROOT / "var" / "bench-load"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mentoring.settings", "DATABASE_URL": bench_url,
           "REDIS_URL": redis_url, "DEBUG": "false",
           "SECRET_KEY": "load-benchmark-secret-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "false", "EMAIL_URL": "console://", "VAR_DIR": str(var_dir),
           "CACHE_KEY_PREFIX": f"bench-load-{os.getpid()}", "LOG_LEVEL": "WARNING"}
    gunicorn = None
    try:
        print("seeding the demo organisation ...", file=sys.stderr)
        info = prepare(env)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                       cwd=ROOT, env=env, check=True)
        port = free_port()
        # Production's sync workers; the backlog queues connections beyond them, as it would.
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "mentoring.wsgi",
             "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/health/", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not become healthy")

        plan = {"pages": page_plan(info), "cookies": info["cookies"]}
        plan_path = var_dir / "plan.json"
        plan_path.write_text(json.dumps(plan))
        print(f"driving: {args.rounds} sequential rounds, then {args.users} users for "
              f"{args.seconds:g} s each ...", file=sys.stderr)
        budget = args.rounds * 30 + len(args.users) * (args.seconds + 150)
        out = subprocess.run(
            [sys.executable, __file__, "--drive", base, "--plan", str(plan_path),
             "--rounds", str(args.rounds), "--users", *map(str, args.users),
             "--seconds", str(args.seconds)],
            cwd=ROOT, capture_output=True, text=True, timeout=budget)
        if out.returncode != 0:
            sys.exit(f"driver failed:\n{out.stderr[-3000:]}")
        data = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(30)
        drop_database(database_url)

    summary = summarise(data, args)
    for name in plan["pages"]:
        if name != "health":
            print(f"{name:>15}: p95 {summary.get(f'seq_{name}_p95_ms')} ms, "
                  f"{summary.get(f'seq_{name}_p95_vs_health')}x /health/", file=sys.stderr)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
