#!/usr/bin/env python3
"""Run the processes of Procfile.dev (web, worker, beat) together for `make run`.

Why not honcho: on Ctrl-C honcho sends SIGTERM to each process *group*, so Celery's pool processes
are killed under their parent (ERROR lines, then a SIGKILL of the worker), and honcho exits 130
whatever happened. Here each process runs in its own process group and is stopped the way it stops
cleanly: runserver (and its autoreloader child) and beat by a SIGINT to their group, as a terminal's
Ctrl-C would; the Celery worker by a SIGTERM to its main process (a warm shutdown). A clean stop
exits 0. A second Ctrl-C asks again (Celery then stops at once: a cold shutdown), a third kills.

The web process (the first line) starts first; the others start once it has answered a request on
FLIPSIDE_HOST:FLIPSIDE_PORT, so the page is up as early as the machine allows. When one process ends
on its own, the others are stopped and the exit status is that process's (1 if it was killed).

Standard library only: it starts before anything else is known to work.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILL_AFTER = 30  # seconds after the first stop request: a task still running after that is cut off
CELERY_WORKER = re.compile(r"\bcelery\b.*\sworker\b")
ASSIGNMENTS = re.compile(r"^((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)(.+)$")


def procfile(path: Path) -> list[tuple[str, str]]:
    entries = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            entries.append((name.strip(), command.strip()))
    return entries


class Supervisor:
    def __init__(self, entries: list[tuple[str, str]]) -> None:
        self.entries = entries
        self.width = max(len(name) for name, _ in entries + [("system", "")])
        self.commands = dict(entries)
        self.children: dict[str, subprocess.Popen] = {}
        self.readers: list[threading.Thread] = []
        self.print_lock = threading.Lock()
        self.stop_requests = 0
        self.stopping_since: float | None = None
        self.first_exit: tuple[str, int] | None = None
        self.signals = 0
        self.handled = 0
        self.last_signal = -10.0
        self.killed = False

    # --- output -----------------------------------------------------------------------------

    def say(self, name: str, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")  # local wall-clock time, like the other log lines
        with self.print_lock:
            sys.stdout.write(f"{stamp} {name:<{self.width}} | {text}\n")
            sys.stdout.flush()

    def _relay(self, name: str, stream) -> None:
        for raw in iter(stream.readline, b""):
            self.say(name, raw.decode(errors="replace").rstrip("\n"))
        stream.close()

    # --- processes --------------------------------------------------------------------------

    def start(self, name: str, command: str) -> None:
        # `exec` so the shell is replaced and the signal reaches the program itself.
        prefix, rest = ASSIGNMENTS.match(command).groups()
        child = subprocess.Popen(  # noqa: S603 - the commands of our own Procfile.dev
            ["/bin/sh", "-c", f"{prefix}exec {rest}"], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            # Its own session: Ctrl-C reaches this supervisor only, which stops each process in
            # order, instead of hitting Celery's pool processes behind their parent's back.
            start_new_session=True,
        )
        self.children[name] = child
        reader = threading.Thread(target=self._relay, args=(name, child.stdout), daemon=True)
        reader.start()
        self.readers.append(reader)
        self.say("system", f"{name} started (pid {child.pid})")

    def running(self) -> dict[str, subprocess.Popen]:
        return {n: c for n, c in self.children.items() if c.returncode is None}

    def reap(self) -> None:
        for name, child in self.running().items():
            code = child.poll()
            if code is None:
                continue
            self.say("system", f"{name} stopped" + ("" if code == 0 else f" (exit status {code})"))
            if self.first_exit is None and self.stopping_since is None:
                self.first_exit = (name, code)
                self.say("system", f"{name} ended on its own: stopping the others")
                self.request_stop()

    def on_signal(self, *_args) -> None:
        # Only counted here: the main loop acts on it (a handler that printed could deadlock on
        # the output lock held by the code it interrupted). A signal within a second of the last
        # one is the same request delivered twice (`timeout` signals its child, then its group).
        now = time.monotonic()
        if now - self.last_signal > 1.0:
            self.signals += 1
        self.last_signal = now

    def tick(self) -> None:
        while self.signals > self.handled:
            self.handled += 1
            self.request_stop()
        self.reap()

    def request_stop(self) -> None:
        self.stop_requests += 1
        if self.stopping_since is None:
            self.stopping_since = time.monotonic()
            names = ", ".join(self.running()) or "nothing"
            self.say("system", f"stopping {names} (Ctrl-C again to stop at once)")
        if self.stop_requests >= 3:
            self.kill_all()
            return
        for name, child in self.running().items():
            with contextlib.suppress(ProcessLookupError):
                if CELERY_WORKER.search(self.commands[name]):
                    # The Celery worker exits 1 after a Ctrl-C but 0 after SIGTERM to its main
                    # process: a warm shutdown that lets running tasks finish and then stops its
                    # pool itself. Asked again, SIGQUIT is its cold shutdown.
                    os.kill(child.pid, signal.SIGTERM if self.stop_requests == 1 else signal.SIGQUIT)
                else:
                    os.killpg(child.pid, signal.SIGINT)

    def kill_all(self) -> None:
        self.killed = True
        for name, child in self.running().items():
            self.say("system", f"killing {name}")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)

    def wait_for_web(self, host: str, port: int, *, timeout: float) -> None:
        """Until the web process has answered one request (or ends, or a stop is asked for).

        Answered, not only listening: runserver loads the URLs and views on the first request,
        and starting the worker and beat only then leaves it the CPU until the page is up.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.stopping_since is None and self.running():
            self.tick()
            try:
                with socket.create_connection((host, port), timeout=0.2) as conn:
                    conn.settimeout(timeout)
                    conn.sendall(f"GET /health/ HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
                    conn.recv(1)
                    return
            except OSError:
                time.sleep(0.1)

    def run(self, host: str, port: int) -> int:
        signal.signal(signal.SIGINT, self.on_signal)
        signal.signal(signal.SIGTERM, self.on_signal)
        (first_name, first_command), *rest = self.entries
        self.start(first_name, first_command)
        self.wait_for_web(host, port, timeout=60)
        for name, command in rest:
            self.tick()
            if self.stopping_since is None:
                self.start(name, command)
        while self.running():
            self.tick()
            overdue = self.stopping_since is not None and time.monotonic() - self.stopping_since > KILL_AFTER
            if overdue and not self.killed:
                self.kill_all()
            time.sleep(0.1)
        self.reap()
        for reader in self.readers:
            reader.join(timeout=2)
        if self.first_exit is not None:
            name, code = self.first_exit
            return code if code > 0 else 1
        # Stopped on request: a success, even for a process still starting up when asked (Celery
        # then has no handler yet and dies of the signal; its exit status is printed above).
        return 1 if self.killed else 0


@contextlib.contextmanager
def terminal_to_ourselves():
    """Make this process group the terminal's foreground group while we run.

    Ctrl-C signals the terminal's foreground process group: `make` as well as us. make then dies
    of SIGINT once we are done (exit status 130), however cleanly everything stopped. With the
    terminal given to our own group, Ctrl-C reaches us alone, and `make run` ends with our status.
    """
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:  # no terminal: whoever started us sends the signals
        yield
        return
    try:
        before = os.tcgetpgrp(tty)
        if before != os.getpgrp():  # started in the background: leave the terminal alone
            yield
            return
        previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may take it
        try:
            os.setpgid(0, 0)
            os.tcsetpgrp(tty, os.getpgrp())
        finally:
            signal.signal(signal.SIGTTOU, previous)
        try:
            yield
        finally:
            previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            with contextlib.suppress(OSError):
                os.tcsetpgrp(tty, before)
            signal.signal(signal.SIGTTOU, previous)
    finally:
        os.close(tty)


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "Procfile.dev"
    host = os.environ.get("FLIPSIDE_HOST", "127.0.0.1").strip("[]")
    if host in ("0.0.0.0", "::"):  # noqa: S104 - where to connect, not what to bind
        host = "127.0.0.1"
    port = int(os.environ.get("FLIPSIDE_PORT", "8000"))
    with terminal_to_ourselves():
        return Supervisor(procfile(path)).run(host, port)


if __name__ == "__main__":
    sys.exit(main())
