from __future__ import annotations

import pytest


@pytest.fixture
def slack_connected(db, chat_server, hr_admin):
    """Slack connected through the settings service, pointing at the loopback server."""
    from notifications.services import chat_settings_update
    from tests.chat_server import SLACK_TOKEN

    return chat_settings_update(actor=hr_admin, provider="slack", secret=SLACK_TOKEN)


@pytest.fixture
def teams_connected(db, chat_server, hr_admin):
    from notifications.services import chat_settings_update

    return chat_settings_update(actor=hr_admin, provider="teams", secret=chat_server.teams_url)
