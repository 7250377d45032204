"""The sandbox Google's answers against Google's published description: the discovery documents
that google-api-python-client ships (Gmail v1, Calendar v3). Each answer must validate against
the schema of its method's response, with no property the description does not name."""

import base64
import json
from datetime import datetime
from pathlib import Path

import googleapiclient
import jsonschema
import pytest

from sandbox.google import gmail_mailbox as gm
from sandbox.google import pubsub
from tests.sandbox.google.calendar_client import calendar
from tests.sandbox.google.gmail_client import OWNER, gmail

pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


def as_json_schema(schema: dict) -> dict:
    """A discovery schema as a JSON Schema: references into ``definitions``, objects closed to
    the properties the description names (unless it declares a map)."""
    if "$ref" in schema:
        return {"$ref": "#/definitions/" + schema["$ref"]}
    converted = {key: schema[key] for key in ("enum",) if key in schema}
    if schema.get("type") not in (None, "any"):
        converted["type"] = schema["type"]
    if "items" in schema:
        converted["items"] = as_json_schema(schema["items"])
    if "properties" in schema:
        converted["properties"] = {
            name: as_json_schema(value) for name, value in schema["properties"].items()
        }
        converted["additionalProperties"] = False
    if "additionalProperties" in schema:
        converted["additionalProperties"] = as_json_schema(schema["additionalProperties"])
    return converted


def described(api: str, method: str) -> dict:
    """The JSON Schema of the response of ``method`` ("users.messages.get") of ``api``."""
    document = json.loads((DOCUMENTS / f"{api}.json").read_text())
    *resources, name = method.split(".")
    node = document
    for resource in resources:
        node = node["resources"][resource]
    response = node["methods"][name]["response"]["$ref"]
    return {
        "$ref": f"#/definitions/{response}",
        "definitions": {key: as_json_schema(value) for key, value in document["schemas"].items()},
    }


def test_every_gmail_answer_the_app_reads_meets_the_description(sandbox):
    first = gm.deliver(OWNER, sender="Ann <ann@acme.example>", subject="Pricing", body="Hi.")
    gm.deliver(OWNER, sender="Ann <ann@acme.example>", subject="Re: Pricing", body="More.")
    users = gmail().users()
    listed = users.messages().list(userId="me").execute()
    message_id = listed["messages"][0]["id"]
    answers = {
        "users.getProfile": users.getProfile(userId="me").execute(),
        "users.messages.list": listed,
        "users.messages.get": users.messages().get(userId="me", id=message_id).execute(),
        "users.history.list": users.history()
        .list(userId="me", startHistoryId=str(first.history_id))
        .execute(),
        "users.watch": users.watch(
            userId="me",
            body={"topicName": "projects/clianta-test/topics/gmail", "labelIds": ["INBOX"]},
        ).execute(),
    }
    for form in ("metadata", "raw", "minimal"):
        answers[f"users.messages.get ({form})"] = (
            users.messages().get(userId="me", id=message_id, format=form).execute()
        )
    for method, answer in answers.items():
        jsonschema.validate(answer, described("gmail.v1", method.split(" ")[0]))
    assert users.stop(userId="me").execute() == ""


def test_the_pubsub_push_has_the_shape_pubsub_documents():
    """cloud.google.com/pubsub/docs/push (read 2026-12): the body is {"message": {"data" (base64),
    "messageId", "publishTime" (RFC 3339), "attributes"}, "subscription":
    "projects/<p>/subscriptions/<s>"}; Gmail's data decodes to {"emailAddress", "historyId"}
    (developers.google.com/workspace/gmail/api/guides/push)."""
    body = pubsub.envelope(
        "projects/clianta-test/topics/gmail", {"emailAddress": "me@x.example", "historyId": 9}
    )
    assert set(body) == {"message", "subscription"}
    assert set(body["message"]) == {"data", "messageId", "publishTime", "attributes"}
    assert body["subscription"].startswith("projects/clianta-test/subscriptions/")
    assert json.loads(base64.b64decode(body["message"]["data"])) == {
        "emailAddress": "me@x.example",
        "historyId": 9,
    }
    assert datetime.fromisoformat(body["message"]["publishTime"]).tzinfo is not None


def test_every_calendar_answer_the_app_reads_meets_the_description(sandbox):
    events = calendar().events()
    body = {
        "summary": "Quarterly review",
        "start": {"dateTime": "2031-04-02T10:00:00+02:00"},
        "end": {"dateTime": "2031-04-02T11:00:00+02:00"},
        "attendees": [{"email": "ann@acme.example"}],
        "conferenceData": {
            "createRequest": {"requestId": "r-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}
        },
    }
    created = events.insert(calendarId="primary", body=body, conferenceDataVersion=1).execute()
    answers = {
        "events.insert": created,
        "events.get": events.get(calendarId="primary", eventId=created["id"]).execute(),
        "events.list": events.list(calendarId="primary", singleEvents=True).execute(),
        "freebusy.query": calendar()
        .freebusy()
        .query(
            body={
                "timeMin": "2031-04-01T00:00:00Z",
                "timeMax": "2031-04-03T00:00:00Z",
                "items": [{"id": "primary"}],
            }
        )
        .execute(),
        "events.watch": events.watch(
            calendarId="primary",
            body={
                "id": "contract-channel",
                "type": "web_hook",
                "address": "https://crm.example/api/push/google-calendar",
                "token": "secret",
            },
        ).execute(),
    }
    for method, answer in answers.items():
        jsonschema.validate(answer, described("calendar.v3", method))
    # channels.stop answers an empty body.
    watched = answers["events.watch"]
    stopped = (
        calendar()
        .channels()
        .stop(body={"id": watched["id"], "resourceId": watched["resourceId"]})
        .execute()
    )
    assert stopped == ""
