"""Slack fixtures: an install through the sandbox's OAuth pages, and requests signed with
slack-sdk's SignatureVerifier."""

import time

import pytest
import requests
from django.test import Client
from slack_sdk.signature import SignatureVerifier

from messaging.slack.models import SlackIntegration
from tests.integrations.oauth_helpers import finish, start

WEBHOOK = "/api/integrations/slack/webhook"
COMMANDS = "/api/integrations/slack/commands"


def consent(authorize_url: str, decision="allow", team="Sandbox Team", channel="general") -> str:
    """Click Allow (or Cancel) on the sandbox's install page; where it sends the browser."""
    answer = requests.post(
        authorize_url,
        data={"team": team, "channel": channel, "decision": decision},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


@pytest.fixture
def browser(alice):
    browser = Client()
    browser.force_login(alice)
    return browser


@pytest.fixture
def install(sandbox, browser, workspace_a):
    """Install the app into a sandbox team for workspace A, as a person does in a browser."""

    def run(team="Sandbox Team", channel="general") -> SlackIntegration:
        callback = consent(start(browser, workspace_a, "slack"), team=team, channel=channel)
        response = finish(browser, callback)
        assert response["Location"] == "/settings/integrations?provider=slack&success=true"
        return SlackIntegration.objects.select_related("credential").get(workspace=workspace_a)

    return run


@pytest.fixture
def installed(install):
    return install()


def signed(body: bytes, secret: str, timestamp: int | None = None, **headers) -> dict:
    """Django test-client headers signing ``body`` as Slack does."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_SLACK_SIGNATURE": signature,
        **extra,
    }
