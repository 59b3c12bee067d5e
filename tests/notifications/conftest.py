from __future__ import annotations

import pytest

from tests.chat_server import ChatServer


@pytest.fixture
def chat_server(settings):
    """The loopback Slack/Teams stand-in; Slack's API URL points at it for this test."""
    server = ChatServer().start()
    settings.SLACK_API_URL = server.slack_api_url
    yield server
    server.stop()
