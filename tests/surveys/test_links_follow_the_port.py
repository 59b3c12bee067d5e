"""Every link in an e-mail or a calendar file points at the address the app is served on.

`PORT=8021 make run` starts web, worker and beat with FLIPSIDE_PORT=8021; the settings derive
SITE_URL from it (a deployment sets SITE_URL itself). The origin is taken from the embedded settings
started in a fresh process, as `make run` starts them, and then used for the e-mails built here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from programs.people import employee_invite
from surveys import services
from tests.surveys import builders
from tests.surveys.conftest import START

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"https?://[^\s\"'<>]+")
VIDEO_LINK = "https://meet.example.com/abc-defg"  # the pair's own video call (tests/surveys/builders.py)


def embedded_site_url(tmp_path: Path, **env: str) -> str:
    """SITE_URL as the embedded settings compute it in a new process with only this environment."""
    clean = {"PATH": os.environ["PATH"], "VAR_DIR": str(tmp_path / "var"),
             "DJANGO_SETTINGS_MODULE": "mentoring.settings", **env}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def origin_8021(tmp_path_factory) -> str:
    return embedded_site_url(tmp_path_factory.mktemp("embedded"), FLIPSIDE_PORT="8021")


@pytest.fixture
def served_on_8021(settings, origin_8021) -> str:
    settings.SITE_URL = origin_8021
    return origin_8021


def links(*texts: str) -> list[str]:
    return [url for text in texts for url in URL.findall(text)]


def test_the_embedded_settings_link_to_the_port_make_run_serves_on(tmp_path, origin_8021):
    assert origin_8021 == "http://127.0.0.1:8021"
    assert embedded_site_url(tmp_path, FLIPSIDE_HOST="::1", FLIPSIDE_PORT="8022") == "http://[::1]:8022"
    # Served on every interface, the links use the loopback address this machine reaches it at.
    everywhere = embedded_site_url(tmp_path, FLIPSIDE_HOST="0.0.0.0", FLIPSIDE_PORT="8023")  # noqa: S104
    assert everywhere == "http://127.0.0.1:8023"


def test_site_url_rules_over_the_port(tmp_path):
    assert embedded_site_url(tmp_path, FLIPSIDE_PORT="8021",
                             SITE_URL="https://mentoring.example.com/") == "https://mentoring.example.com"


def test_an_invitation_links_to_the_port_the_app_is_served_on(
    served_on_8021, hr_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        employee_invite(actor=hr_admin, email="new.person@example.com", full_name="New Person")

    message = mailoutbox[0]
    found = links(message.body, message.alternatives[0][0])
    assert any("/password/reset/key/" in url for url in found), found
    elsewhere = [url for url in found if url != served_on_8021 and not url.startswith(served_on_8021 + "/")]
    assert found and not elsewhere, found


def test_a_reminder_and_its_calendar_file_link_to_the_port_the_app_is_served_on(
    served_on_8021, clock, pair, mailoutbox
):
    meeting = builders.session(pair, START + dt.timedelta(hours=24))

    services.meeting_reminders_tick()

    message = mailoutbox[0]
    _name, content, _mimetype = message.attachments[0]
    calendar = (content.decode() if isinstance(content, bytes) else content).replace("\r\n ", "")
    found = [url for url in links(message.body, message.alternatives[0][0], calendar) if url != VIDEO_LINK]
    assert f"{served_on_8021}/sessions/meeting/{meeting.pk}/" in found
    assert any(url.startswith(served_on_8021) for url in links(calendar)), calendar
    assert all(url.startswith(served_on_8021 + "/") for url in found), found
