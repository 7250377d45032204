"""The sandbox Apollo's answers against Apollo's published description: docs.apollo.io/reference
(people-enrichment, bulk-people-enrichment, organization-enrichment, authentication and
rate-limits, "Total API Requests": each answer reports the minute, hourly and daily limits with
x-rate-limit-minute / x-minute-usage / x-minute-requests-left, x-rate-limit-hourly /
x-hourly-usage / x-hourly-requests-left and x-rate-limit-daily / x-daily-usage /
x-daily-requests-left; a full window answers 429). Apollo's ids are 24 hex digits (MongoDB
ObjectIds, as in every example of the reference).

The schemas below restate, in our words, the facts of those pages: the required fields of each
answer, their types, the id pattern and the status values; the bulk answers are closed to the
fields the reference lists. Answers come over HTTP with requests (Apollo has no official Python
SDK; the app's client uses requests too)."""

import jsonschema
import pytest
import requests

from sandbox.apollo import store as apollo_store
from tests.sandbox.apollo.test_apollo_limits import UNAUTHORIZED, call
from tests.sandbox.apollo.test_apollo_people import apollo, post, tim  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

APOLLO_ID = {"type": "string", "pattern": "^[0-9a-f]{24}$"}
STRING = {"type": ["string", "null"]}
STRINGS = {"type": "array", "items": {"type": "string"}}
ORGANIZATION = {
    "type": "object",
    "required": ["id", "name", "primary_domain"],
    "properties": {
        "id": APOLLO_ID,
        "name": {"type": "string"},
        "website_url": STRING,
        "linkedin_url": STRING,
        "primary_domain": STRING,
        "phone": STRING,
        "founded_year": {"type": ["integer", "null"]},
        "industry": STRING,
        "industries": STRINGS,
        "keywords": STRINGS,
        "estimated_num_employees": {"type": ["integer", "null"]},
        "annual_revenue": {"type": ["number", "null"]},
        "annual_revenue_printed": STRING,
        "technology_names": STRINGS,
        "current_technologies": {
            "type": "array",
            "items": {"type": "object", "required": ["uid", "name", "category"]},
        },
        "city": STRING,
        "state": STRING,
        "country": STRING,
    },
}
PERSON = {
    "type": "object",
    "required": ["id", "first_name", "last_name", "name", "organization_id"],
    "properties": {
        "id": APOLLO_ID,
        "first_name": STRING,
        "last_name": STRING,
        "name": STRING,
        "linkedin_url": STRING,
        "title": STRING,
        "email": STRING,
        "email_status": {
            "enum": ["verified", "unverified", "likely to engage", "unavailable", None]
        },
        "organization_id": {"anyOf": [APOLLO_ID, {"type": "null"}]},
        "organization": {"anyOf": [ORGANIZATION, {"type": "null"}]},
        "employment_history": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "current", "organization_name", "title"],
                "properties": {"id": APOLLO_ID, "current": {"type": "boolean"}},
            },
        },
        "departments": STRINGS,
        "seniority": STRING,
        "personal_emails": STRINGS,
        "city": STRING,
        "state": STRING,
        "country": STRING,
    },
    # Phone numbers only come to the webhook (reveal_phone_number), never in the answer.
    "not": {"required": ["phone_numbers"]},
}
MATCH = {
    "type": "object",
    "required": ["person"],
    "properties": {"person": {"anyOf": [PERSON, {"type": "null"}]}},
    "additionalProperties": False,
}
COUNT = {"type": "integer", "minimum": 0}
BULK_MATCH = {
    "type": "object",
    "required": [
        "status",
        "error_code",
        "error_message",
        "total_requested_enrichments",
        "unique_enriched_records",
        "missing_records",
        "credits_consumed",
        "matches",
    ],
    "properties": {
        "status": {"const": "success"},
        "error_code": {"type": "null"},
        "error_message": {"type": "null"},
        "total_requested_enrichments": COUNT,
        "unique_enriched_records": COUNT,
        "missing_records": COUNT,
        "credits_consumed": {"type": "number", "minimum": 0},
        "matches": {"type": "array", "items": {"anyOf": [PERSON, {"type": "null"}]}},
    },
    "additionalProperties": False,
}
ENRICH = {
    "type": "object",
    "properties": {"organization": ORGANIZATION},
    "additionalProperties": False,
}
BULK_FAILURE = {
    "type": "object",
    "required": ["status", "error_code", "error_message"],
    "properties": {
        "status": {"const": "failed"},
        "error_code": {"type": "string", "pattern": "^[A-Z_]+$"},
        "error_message": {"type": "string"},
    },
    "additionalProperties": False,
}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
    "additionalProperties": False,
}
LIMIT_REACHED = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string", "pattern": "maximum number of api calls"}},
    "additionalProperties": False,
}
WINDOWS = {
    "minute": ("x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"),
    "hourly": ("x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"),
    "daily": ("x-rate-limit-daily", "x-daily-usage", "x-daily-requests-left"),
}


def assert_rate_headers(answer: requests.Response) -> None:
    """Every window's limit, usage and what is left: whole numbers, limit = usage + left."""
    for window, names in WINDOWS.items():
        limit, used, left = (answer.headers.get(name, "") for name in names)
        assert all(value.isdigit() for value in (limit, used, left)), (window, answer.headers)
        assert int(limit) == int(used) + int(left) or (int(left) == 0 and int(used) >= int(limit))


def test_people_match_meets_the_description(apollo, tim):  # noqa: F811
    answers = [
        post(apollo, "people/match", json={"email": "tim@apollo.io"}),
        post(
            apollo, "people/match", json={"email": "tim@apollo.io", "reveal_personal_emails": True}
        ),
        post(apollo, "people/match", json={"email": "nobody@nowhere.example"}),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        jsonschema.validate(answer.json(), MATCH)
        assert_rate_headers(answer)
    assert answers[0].json()["person"]["organization"] and answers[2].json() == {"person": None}


def test_people_bulk_match_meets_the_description(apollo, tim):  # noqa: F811
    details = [{"email": "tim@apollo.io"}, {"email": "nobody@nowhere.example"}]
    answer = post(apollo, "people/bulk_match", json={"details": details})
    assert answer.status_code == 200, answer.text
    jsonschema.validate(answer.json(), BULK_MATCH)
    assert_rate_headers(answer)
    assert [bool(match) for match in answer.json()["matches"]] == [True, False]


def test_organization_enrich_meets_the_description(apollo):  # noqa: F811
    apollo_store.add_company("acme.example", name="Acme", industry="software", founded_year=1999)
    found = apollo.get(f"{apollo.base}/organizations/enrich", params={"domain": "acme.example"})
    unknown = apollo.get(f"{apollo.base}/organizations/enrich", params={"domain": "none.example"})
    for answer in (found, unknown):
        assert answer.status_code == 200, answer.text
        jsonschema.validate(answer.json(), ENRICH)
        assert_rate_headers(answer)
    assert found.json()["organization"]["primary_domain"] == "acme.example"


def test_error_answers_meet_the_description(apollo):  # noqa: F811
    unauthorized = call("people/match", "not-a-key", json={"email": "tim@apollo.io"})
    assert unauthorized.status_code == 401
    assert unauthorized.headers["Content-Type"].startswith("text/plain")
    assert unauthorized.text == UNAUTHORIZED
    missing = apollo.get(f"{apollo.base}/organizations/enrich")
    too_many = post(apollo, "people/bulk_match", json={"details": [{"email": "a@b.c"}] * 11})
    empty = post(apollo, "people/bulk_match", json={"details": []})
    no_webhook = post(apollo, "people/match", json={"email": "a@b.c", "reveal_phone_number": True})
    for answer, status, schema in [
        (missing, 422, ERROR),
        (too_many, 400, BULK_FAILURE),
        (empty, 400, BULK_FAILURE),
        (no_webhook, 400, ERROR),
    ]:
        assert answer.status_code == status, answer.text
        jsonschema.validate(answer.json(), schema)
        assert_rate_headers(answer)


def test_a_full_window_meets_the_rate_limit_description(sandbox):
    apollo_store.register_key("contract-key", per_minute=1)
    first = call("people/match", "contract-key", json={"email": "a@b.c"})
    refused = call("people/match", "contract-key", json={"email": "a@b.c"})
    assert (first.status_code, refused.status_code) == (200, 429)
    jsonschema.validate(refused.json(), LIMIT_REACHED)
    assert refused.headers["Retry-After"].isdigit()
    assert_rate_headers(refused)
    assert refused.headers["x-minute-requests-left"] == "0"
