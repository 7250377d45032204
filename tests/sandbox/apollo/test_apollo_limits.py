"""The Apollo sandbox's keys, rate limits, credits, usage stats, faults and call log, over HTTP."""

import json

import pytest
import requests
from django.conf import settings

from sandbox import faults
from sandbox.apollo import store as apollo_store

pytestmark = pytest.mark.django_db(transaction=True)

UNAUTHORIZED = (
    "Invalid API key. See https://docs.apollo.io/reference/authentication for how to authenticate."
)
# 10:00:20 UTC on a day: 40 seconds left in the minute, 3580 in the hour.
NOON_ISH = 1_767_261_620.0


@pytest.fixture
def clock():
    """A settable clock for the rate-limit windows, the real one again afterwards."""
    now = [NOON_ISH]
    apollo_store.set_clock(lambda: now[0])
    yield now
    apollo_store.set_clock(None)


def call(path, key=None, method="POST", headers=None, **kwargs):
    headers = {**({} if key is None else {"X-Api-Key": key}), **(headers or {})}
    url = f"{settings.APOLLO_BASE_URL}/{path}"
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def match(key, **params):
    return call("people/match", key, json=params)


@pytest.fixture
def tim():
    return apollo_store.add_person("Tim", "Zheng", organization="apollo.io", email="tim@apollo.io")


def test_a_missing_or_unknown_key_is_a_plain_text_401(sandbox):
    for key in (None, "", "not-a-key"):
        answer = match(key, email="tim@apollo.io")
        assert answer.status_code == 401
        assert answer.headers["Content-Type"].startswith("text/plain")
        assert answer.text == UNAUTHORIZED
        assert "x-minute-usage" not in answer.headers


def test_the_key_goes_in_the_header_only(sandbox):
    key = settings.APOLLO_API_KEY
    assert call("people/match", json={"api_key": key}).status_code == 401
    assert call("people/match", params={"api_key": key}).status_code == 401
    assert call("people/match", json={"email": "x@y.z"}, headers={"x-api-key": key}).ok
    bearer = {"Authorization": f"Bearer {key}"}
    assert call("people/match", json={}, headers=bearer).status_code == 401


def test_registered_keys_are_accounts_of_their_own(sandbox, tim):
    apollo_store.register_key("team-b-key")
    assert match("team-b-key", email="tim@apollo.io").json()["person"]["id"] == tim.apollo_id
    assert apollo_store.credits_used("team-b-key") == 1
    assert apollo_store.credits_used(settings.APOLLO_API_KEY) == 0


def test_every_answer_carries_the_rate_limit_headers_counting_down(sandbox, clock):
    apollo_store.register_key("k", per_minute=50, per_hour=200, per_day=600)
    first, second = match("k", email="a@b.c"), match("k", email="a@b.c")
    assert first.headers["x-rate-limit-minute"] == "50"
    assert first.headers["x-rate-limit-hourly"] == "200"
    assert first.headers["x-rate-limit-daily"] == "600"
    assert [first.headers["x-minute-usage"], second.headers["x-minute-usage"]] == ["1", "2"]
    assert [a.headers["x-minute-requests-left"] for a in (first, second)] == ["49", "48"]
    assert [a.headers["x-hourly-requests-left"] for a in (first, second)] == ["199", "198"]
    assert [a.headers["x-daily-requests-left"] for a in (first, second)] == ["599", "598"]
    assert second.headers["x-daily-usage"] == "2"
    # Errors after the key is checked count and carry them too; endpoints count apart.
    bad = call("people/bulk_match", "k", json={"details": []})
    assert (bad.status_code, bad.headers["x-minute-usage"]) == (400, "1")
    assert bad.headers["x-rate-limit-minute"] == "5"  # the bulk endpoints get a tenth


def test_past_the_minute_limit_429_with_retry_after_until_the_window_frees(sandbox, clock, tim):
    apollo_store.register_key("k", per_minute=3)
    assert [match("k", email="tim@apollo.io").status_code for _ in range(3)] == [200] * 3
    refused = match("k", email="tim@apollo.io")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "40"
    assert refused.json() == {
        "message": "The maximum number of api calls allowed for api/v1/people/match is 3 times "
        "per minute. Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."
    }
    assert refused.headers["x-minute-requests-left"] == "0"
    assert refused.headers["x-minute-usage"] == "3"
    assert apollo_store.credits_used("k") == 3  # the refused call cost nothing
    # Other endpoints have their own counters; the next minute starts from zero.
    assert call("organizations/enrich", "k", "GET", params={"domain": "apollo.io"}).ok
    clock[0] += 40
    again = match("k", email="tim@apollo.io")
    assert (again.status_code, again.headers["x-minute-usage"]) == (200, "1")
    assert again.headers["x-hourly-usage"] == "4"


def test_a_full_day_waits_for_the_day(sandbox, clock):
    apollo_store.register_key("k", per_minute=10, per_hour=10, per_day=2)
    match("k"), match("k")
    refused = match("k")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(86400 - 10 * 3600 - 20)
    assert "2 times per day" in refused.json()["message"]


def test_credits_only_for_what_was_found(sandbox, tim):
    key = settings.APOLLO_API_KEY
    match(key, email="nobody@nowhere.example")
    call("organizations/enrich", key, "GET", params={"domain": "unknown.example"})
    assert apollo_store.credits_used(key) == 0
    match(key, email="tim@apollo.io")
    match(key, email="tim@apollo.io")  # Apollo charges every enrichment, even a repeated one
    call("organizations/enrich", key, "GET", params={"domain": "apollo.io"})
    assert apollo_store.credits_used(key) == 3


def test_api_usage_stats_per_endpoint_and_window_at_no_cost(sandbox, clock):
    apollo_store.register_key("k", per_minute=50, per_hour=200, per_day=600)
    match("k"), match("k")
    answer = call("usage_stats/api_usage_stats", "k")
    assert answer.status_code == 200
    stats = answer.json()
    assert stats['["api/v1/people", "match"]'] == {
        "day": {"limit": 600, "consumed": 2, "left_over": 598},
        "hour": {"limit": 200, "consumed": 2, "left_over": 198},
        "minute": {"limit": 50, "consumed": 2, "left_over": 48},
    }
    assert stats['["api/v1/people", "bulk_match"]']["minute"] == {
        "limit": 5,
        "consumed": 0,
        "left_over": 5,
    }
    assert stats['["api/v1/usage_stats", "api_usage_stats"]']["day"]["consumed"] == 1
    assert apollo_store.credits_used("k") == 0


def test_faults_apply_and_every_call_is_logged(sandbox, tim):
    key = settings.APOLLO_API_KEY
    faults.clear_calls("apollo")
    faults.inject("apollo", r"/people/match$", status=500)
    failed = match(key, email="tim@apollo.io")
    assert (failed.status_code, failed.json()) == (500, {"error": "Internal Server Error"})
    assert apollo_store.credits_used(key) == 0  # a failed call cost nothing

    faults.inject("apollo", r"/people/match$", status=429, retry_after=30)
    limited = match(key, email="tim@apollo.io")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "30")
    assert "maximum number of api calls" in limited.json()["message"]

    faults.inject("apollo", r"/organizations/enrich$", truncate=True)
    truncated = call("organizations/enrich", key, "GET", params={"domain": "apollo.io"})
    assert truncated.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.text)

    assert match(key, email="tim@apollo.io").ok
    logged = faults.calls("apollo")
    assert [(c.method, c.path.rsplit("/v1/", 1)[1], c.status) for c in logged] == [
        ("POST", "people/match", 500),
        ("POST", "people/match", 429),
        ("GET", "organizations/enrich", 200),
        ("POST", "people/match", 200),
    ]
    assert logged[2].query == "domain=apollo.io"
