"""The sandbox Twilio's answers against Twilio's published description (twilio/twilio-oai,
spec/json/twilio_api_v2010.json: the schemas api.v2010.account, api.v2010.account.message,
api.v2010.account.call and api.v2010.account.incoming_phone_number, and the list answer
ListIncomingPhoneNumberResponse). The schemas below restate, in our words, the facts of that
file the sandbox's answers must meet: the property names, their types (every one nullable), the SID
patterns and the status enums; a property the description does not name is refused."""

import jsonschema
import pytest
import requests

from sandbox.twilio import store as twilio_store
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

ACCOUNT = resource(
    auth_token=nullable(),
    date_created=nullable(),
    date_updated=nullable(),
    friendly_name=nullable(),
    owner_account_sid=sid("AC"),
    sid=sid("AC"),
    status={"enum": ["active", "suspended", "closed"]},
    subresource_uris=nullable("object"),
    type={"enum": ["Trial", "Full"]},
    uri=nullable(),
)
METHOD = {"enum": ["GET", "POST", None]}
INCOMING_PHONE_NUMBER = resource(
    account_sid=sid("AC"),
    address_sid=sid("AD"),
    address_requirements={"enum": ["none", "any", "local", "foreign"]},
    api_version=nullable(),
    beta=nullable("boolean"),
    capabilities=nullable("object"),
    date_created=nullable(),
    date_updated=nullable(),
    friendly_name=nullable(),
    identity_sid=sid("RI"),
    phone_number=nullable(),
    origin=nullable(),
    sid=sid("PN"),
    sms_application_sid=sid("AP"),
    sms_fallback_method=METHOD,
    sms_fallback_url=nullable(),
    sms_method=METHOD,
    sms_url=nullable(),
    status_callback=nullable(),
    status_callback_method=METHOD,
    trunk_sid=sid("TK"),
    uri=nullable(),
    voice_receive_mode={"enum": ["voice", "fax"]},
    voice_application_sid=sid("AP"),
    voice_caller_id_lookup=nullable("boolean"),
    voice_fallback_method=METHOD,
    voice_fallback_url=nullable(),
    voice_method=METHOD,
    voice_url=nullable(),
    emergency_status={"enum": ["Active", "Inactive"]},
    emergency_address_sid=sid("AD"),
    emergency_address_status={
        "enum": [
            "registered",
            "unregistered",
            "pending-registration",
            "registration-failure",
            "pending-unregistration",
            "unregistration-failure",
        ]
    },
    bundle_sid=sid("BU"),
    status=nullable(),
    type=nullable(),
)
PAGE = {"type": "integer"}
NUMBER_LIST = {
    "type": "object",
    "required": ["incoming_phone_numbers"],
    "additionalProperties": False,
    "properties": {
        "incoming_phone_numbers": {"type": "array", "items": INCOMING_PHONE_NUMBER},
        "start": PAGE,
        "end": PAGE,
        "page": PAGE,
        "page_size": PAGE,
        "uri": {"type": "string"},
        "first_page_uri": {"type": "string"},
        "next_page_uri": nullable(),
        "previous_page_uri": nullable(),
    },
}


def test_the_account_and_its_numbers_meet_twilios_description(sandbox, twilio_account):  # noqa: F811
    account = f"{sandbox.url}/twilio/2010-04-01/Accounts/{twilio_account.sid}"
    auth = (twilio_account.sid, twilio_account.auth_token)
    for number in ("+15005550006", "+15005550007", "+15005550008"):
        twilio_store.add_number(twilio_account, number)

    fetched = requests.get(f"{account}.json", auth=auth, timeout=10)
    assert fetched.status_code == 200, fetched.text
    jsonschema.validate(fetched.json(), ACCOUNT)

    first = requests.get(f"{account}/IncomingPhoneNumbers.json?PageSize=2", auth=auth, timeout=10)
    jsonschema.validate(first.json(), NUMBER_LIST)
    assert len(first.json()["incoming_phone_numbers"]) == 2
    rest = requests.get(
        f"{sandbox.url}/twilio{first.json()['next_page_uri']}", auth=auth, timeout=10
    )
    jsonschema.validate(rest.json(), NUMBER_LIST)
    assert [n["phone_number"] for n in rest.json()["incoming_phone_numbers"]] == ["+15005550008"]
    assert rest.json()["next_page_uri"] is None

    one = requests.get(
        f"{account}/IncomingPhoneNumbers.json", {"PhoneNumber": OUR_NUMBER}, auth=auth, timeout=10
    )
    assert [n["phone_number"] for n in one.json()["incoming_phone_numbers"]] == [OUR_NUMBER]


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
