"""Apollo people enrichment in the sandbox, over HTTP with requests: people/match and
people/bulk_match, and phone numbers delivered later to a webhook."""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
from django.conf import settings

from sandbox.apollo import store as apollo_store

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def apollo(sandbox):
    """A session against APOLLO_BASE_URL with the sandbox's key, as our client sends it."""
    session = requests.Session()
    session.headers["X-Api-Key"] = settings.APOLLO_API_KEY
    session.base = settings.APOLLO_BASE_URL
    yield session
    session.close()


def post(apollo, path, **kwargs):
    return apollo.post(f"{apollo.base}/{path}", timeout=10, **kwargs)


def apollo_key():
    return settings.APOLLO_API_KEY


@pytest.fixture
def tim():
    return apollo_store.add_person(
        "Tim",
        "Zheng",
        organization=apollo_store.add_company("apollo.io", name="Apollo.io", industry="software"),
        title="Founder & CEO",
        seniority="founder",
        email="Tim@Apollo.io",
        linkedin_url="http://www.linkedin.com/in/tim-zheng-677ba010",
        phone_numbers=["+1 415-555-0101"],
    )


def test_match_by_email_answers_the_person_with_the_organization(apollo, tim):
    answer = post(apollo, "people/match", json={"email": "tim@apollo.io"})
    assert answer.status_code == 200
    person = answer.json()["person"]
    assert person["id"] == tim.apollo_id
    assert (person["first_name"], person["last_name"], person["name"]) == (
        "Tim",
        "Zheng",
        "Tim Zheng",
    )
    assert (person["title"], person["seniority"]) == ("Founder & CEO", "founder")
    assert (person["email"], person["email_status"]) == ("tim@apollo.io", "verified")
    assert person["organization_id"] == tim.organization.apollo_id
    assert person["organization"]["primary_domain"] == "apollo.io"
    assert person["organization"]["name"] == "Apollo.io"
    assert "phone_numbers" not in person and "personal_emails" not in person


@pytest.mark.parametrize(
    "params",
    [
        {"first_name": "tim", "last_name": "zheng", "domain": "www.apollo.io"},
        {"first_name": "Tim", "last_name": "Zheng", "organization_name": "apollo"},
        {"name": "Tim Zheng", "domain": "apollo.io"},
        {"linkedin_url": "https://linkedin.com/in/tim-zheng-677ba010/"},
        {"hashed_email": hashlib.md5(b"tim@apollo.io").hexdigest()},
        {"hashed_email": hashlib.sha256(b"tim@apollo.io").hexdigest()},
    ],
)
def test_match_by_name_and_employer_linkedin_or_hashed_email(apollo, tim, params):
    answer = post(apollo, "people/match", json=params)
    assert answer.json()["person"]["id"] == tim.apollo_id


def test_query_parameters_work_like_a_json_body(apollo, tim):
    answer = post(apollo, "people/match", params={"id": tim.apollo_id})
    assert answer.json()["person"]["email"] == "tim@apollo.io"


@pytest.mark.parametrize(
    "params",
    [
        {"email": "nobody@nowhere.example"},
        {"name": "Tim Zheng"},  # a name without employer or email enriches nobody
        {"first_name": "Tim", "last_name": "Zheng", "domain": "other.example"},
        {},
    ],
)
def test_no_match_is_a_200_with_a_null_person(apollo, tim, params):
    answer = post(apollo, "people/match", json=params)
    assert (answer.status_code, answer.json()) == (200, {"person": None})


def test_the_seeded_directory_is_the_same_on_every_run(apollo):
    organizations, people = apollo_store.directory()
    assert (organizations.count(), people.count()) == (40, 200)
    seeded = list(people.order_by("apollo_id").values_list("apollo_id", "email", "title"))
    someone = people.order_by("apollo_id").first()
    assert someone.email.endswith("@" + someone.organization.domain)
    answer = post(apollo, "people/match", json={"email": someone.email})
    assert answer.json()["person"]["id"] == someone.apollo_id

    apollo_store.reset()
    again = apollo_store.directory().people.order_by("apollo_id")
    assert list(again.values_list("apollo_id", "email", "title")) == seeded


def test_personal_emails_only_when_revealed(apollo):
    who = apollo_store.add_person(
        "Ana", "Lima", organization="lima.example", personal_emails=["ana@gmail.com"]
    )
    plain = post(apollo, "people/match", json={"id": who.apollo_id}).json()["person"]
    revealed = post(
        apollo, "people/match", json={"id": who.apollo_id, "reveal_personal_emails": True}
    ).json()["person"]
    assert "personal_emails" not in plain
    assert revealed["personal_emails"] == ["ana@gmail.com"]


def test_bulk_match_answers_in_order_with_null_for_the_missing(apollo, tim):
    details = [{"email": "tim@apollo.io"}, {"email": "nobody@nowhere.example"}, {"id": "x"}]
    answer = post(apollo, "people/bulk_match", json={"details": details})
    assert answer.status_code == 200
    body = answer.json()
    assert [m and m["id"] for m in body["matches"]] == [tim.apollo_id, None, None]
    assert body["status"] == "success"
    assert body["total_requested_enrichments"] == 3
    assert (body["unique_enriched_records"], body["missing_records"]) == (1, 2)
    assert body["credits_consumed"] == 1


def test_bulk_match_takes_at_most_ten_and_needs_details(apollo, tim):
    eleven = post(apollo, "people/bulk_match", json={"details": [{"email": "a@b.c"}] * 11})
    assert eleven.status_code == 400
    assert eleven.json() == {
        "status": "failed",
        "error_code": "RECORD_LIMIT_EXCEEDED",
        "error_message": "cannot enrich more than 10 in a single request",
    }
    empty = post(apollo, "people/bulk_match", json={"details": []})
    assert (empty.status_code, empty.json()["error_code"]) == (400, "INVALID_REQUEST")
    ten = post(apollo, "people/bulk_match", json={"details": [{"email": "tim@apollo.io"}] * 10})
    assert ten.status_code == 200
    assert (ten.json()["unique_enriched_records"], apollo_store.credits_used(apollo_key())) == (
        1,
        1,
    )


def test_revealing_phones_needs_a_webhook_url(apollo, tim):
    answer = post(
        apollo, "people/match", json={"email": "tim@apollo.io", "reveal_phone_number": True}
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "Please add a valid 'webhook_url' parameter when using 'reveal_phone_number'"
    }
    assert apollo_store.credits_used(apollo_key()) == 0


class Receiver(BaseHTTPRequestHandler):
    received: list

    def do_POST(self):
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    """A stand-in for the caller's webhook endpoint: the JSON bodies POSTed to it."""
    handler = type("Handler", (Receiver,), {"received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/apollo/phones", handler.received
    server.shutdown()
    server.server_close()


def test_phones_arrive_later_at_the_webhook_and_can_be_polled(apollo, tim, webhook):
    url, received = webhook
    answer = post(
        apollo,
        "people/match",
        json={"email": "tim@apollo.io", "reveal_phone_number": True, "webhook_url": url},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert "phone_numbers" not in body["person"]
    request_id = body["request_id"]
    assert isinstance(request_id, int)
    assert apollo_store.credits_used(apollo_key()) == 1 + 8  # a mobile number costs 8 more
    poll = apollo.get(f"{apollo.base}/webhook_result/{request_id}", timeout=10).json()
    assert (poll["request_id"], poll["webhook_status"]) == (str(request_id), "in_progress")
    assert received == []

    assert apollo_store.deliver_webhooks() == 1
    [result] = received
    assert result["people"][0]["id"] == tim.apollo_id
    [number] = result["people"][0]["phone_numbers"]
    assert (number["sanitized_number"], number["type_cd"]) == ("+14155550101", "mobile")
    assert result["credits_consumed"] == 8
    poll = apollo.get(f"{apollo.base}/webhook_result/{request_id}", timeout=10).json()
    assert poll["webhook_status"] == "success" and poll["webhook_result"] == result
    assert apollo_store.deliver_webhooks() == 0


def test_poll_of_an_unknown_or_malformed_request_id(apollo):
    unknown = apollo.get(f"{apollo.base}/webhook_result/12345", timeout=10)
    assert (unknown.status_code, unknown.json()) == (404, {"error_code": "request_id_unknown"})
    bad = apollo.get(f"{apollo.base}/webhook_result/abc", timeout=10)
    assert (bad.status_code, bad.json()) == (400, {"error_code": "invalid_request_id"})
