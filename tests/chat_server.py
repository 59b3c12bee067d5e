"""A small stand-in for Slack's Web API and a Microsoft Teams webhook, on 127.0.0.1.

Started by the tests (a thread, a free port), it records every request and answers like the real
services do: Slack with ``{"ok": true, ...}`` or ``{"ok": false, "error": ...}`` (HTTP 200), Teams
with ``1``. A test can queue other answers for a path (429 with Retry-After, 500, 401, ...), and
can slow every chat post down to kill a worker in the middle of a batch.

Like the slow mail backend of the reliability tests, a slowed post counts as delivered only if the
sender is still connected once the pause is over: a worker killed during the pause has not delivered
that message (the provider never accepted it), so "exactly once" is checked on what really arrived.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

SLACK_TOKEN = "xoxb-1111-2222-loopbacktoken"
SLACK_POST = "/api/chat.postMessage"
SLACK_LOOKUP = "/api/users.lookupByEmail"
TEAMS_PATH = "/teams/webhook"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: dict | str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict | None
    accepted: bool = False  # answered 2xx (and, for Slack, "ok": true)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


def _peer_gone(sock: socket.socket) -> bool:
    """Has the other end closed the connection (a killed process's sockets are closed by the kernel)?"""
    readable, _w, _x = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class ChatServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.abandoned: list[Recorded] = []  # the sender went away before the post was accepted
        self.begun = 0  # chat posts whose handling has started
        self.unknown_emails: set[str] = set()
        self.slack_token = SLACK_TOKEN
        self.post_delay = 0.0
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._ts = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                server._handle(self)

            def do_POST(self) -> None:
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # --- control ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def slack_api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def teams_url(self) -> str:
        return f"{self.url}{TEAMS_PATH}"

    def start(self) -> ChatServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def queue(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to ``path`` with these replies, then behave normally again."""
        with self._lock:
            self._scripts[path].extend(replies)

    def received(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def bodies(self, path: str) -> list[dict]:
        return [r.body for r in self.received(path) if r.body is not None]

    def slack_keys(self) -> Counter:
        """How often each outbox message (Slack metadata) was accepted."""
        return Counter(((r.body.get("metadata") or {}).get("event_payload") or {}).get("key", "")
                       for r in self.received(SLACK_POST) if r.accepted and r.body)

    # --- serving ---------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        record = Recorded(method=handler.command, path=parts.path,
                          query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                          headers=dict(handler.headers.items()), body=body)
        if handler.command == "POST" and self.post_delay:
            with self._lock:
                self.begun += 1
            time.sleep(self.post_delay)
            if _peer_gone(handler.connection):
                with self._lock:
                    self.abandoned.append(record)
                return
        with self._lock:
            scripted = self._scripts[parts.path].popleft() if self._scripts[parts.path] else None
        reply = scripted or self._default(record)
        refused = isinstance(reply.body, dict) and reply.body.get("ok") is False
        ok = 200 <= reply.status < 300 and not refused
        with self._lock:
            self.requests.append(replace(record, accepted=ok))
        payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
        data = payload.encode()
        handler.send_response(reply.status)
        content_type = "text/plain" if isinstance(reply.body, str) else "application/json"
        handler.send_header("Content-Type", f"{content_type}; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _default(self, record: Recorded) -> Reply:
        if record.path.startswith("/api/"):
            if record.header("Authorization") != f"Bearer {self.slack_token}":
                return Reply(200, {"ok": False, "error": "invalid_auth"})
            if record.path == SLACK_LOOKUP:
                email = record.query.get("email", "").lower()
                if not email or email in self.unknown_emails:
                    return Reply(200, {"ok": False, "error": "users_not_found"})
                user_id = "U" + email.split("@")[0].upper().replace(".", "")
                return Reply(200, {"ok": True, "user": {"id": user_id, "profile": {"email": email}}})
            if record.path == SLACK_POST:
                with self._lock:
                    self._ts += 1
                    ts = f"1700000000.{self._ts:06d}"
                return Reply(200, {"ok": True, "channel": "D" + str((record.body or {}).get("channel", "")),
                                   "ts": ts})
            return Reply(200, {"ok": False, "error": "unknown_method"})
        if record.path == TEAMS_PATH:
            return Reply(200, "1")
        return Reply(404, "not found")


@pytest.fixture
def chat_server(settings):
    """The loopback Slack/Teams stand-in; Slack's API URL points at it for this test."""
    server = ChatServer().start()
    settings.SLACK_API_URL = server.slack_api_url
    yield server
    server.stop()
