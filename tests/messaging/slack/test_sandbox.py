"""The sandbox Slack, driven by slack-sdk: OAuth v2 errors as Slack gives them, the Web API
methods used here, and events sent only where Slack would send them."""

import re

import pytest
import requests
from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from integrations.errors import AuthExpired, ProviderError
from integrations.providers.slack import SLACK_PROVIDER as SLACK
from sandbox.slack import store as slack_store
from sandbox.slack.models import SlackAuthCode
from tests.integrations.oauth_helpers import query
from tests.messaging.slack.conftest import consent

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "http://127.0.0.1/api/integrations/slack/callback"


def web(token=""):
    return WebClient(token=token, base_url=settings.SLACK_API_URL)


def a_code(sandbox) -> str:
    url, _ = SLACK.oauth.authorization_url(SLACK, "state-1", REDIRECT)
    callback = consent(url)
    assert query(callback)["state"] == "state-1"
    return query(callback)["code"]


def test_the_code_exchange_checks_the_client_and_is_single_use(sandbox):
    code = a_code(sandbox)
    with pytest.raises(SlackApiError) as wrong:
        web().oauth_v2_access(client_id=settings.SLACK_CLIENT_ID, client_secret="x", code=code)
    assert wrong.value.response["error"] == "bad_client_secret"
    with pytest.raises(SlackApiError) as elsewhere:
        web().oauth_v2_access(
            client_id=settings.SLACK_CLIENT_ID,
            client_secret=settings.SLACK_CLIENT_SECRET,
            code=code,
            redirect_uri="http://127.0.0.1/other",
        )
    assert elsewhere.value.response["error"] == "bad_redirect_uri"
    tokens = SLACK.oauth.exchange(SLACK, code, REDIRECT, None)
    assert tokens.access_token.startswith("xoxb-") and tokens.account == "T0SANDBOX"
    assert tokens.metadata["incoming_webhook_channel_id"] == "C0GENERAL1"
    with pytest.raises(AuthExpired) as reused:
        SLACK.oauth.exchange(SLACK, code, REDIRECT, None)
    assert reused.value.provider_code == "invalid_code"


def test_an_unknown_client_gets_the_error_page_not_a_redirect(sandbox):
    url, _ = SLACK.oauth.authorization_url(SLACK, "s", REDIRECT)
    answer = requests.get(url.replace(settings.SLACK_CLIENT_ID, "someone-else"), timeout=10)
    assert answer.status_code == 400 and "Invalid client_id" in answer.text
    assert not SlackAuthCode.objects.exists()


def test_web_api_methods_answer_as_slack_does(sandbox):
    token = SLACK.oauth.exchange(SLACK, a_code(sandbox), REDIRECT, None).access_token
    client = web(token)
    me = client.auth_test()
    assert (me["team_id"], me["team"]) == ("T0SANDBOX", "Sandbox Team")
    admin = client.users_info(user=slack_store.DEFAULT_USER[0])["user"]
    assert admin["profile"]["email"] == "admin@sandbox-team.example"
    with pytest.raises(SlackApiError) as unknown:
        client.users_info(user="U0NOBODY")
    assert unknown.value.response["error"] == "user_not_found"
    channels = {c["name"]: c["is_member"] for c in client.conversations_list()["channels"]}
    assert channels["sales"] and not channels["random"]
    with pytest.raises(SlackApiError) as missing:
        web().auth_test()
    assert missing.value.response["error"] == "not_authed"
    client.auth_revoke()
    with pytest.raises(SlackApiError) as revoked:
        client.auth_test()
    assert revoked.value.response["error"] == "token_revoked"


def test_conversations_list_pages_with_a_cursor_and_honours_types(sandbox):
    client = web(SLACK.oauth.exchange(SLACK, a_code(sandbox), REDIRECT, None).access_token)
    # slack-sdk follows next_cursor, reusing one response object for every page.
    pages = [page["channels"] for page in client.conversations_list(limit=2)]
    assert [len(channels) for channels in pages] == [2, 2, 1]
    channels = [c for page in pages for c in page]
    assert sorted(c["name"] for c in channels) == sorted(slack_store.CHANNELS)
    assert all(re.fullmatch(r"[CGD][A-Z0-9]{8,}", c["id"]) for c in channels)
    assert client.conversations_list(types="private_channel,im")["channels"] == []
    for bad, error in [({"cursor": "bm9wZQ=="}, "invalid_cursor"), ({"limit": 0}, "invalid_limit")]:
        with pytest.raises(SlackApiError) as refused:
            client.conversations_list(**bad)
        assert refused.value.response["error"] == error


def test_no_event_is_sent_for_a_team_without_the_app(sandbox):
    answer = requests.post(
        f"{sandbox.url}/slack/_messages", json={"channel": "general", "text": "hi"}, timeout=10
    )
    assert answer.status_code == 201 and answer.json()["delivery"] is None
    listed = requests.get(f"{sandbox.url}/slack/_messages?channel=C0GENERAL1", timeout=10).json()
    assert [m["text"] for m in listed["messages"]] == ["hi"]


def test_the_channel_error_of_the_sandbox_is_a_provider_error_not_a_reconnect(sandbox):
    from integrations.providers.slack.client import mapped_error

    token = SLACK.oauth.exchange(SLACK, a_code(sandbox), REDIRECT, None).access_token
    with pytest.raises(SlackApiError) as caught:
        web(token).chat_postMessage(channel="#nowhere", text="x")
    error = mapped_error(caught.value)
    assert type(error) is ProviderError and error.provider_code == "channel_not_found"
