"""Load: the main pages under 50 concurrent users, against a trivial static file as reference.

Run from the repository root: ``python benchmarks/load.py [--users 50] [--seconds 60]``.
It needs PostgreSQL and Redis: DATABASE_URL and REDIS_URL (``make bench`` starts throwaway
servers). It creates a throwaway database, seeds the demo organisation, starts gunicorn with
2 workers in the production configuration (DEBUG off), then a SECOND process drives the pages
on loopback with N simulated signed-in users for the given time, and prints one JSON line:
requests, errors, p50/p95 per page and for the reference (a static file served by whitenoise).
Target: zero errors; each page's p95 within 5x of the reference's p95.
"""

from __future__ import annotations

import argparse
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

def drive(base: str, plan_path: str, users: int, seconds: float) -> None:
    """Simulated users: each loops over the pages with its own session cookies."""
    plan = json.loads(Path(plan_path).read_text())
    host = urlsplit(base)
    results: dict[str, list[float]] = {name: [] for name in plan["pages"]}
    errors: dict[str, int] = dict.fromkeys(plan["pages"], 0)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(index: int) -> None:
        rng = random.Random(index)  # noqa: S311 - load pattern, not security
        names = list(plan["pages"])
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        while time.monotonic() < deadline:
            name = rng.choice(names)
            page = plan["pages"][name]
            # Simulated user i is participant i: their own session and their own pair's pages.
            cookies = plan["cookies"][page["as"]]
            cookie = cookies[index % len(cookies)]
            path = page["paths"][index % len(cookies) % len(page["paths"])]
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={
                    "Cookie": cookie, "Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    results[name].append(elapsed)
                else:
                    errors[name] += 1

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    print(json.dumps({"results": results, "errors": errors}))


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
# Production requires two-factor for leads: the lead has set it up, as they would have.
from allauth.mfa.models import Authenticator
Authenticator.objects.get_or_create(user=lead, type=Authenticator.Type.TOTP,
                                    defaults={"data": {"secret": "x"}})
participants, pair_paths, book_paths = [], [], []
for pair in pairs:
    for enrollment in (pair.mentor, pair.mentee):
        participants.append(cookie(enrollment.user))
        pair_paths.append(reverse("meetings:pair", args=[pair.pk]))
        book_paths.append(reverse("meetings:propose", args=[pair.pk]))
print(json.dumps({
    "cookies": {"participant": participants, "lead": [cookie(lead)]},
    "pair_paths": pair_paths, "book_paths": book_paths,
    "dashboard": reverse("evaluation:dashboard", args=[program.pk]),
}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    if out.returncode != 0:
        sys.exit(f"seeding failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.drive, args.plan, args.users, args.seconds)
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
        info = prepare(env)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                       cwd=ROOT, env=env, check=True)
        port = free_port()
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "mentoring.wsgi", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
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

        pages = {
            "home": {"paths": ["/"], "as": "participant"},
            "pair_page": {"paths": info["pair_paths"], "as": "participant"},
            "booking": {"paths": info["book_paths"], "as": "participant"},
            "dashboard": {"paths": [info["dashboard"]], "as": "lead"},
            "reference_static": {"paths": ["/static/css/flipside.css"], "as": "participant"},
        }
        plan = {"pages": pages, "cookies": info["cookies"]}
        plan_path = var_dir / "plan.json"
        plan_path.write_text(json.dumps(plan))
        out = subprocess.run(
            [sys.executable, __file__, "--drive", base, "--plan", str(plan_path),
             "--users", str(args.users), "--seconds", str(args.seconds)],
            cwd=ROOT, capture_output=True, text=True, timeout=args.seconds + 180)
        data = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(30)
        drop_database(database_url)

    summary: dict[str, object] = {"benchmark": "load", "users": args.users, "seconds": args.seconds,
                                  "gunicorn_workers": 2}
    total = sum(len(v) for v in data["results"].values())
    summary["requests"] = total + sum(data["errors"].values())
    summary["errors"] = sum(data["errors"].values())
    ref95 = percentile(data["results"]["reference_static"], 95)
    for name, values in data["results"].items():
        summary[f"{name}_requests"] = len(values)
        summary[f"{name}_errors"] = data["errors"][name]
        summary[f"{name}_p50_ms"] = round(statistics.median(values) * 1000, 1) if values else None
        summary[f"{name}_p95_ms"] = round(percentile(values, 95) * 1000, 1)
        if name != "reference_static" and ref95:
            summary[f"{name}_p95_ratio"] = round(percentile(values, 95) / ref95, 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
