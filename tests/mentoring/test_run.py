"""`make run`: a quiet first run (no broker warning, no no-op work queued by the seed) and a
supervisor (scripts/run-dev.py) that Ctrl-C stops cleanly, with exit status 0."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from meetings.models import MeetingNotice

ROOT = Path(__file__).resolve().parents[2]


def embedded(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "VAR_DIR": str(tmp_path / "var"),
           "DJANGO_SETTINGS_MODULE": "mentoring.settings"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_the_filesystem_broker_connects_without_a_hostname_warning(tmp_path):
    result = embedded(
        "import logging, django; logging.basicConfig(level=logging.WARNING); django.setup(); "
        "from mentoring.celery import app\n"
        "with app.connection_for_write() as conn:\n"
        "    conn.ensure_connection(max_retries=1); print(conn.as_uri())",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("filesystem://")
    assert "No hostname was supplied" not in result.stderr, result.stderr


def test_the_web_process_does_not_import_the_matching_solver(tmp_path):
    # scipy.optimize costs seconds to import: only the worker that runs a matching needs it.
    result = embedded("import sys, django; django.setup(); import mentoring.urls; "
                      "print(sorted(m for m in sys.modules if m.startswith('scipy')))", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.django_db
def test_the_demo_seed_queues_no_work(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("seed_demo", stdout=io.StringIO())

    assert callbacks == []
    # The calendar e-mails of the demo's past bookings exist and count as sent: nothing to send later.
    assert MeetingNotice.objects.exists()
    assert not MeetingNotice.objects.filter(sent_at__isnull=True).exists()


# --- the supervisor -------------------------------------------------------------------------------

# Stand-ins for runserver, the Celery worker and beat, with their signal behaviour: the web one serves
# HTTP and stops on SIGINT; the "celery worker" exits 1 on SIGINT and 0 on SIGTERM, as Celery's does.
WEB = ("import http.server, sys; "
       "s = http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)\n"
       "try: s.serve_forever()\n"
       "except KeyboardInterrupt: print('web: bye', flush=True)")
WORKER = ("import signal, sys, time\n"
          "def warm(*args): print('worker: warm shutdown', flush=True); sys.exit(0)\n"
          "signal.signal(signal.SIGTERM, warm)\n"
          "signal.signal(signal.SIGINT, lambda *a: sys.exit(1)); print('worker: ready', flush=True)\n"
          "while True: time.sleep(0.05)")
BEAT = ("import time\ntry:\n    print('beat: ready', flush=True)\n    while True: time.sleep(0.05)\n"
        "except KeyboardInterrupt: print('beat: bye', flush=True)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_supervisor(tmp_path: Path, procfile: str, port: int) -> subprocess.Popen:
    (tmp_path / "Procfile").write_text(procfile)
    env = {"PATH": os.environ["PATH"], "FLIPSIDE_PORT": str(port), "FLIPSIDE_HOST": "127.0.0.1"}
    command = [sys.executable, str(ROOT / "scripts" / "run-dev.py"), str(tmp_path / "Procfile")]
    return subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def write(tmp_path: Path, name: str, code: str) -> str:
    (tmp_path / name).write_text(code)
    return f"{sys.executable} {tmp_path / name}"


def wait_for(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def test_ctrl_c_stops_web_worker_and_beat_cleanly_with_exit_status_0(tmp_path):
    port = free_port()
    web, worker, beat = (write(tmp_path, f"{n}.py", c) for n, c in (("web", WEB), ("worker", WORKER),
                                                                     ("beat", BEAT)))
    supervisor = start_supervisor(tmp_path, f"web: {web} {port}\nworker: {worker} celery worker\n"
                                            f"beat: {beat}\n", port)
    wait_for(lambda: answers(port))
    time.sleep(1.5)  # the worker and beat start once the web answered

    supervisor.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
    output, _ = supervisor.communicate(timeout=40)

    assert supervisor.returncode == 0, output
    for line in ("web: bye", "worker: warm shutdown", "beat: bye", "web stopped", "worker stopped",
                 "beat stopped"):
        assert line in output, output
    assert "ERROR" not in output and "exit status" not in output, output
    assert not answers(port)


def test_a_second_signal_a_moment_later_is_the_same_request_not_a_cold_shutdown(tmp_path):
    # `timeout` and a terminal's process group can deliver one Ctrl-C twice within milliseconds.
    port = free_port()
    web, worker = write(tmp_path, "web.py", WEB), write(tmp_path, "worker.py", WORKER)
    supervisor = start_supervisor(tmp_path, f"web: {web} {port}\nworker: {worker} celery worker\n", port)
    wait_for(lambda: answers(port))
    time.sleep(1.5)

    supervisor.send_signal(signal.SIGINT)
    supervisor.send_signal(signal.SIGINT)
    output, _ = supervisor.communicate(timeout=40)

    assert supervisor.returncode == 0, output
    assert "worker: warm shutdown" in output, output


def test_a_process_that_ends_on_its_own_stops_the_others_and_fails_the_run(tmp_path):
    port = free_port()
    web = write(tmp_path, "web.py", WEB)
    crash = write(tmp_path, "crash.py", "import sys, time; time.sleep(0.5); print('boom', flush=True); "
                                        "sys.exit(3)")
    supervisor = start_supervisor(tmp_path, f"web: {web} {port}\nbeat: {crash}\n", port)

    output, _ = supervisor.communicate(timeout=60)

    assert supervisor.returncode == 3, output
    assert "beat ended on its own: stopping the others" in output
    assert "web: bye" in output and "web stopped" in output
