"""The sandbox Slack's answers against Slack's published description (slackapi/slack-api-specs:
web-api/slack_web_openapi_v2.json and events-api/slack_common_event_wrapper_schema.json). The
schemas below state, in our words, the facts of those files that the sandbox's answers must
meet: the required fields, their types and the id patterns."""

import jsonschema
import pytest
import requests
from django.conf import settings
from slack_sdk import WebClient

from integrations.providers.slack import SLACK_PROVIDER as SLACK
from sandbox.slack import store as slack_store
from sandbox.slack.models import SlackDelivery
from tests.integrations.oauth_helpers import query
from tests.messaging.slack.conftest import consent

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "http://127.0.0.1/api/integrations/slack/callback"

CHANNEL_ID = {"type": "string", "pattern": "^[CGD][A-Z0-9]{8,}$"}
TEAM_ID = {"type": "string", "pattern": "^[T][A-Z0-9]{2,}$"}
USER_ID = {"type": "string", "pattern": "^[UW][A-Z0-9]{2,}$"}
TS = {"type": "string", "pattern": r"^\d{10}\.\d{6}$"}
TOPIC = {
    "type": "object",
    "required": ["value", "creator", "last_set"],
    "properties": {
        "value": {"type": "string"},
        "creator": {"type": "string", "pattern": "^[UW][A-Z0-9]{8,}$|^$"},
        "last_set": {"type": "integer"},
    },
}
FLAGS = [
    "is_archived",
    "is_channel",
    "is_general",
    "is_group",
    "is_im",
    "is_org_shared",
    "is_private",
    "is_shared",
]
CONVERSATION = {
    "type": "object",
    "required": ["id", "name", "name_normalized", "created", "creator", "is_mpim", *FLAGS],
    "properties": {
        "id": CHANNEL_ID,
        "name": {"type": "string"},
        "name_normalized": {"type": "string"},
        "created": {"type": "integer"},
        "creator": USER_ID,
        "is_mpim": {"enum": [False]},
        "topic": TOPIC,
        "purpose": TOPIC,
        **{flag: {"type": "boolean"} for flag in FLAGS},
    },
}
ANSWERS = {
    "auth.test": {
        "required": ["ok", "url", "team", "user", "team_id", "user_id"],
        "properties": {"ok": {"enum": [True]}, "team_id": TEAM_ID, "user_id": USER_ID},
    },
    "conversations.list": {
        "required": ["ok", "channels"],
        "properties": {
            "ok": {"enum": [True]},
            "channels": {"type": "array", "uniqueItems": True, "items": CONVERSATION},
            "response_metadata": {
                "type": "object",
                "required": ["next_cursor"],
                "properties": {"next_cursor": {"type": "string"}},
                "additionalProperties": False,
            },
        },
    },
    "chat.postMessage": {
        "required": ["ok", "channel", "ts", "message"],
        "properties": {
            "channel": CHANNEL_ID,
            "ts": TS,
            "message": {"type": "object", "required": ["text", "type", "ts"]},
        },
    },
    "users.info": {
        "required": ["ok", "user"],
        "properties": {"user": {"type": "object", "properties": {"id": USER_ID}}},
    },
}
EVENT_WRAPPER = {
    "type": "object",
    "required": [
        "token",
        "team_id",
        "api_app_id",
        "event",
        "type",
        "event_id",
        "event_time",
        "authed_users",
    ],
    "properties": {
        "token": {"type": "string"},
        "team_id": {"type": "string"},
        "api_app_id": {"type": "string"},
        "event": {"type": "object", "required": ["type", "event_ts"]},
        "type": {"type": "string"},
        "event_id": {"type": "string"},
        "event_time": {"type": "integer"},
        "authed_users": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string"},
        },
    },
}


@pytest.fixture
def client(sandbox):
    url, _ = SLACK.oauth.authorization_url(SLACK, "state-1", REDIRECT)
    token = SLACK.oauth.exchange(SLACK, query(consent(url))["code"], REDIRECT, None).access_token
    return WebClient(token=token, base_url=settings.SLACK_API_URL)


def test_every_web_api_answer_meets_slacks_description(client):
    answers = {
        "auth.test": client.auth_test(),
        "conversations.list": client.conversations_list(limit=3),
        "chat.postMessage": client.chat_postMessage(channel="#sales", text="Deal won"),
        "users.info": client.users_info(user=slack_store.DEFAULT_USER[0]),
    }
    for method, answer in answers.items():
        jsonschema.validate(answer.data, {"type": "object", **ANSWERS[method]})


def test_the_event_envelope_meets_slacks_wrapper_schema(client, sandbox):
    answer = requests.post(
        f"{sandbox.url}/slack/_messages", json={"channel": "general", "text": "hi"}, timeout=30
    )
    assert answer.status_code == 201, answer.text
    delivery = SlackDelivery.objects.get(kind=SlackDelivery.Kind.EVENT)
    jsonschema.validate(delivery.payload, EVENT_WRAPPER)
    assert delivery.payload["authed_users"] == [delivery.payload["authorizations"][0]["user_id"]]
