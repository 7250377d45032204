"""The sandbox Twilio's answers against Twilio's published description (twilio/twilio-oai,
spec/json/twilio_api_v2010.json: the schemas api.v2010.account.message and
api.v2010.account.call). The schemas below restate, in our words, the facts of that file the
sandbox's answers must meet: the property names, their types (every one nullable), the SID
patterns and the status enums; a property the description does not name is refused."""

import jsonschema
import pytest
import requests

from tests.messaging.twilio.conftest import OUR_NUMBER, twilio_account  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def nullable(kind: str = "string", **facts) -> dict:
    return {"type": [kind, "null"], **facts}


def sid(prefix: str) -> dict:
    return nullable(pattern=f"^{prefix}[0-9a-fA-F]{{32}}$")


def resource(**properties) -> dict:
    return {"type": "object", "properties": properties, "additionalProperties": False}


COMMON = {
    "account_sid": sid("AC"),
    "api_version": nullable(),
    "date_created": nullable(),
    "date_updated": nullable(),
    "from": nullable(),
    "price": nullable(),
    "price_unit": nullable(),
    "subresource_uris": nullable("object"),
    "to": nullable(),
    "uri": nullable(),
}
MESSAGE = resource(
    **COMMON,
    sid={"type": ["string", "null"], "pattern": "^(SM|MM)[0-9a-fA-F]{32}$"},
    body=nullable(),
    num_segments=nullable(),
    num_media=nullable(),
    direction={"enum": ["inbound", "outbound-api", "outbound-call", "outbound-reply"]},
    status={
        "enum": [
            "queued",
            "sending",
            "sent",
            "failed",
            "delivered",
            "undelivered",
            "receiving",
            "received",
            "accepted",
            "scheduled",
            "read",
            "partially_delivered",
            "canceled",
        ]
    },
    error_code=nullable("integer"),
    error_message=nullable(),
    messaging_service_sid=sid("MG"),
    date_sent=nullable(),
)
CALL = resource(
    **COMMON,
    sid=sid("CA"),
    parent_call_sid=sid("CA"),
    phone_number_sid=sid("PN"),
    group_sid=sid("GP"),
    trunk_sid=sid("TK"),
    to_formatted=nullable(),
    from_formatted=nullable(),
    status={
        "enum": [
            "queued",
            "ringing",
            "in-progress",
            "completed",
            "busy",
            "failed",
            "no-answer",
            "canceled",
        ]
    },
    start_time=nullable(),
    end_time=nullable(),
    duration=nullable(),
    direction=nullable(),
    answered_by=nullable(),
    forwarded_from=nullable(),
    caller_name=nullable(),
    queue_time=nullable(),
)


def test_messages_and_calls_meet_twilios_description(sandbox, twilio_account):  # noqa: F811
    account = f"{sandbox.url}/twilio/2010-04-01/Accounts/{twilio_account.sid}"
    auth = (twilio_account.sid, twilio_account.auth_token)
    sms = {"To": "+14155552671", "From": OUR_NUMBER, "Body": "Hi"}
    call = {"To": "+14155550104", "From": OUR_NUMBER, "Twiml": "<Response/>"}
    for collection, form, schema in [("Messages", sms, MESSAGE), ("Calls", call, CALL)]:
        created = requests.post(f"{account}/{collection}.json", data=form, auth=auth, timeout=10)
        assert created.status_code == 201, created.text
        jsonschema.validate(created.json(), schema)
        fetched = requests.get(
            f"{account}/{collection}/{created.json()['sid']}.json", auth=auth, timeout=10
        )
        jsonschema.validate(fetched.json(), schema)
