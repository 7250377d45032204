"""Bad input: every kind of malformed request answers a clear 4xx in the one error format,
names what is wrong, and writes nothing.

Each case starts from a request the API accepts (checked first, so a refusal below is caused by
the change and nothing else), then breaks one thing: a wrong type, an unknown field, an invalid
email or phone number, a naive datetime, another workspace's id, or an SQL- or HTML-looking
string where a typed value belongs. Free text fields take such strings as plain text: that is
checked too (stored and returned verbatim, never interpreted).
"""

from dataclasses import dataclass, field

import pytest
from django.apps import apps

from clianta.models import Company, Contact, Deal

pytestmark = pytest.mark.django_db

PROJECT_APPS = (
    "clianta",
    "integrations",
    "email_accounts",
    "calendars",
    "enrichment",
    "slack",
    "twilio",
)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
    }


@dataclass
class Endpoint:
    method: str
    path: str
    body: dict
    #: changes that must be refused: field -> list of bad values
    bad: dict = field(default_factory=dict)


SQL = "1'; DROP TABLE clianta_contact; --"
HTML = "<script>alert(1)</script>"


@pytest.fixture
def objects(workspace_a, workspace_b):
    a_company = Company.objects.create(workspace=workspace_a, name="A Corp")
    b_company = Company.objects.create(workspace=workspace_b, name="B Corp")
    b_contact = Contact.objects.create(workspace=workspace_b, email="b@b.example")
    return {"a_company": a_company, "b_company": b_company, "b_contact": b_contact}


def endpoints(objects, workspace_a) -> list[Endpoint]:
    b_company, b_contact = str(objects["b_company"].pk), str(objects["b_contact"].pk)
    return [
        Endpoint(
            "post",
            "/api/contacts",
            {"first_name": "Ada", "email": "ada@example.com", "phone": "+1 415 555 2671"},
            {
                "email": ["not-an-email", SQL, 42, ["ada@example.com"]],
                "phone": ["12", "call me", SQL, {"n": 1}],
                "company": [b_company, "not-a-uuid", SQL, 7],
                "first_name": [["Ada"], {"x": 1}, "x" * 101],
            },
        ),
        Endpoint(
            "post",
            "/api/companies",
            {"name": "Acme", "website": "https://acme.example", "employee_count": 10},
            {
                "website": ["javascript:alert(1)", HTML, 3],
                "employee_count": [-1, "many", [1]],
                "phone": ["+1 555", SQL],
            },
        ),
        Endpoint(
            "post",
            "/api/deals",
            {"name": "Renewal", "amount": "1200.00", "close_date": "2027-01-31"},
            {
                "amount": ["-5", "lots", [1], "1e400"],
                "stage": ["nirvana", SQL],
                "close_date": ["31/01/2027", "2027-02-30", SQL],
                "contact": [b_contact, HTML],
            },
        ),
        Endpoint(
            "post",
            "/api/email-blocklist",
            {"pattern": "news@shop.example"},
            {"pattern": ["not a pattern", SQL, 5, ""]},
        ),
        Endpoint(
            "post",
            "/api/slack/rules",
            {"name": "Won", "event_type": "deal.won", "channel": "#wins", "template": "{deal}"},
            {"event_type": ["deal.lost", SQL, 1], "enabled": ["maybe", [True]], "name": [""]},
        ),
        Endpoint(
            "post",
            "/api/voice-drops",
            {"audio_url": "https://cdn.example.com/hello.mp3", "numbers": ["+14155552671"]},
            {
                "audio_url": ["not a url", HTML],
                "numbers": [["12"], ["call me"], "+14155552671", [SQL]],
                "contacts": [[b_contact], ["not-a-uuid"]],
                "scheduled_at": ["2027-01-04T09:00:00", "tomorrow"],
            },
        ),
        Endpoint(
            "post",
            f"/api/workspaces/{workspace_a.pk}/sms/send",
            {"to": "+14155552671", "body": "Hello"},
            {"to": ["12", "call me", SQL], "body": ["", ["x"], "x" * 1601], "contact": [b_contact]},
        ),
        Endpoint(
            "post",
            f"/api/workspaces/{workspace_a.pk}/apollo/find-email",
            {"name": "Ada Lovelace", "domain": "example.com"},
            {"name": [["Ada"], "x" * 201], "domain": [{"d": 1}, "x" * 254]},
        ),
    ]


def refuses(response, name: str) -> bool:
    body = response.json()
    return (
        400 <= response.status_code < 500
        and set(body) >= {"error", "code", "fields"}
        and isinstance(body["error"], str)
        and name in body["fields"]
    )


def test_each_broken_field_is_refused_by_name_and_nothing_is_written(api_a, objects, workspace_a):
    for endpoint in endpoints(objects, workspace_a):
        send = getattr(api_a, endpoint.method)
        for name, values in endpoint.bad.items():
            for value in values:
                before = row_counts()
                response = send(endpoint.path, {**endpoint.body, name: value}, format="json")
                assert refuses(response, name), (endpoint.path, name, value, response.content)
                assert row_counts() == before, (endpoint.path, name, value)
        # The unbroken body passes validation (a provider-backed endpoint may then answer 409
        # for a missing connection, never 400).
        accepted = send(endpoint.path, endpoint.body, format="json")
        assert accepted.status_code != 400, (endpoint.path, accepted.content)


def test_unknown_fields_are_refused_by_name(api_a, objects, workspace_a):
    for endpoint in endpoints(objects, workspace_a):
        before = row_counts()
        response = getattr(api_a, endpoint.method)(
            endpoint.path, {**endpoint.body, "emial": "typo@example.com"}, format="json"
        )
        assert refuses(response, "emial"), (endpoint.path, response.content)
        assert row_counts() == before


@pytest.mark.parametrize(
    "body", ["[1, 2, 3]", '"text"', "{not json", "null", '{"first_name": "\\ud800"}']
)
def test_bodies_that_are_not_an_object_answer_400(api_a, body):
    before = row_counts()
    response = api_a.generic("POST", "/api/contacts", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()) >= {"error", "code", "fields"}
    assert row_counts() == before


def test_an_oversized_body_answers_413_before_any_view_reads_it(api_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = row_counts()
    body = '{"first_name": "' + "x" * 20_000 + '"}'
    response = api_a.generic("POST", "/api/contacts", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert row_counts() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/email-messages?after=2026-01-01T09:00:00",
        "/api/calendar/events?before=2026-01-01T09:00",
        "/api/email-messages?account=not-a-uuid",
        "/api/email-messages?contact=" + SQL,
    ],
)
def test_bad_query_parameters_answer_400(api_a, path):
    response = api_a.get(path)
    assert response.status_code == 400, response.content
    assert set(response.json()) >= {"error", "code", "fields"}


def test_query_datetimes_are_read_in_utc_whatever_their_offset(api_a):
    """PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows (found by schemathesis)."""
    assert api_a.get("/api/email-threads?before=0045-10-06T03:09:08-23:15").status_code == 200
    assert api_a.get("/api/email-threads?after=2026-01-31T09:00:00%2B14:45").status_code == 200
    too_early = api_a.get("/api/email-threads?before=0001-01-01T00:00:00%2B05:00")
    assert too_early.status_code == 400
    assert "before" in too_early.json()["fields"]


def test_naive_datetimes_in_bodies_are_refused(api_a):
    response = api_a.post(
        "/api/calendar/slots",
        {
            "duration_minutes": 30,
            "window_start": "2027-01-04T09:00:00",
            "window_end": "2027-01-04T17:00:00+00:00",
        },
        format="json",
    )
    assert refuses(response, "window_start"), response.content


def test_free_text_keeps_sql_and_html_looking_strings_verbatim(api_a):
    response = api_a.post(
        "/api/contacts", {"first_name": SQL, "last_name": HTML, "title": SQL}, format="json"
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(pk=response.json()["id"])
    assert (contact.first_name, contact.last_name) == (SQL, HTML)
    assert api_a.get(f"/api/contacts/{contact.pk}").json()["last_name"] == HTML
    assert Deal.objects.count() == 0  # and nothing else happened


def test_an_unmatched_api_path_answers_json_404(api_a):
    response = api_a.get("/api/contacts/not/a/route")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
