"""A test-only e-mail backend for the reliability tests: slow, one file per delivered message.

Before each message it writes a ``.sending`` marker and pauses (the time a real mail server takes);
then it *delivers* the message by atomically renaming a fully written file to ``.eml``. A worker
killed during the pause has not delivered that message, exactly like an SMTP session cut before the
server accepted it. Each file is named after the worker's pid, so a test can see who sent what.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

DELAY_SECONDS = float(os.environ.get("JOBS_MAIL_DELAY", "0.05"))


class SlowFileBackend(BaseEmailBackend):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.folder = Path(settings.EMAIL_FILE_PATH)
        self.folder.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages) -> int:
        delivered = 0
        for message in email_messages:
            name = f"{os.getpid()}-{time.monotonic_ns()}-{uuid.uuid4().hex[:6]}"
            (self.folder / f"{name}.sending").write_text(message.extra_headers.get("X-Flipside-Outbox", ""))
            time.sleep(DELAY_SECONDS)
            partial = self.folder / f"{name}.part"
            with open(partial, "wb") as handle:
                handle.write(message.message().as_bytes())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, self.folder / f"{name}.eml")
            delivered += 1
        return delivered


def delivered(folder: Path) -> list[tuple[str, str]]:
    """(outbox key, sender pid) of every delivered message in the folder."""
    found = []
    for path in sorted(Path(folder).glob("*.eml")):
        key = next(
            (
                line.split(":", 1)[1].strip()
                for line in path.read_text().splitlines()
                if line.startswith("X-Flipside-Outbox:")
            ),
            "",
        )
        found.append((key, path.name.split("-", 1)[0]))
    return found


def started(folder: Path) -> int:
    """How many messages a backend has begun to send (delivered or not)."""
    return len(list(Path(folder).glob("*.sending")))
