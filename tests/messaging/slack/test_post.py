"""post_message through slack-sdk against the sandbox: Slack's refusals as clear errors, a revoked
token marking the credential for reconnection, and 429s waited out."""

import pytest
import requests

from integrations.errors import AuthExpired, ProviderError
from integrations.models import IntegrationCredential
from integrations.providers.slack.client import client
from messaging.slack import services
from sandbox import faults

pytestmark = pytest.mark.django_db(transaction=True)
POST_PATH = r"/slack/api/chat\.postMessage$"


def test_a_message_lands_in_the_channel_with_its_blocks(installed, sandbox):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}}]
    answer = services.post_message(installed, "#sales", "Hello", blocks)
    assert answer["channel"] == "C0SALES001"
    messages = requests.get(f"{sandbox.url}/slack/_messages?channel=sales", timeout=10).json()
    assert [(m["ts"], m["text"], m["blocks"]) for m in messages["messages"]] == [
        (answer["ts"], "Hello", blocks)
    ]


@pytest.mark.parametrize(
    ("channel", "code", "message"),
    [
        ("#nowhere", "channel_not_found", "Slack has no channel #nowhere that the app can see."),
        ("#random", "not_in_channel", "The Clianta app is not a member of #random"),
    ],
)
def test_channel_errors_say_what_to_fix(installed, channel, code, message):
    with pytest.raises(ProviderError) as caught:
        services.post_message(installed, channel, "Hello")
    assert (caught.value.code, caught.value.provider_code) == (code, code)
    assert caught.value.message.startswith(message)
    assert not isinstance(caught.value, AuthExpired)
    credential = IntegrationCredential.objects.get(pk=installed.credential_id)
    assert credential.status == IntegrationCredential.Status.ACTIVE


def test_a_revoked_token_marks_the_credential_for_reconnection(installed, api_a, workspace_a):
    client(installed.credential).auth_revoke()
    with pytest.raises(AuthExpired) as caught:
        services.post_message(installed, "#sales", "Hello")
    assert caught.value.provider_code == "token_revoked"
    credential = IntegrationCredential.objects.get(pk=installed.credential_id)
    assert credential.status == IntegrationCredential.Status.NEEDS_RECONNECT
    # Seen once through the API: the test answers 401 "reconnect" without calling Slack again.
    faults.clear_calls("slack")
    response = api_a.post(f"/api/workspaces/{workspace_a.pk}/slack/test")
    assert (response.status_code, response.json()["code"]) == (401, "reconnect_required")
    assert faults.calls("slack").count() == 0
    listed = api_a.get("/api/integrations").json()["results"]
    assert [c["status"] for c in listed if c["provider"] == "slack"] == ["needs_reconnect"]


def test_an_unknown_token_is_invalid_auth_and_needs_reconnect(installed):
    credential = installed.credential
    credential.access_token = "xoxb-not-a-token"
    credential.save()
    with pytest.raises(AuthExpired) as caught:
        services.post_message(installed, "#sales", "Hello")
    assert caught.value.provider_code == "invalid_auth"
    credential.refresh_from_db()
    assert credential.status == IntegrationCredential.Status.NEEDS_RECONNECT


def test_a_429_is_retried_after_retry_after(installed):
    faults.inject("slack", POST_PATH, status=429, retry_after=1, times=1)
    answer = services.post_message(installed, "#sales", "After the wait")
    assert answer["ok"] and answer["channel"] == "C0SALES001"
    assert [c.status for c in faults.calls("slack", "chat.postMessage")] == [429, 200]


def test_429s_past_the_clients_retries_are_rate_limited_with_retry_after(installed):
    from integrations.errors import RateLimited

    faults.inject("slack", POST_PATH, status=429, retry_after=1, times=None)
    with pytest.raises(RateLimited) as caught:
        services.post_message(installed, "#sales", "Never")
    assert caught.value.retry_after == 1
    assert faults.calls("slack", "chat.postMessage").count() == 3
