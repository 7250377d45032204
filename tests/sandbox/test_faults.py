"""Fault injection and the call log, in-process and through the JSON control API, over HTTP."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from google.auth.exceptions import RefreshError

from sandbox import faults
from sandbox.google.tokens import create_grant
from sandbox.models import SandboxFault

from .google.google_flow import credentials, post_token, refresh

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN_PATH = r"/google/token$"


def refresh_answer(refresh_token):
    return post_token(grant_type="refresh_token", refresh_token=refresh_token)


@pytest.fixture
def refresh_token():
    return create_grant("gina@example.com", ["openid", "email"]).refresh_token


def test_injected_500_answers_once_with_googles_oauth_error_shape(sandbox, refresh_token):
    fault = faults.inject("google", TOKEN_PATH, status=500)
    failed = refresh_answer(refresh_token)
    assert failed.status_code == 500
    assert failed.json() == {"error": "server_error", "error_description": "Internal Server Error"}
    assert refresh_answer(refresh_token).status_code == 200
    fault.refresh_from_db()
    assert fault.remaining == 0
    assert [call.status for call in faults.calls("google", "/google/token")] == [500, 200]


def test_429_carries_retry_after(sandbox, refresh_token):
    faults.inject("google", TOKEN_PATH, status=429, retry_after=30)
    answer = refresh_answer(refresh_token)
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "30"
    assert answer.json()["error"] == "rate_limit_exceeded"


def test_a_given_body_replaces_the_default(sandbox, refresh_token):
    body = {"error": "invalid_grant", "error_description": "Account has been deleted"}
    faults.inject("google", TOKEN_PATH, status=400, body=body)
    answer = refresh_answer(refresh_token)
    assert (answer.status_code, answer.json()) == (400, body)


def test_delay_alone_slows_the_real_answer(sandbox, refresh_token):
    faults.inject("google", TOKEN_PATH, delay_ms=300)
    started = time.monotonic()
    answer = refresh_answer(refresh_token)
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200
    assert answer.json()["access_token"].startswith("ya29.")


def test_truncated_answer_is_the_first_half_of_the_real_json(sandbox, refresh_token):
    faults.inject("google", TOKEN_PATH, truncate=True)
    answer = refresh_answer(refresh_token)
    assert answer.status_code == 200
    assert answer.text.startswith('{"access_token": "ya29.')
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)
    assert refresh_answer(refresh_token).json()["access_token"]


def test_times_counts_uses_and_none_means_until_cleared(sandbox, refresh_token):
    faults.inject("google", TOKEN_PATH, status=503, times=2)
    assert [refresh_answer(refresh_token).status_code for _ in range(3)] == [503, 503, 200]

    faults.inject("google", TOKEN_PATH, status=502, times=None)
    assert [refresh_answer(refresh_token).status_code for _ in range(3)] == [502, 502, 502]
    assert faults.clear("google") == 2
    assert refresh_answer(refresh_token).status_code == 200


def test_faults_apply_only_to_their_provider_and_path(sandbox, refresh_token):
    faults.inject("google", r"/google/revoke$", status=500, times=None)
    faults.inject("slack", TOKEN_PATH, status=500, times=None)
    assert refresh_answer(refresh_token).status_code == 200


def test_sdk_sees_the_fault_and_the_call_log_counts_its_requests(sandbox, refresh_token):
    faults.inject("google", TOKEN_PATH, status=400, body={"error": "invalid_grant"})
    creds = credentials(refresh_token)
    with pytest.raises(RefreshError, match="invalid_grant"):
        refresh(creds)
    refresh(creds)
    assert creds.token.startswith("ya29.")
    logged = faults.calls("google", "/google/token")
    assert logged.count() == 2
    assert {(call.method, call.path) for call in logged} == {("POST", "/sandbox/google/token")}
    assert faults.clear_calls() == 2
    assert not faults.calls().exists()


def test_concurrent_requests_consume_a_fault_exactly_times(sandbox, refresh_token):
    faults.inject("google", TOKEN_PATH, status=503, times=3)
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: refresh_answer(refresh_token).status_code, range(8)))
    assert sorted(statuses) == [200] * 5 + [503] * 3


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"status": 700},
        {"status": 500, "truncate": True},
        {"retry_after": 5},
        {"status": 500, "times": 0},
        {"status": 500, "path_regex": "("},
    ],
)
def test_inject_refuses_faults_that_do_nothing_or_contradict(arguments):
    arguments = {"path_regex": TOKEN_PATH, **arguments}
    with pytest.raises(ValueError):
        faults.inject("google", **arguments)
    assert not SandboxFault.objects.exists()


def test_control_api_over_http(sandbox, refresh_token):
    url = f"{sandbox.url}/_faults"
    fault = {"provider": "google", "path_regex": TOKEN_PATH, "status": 429, "retry_after": 7}
    created = requests.post(url, json=fault, timeout=10)
    assert created.status_code == 201, created.text
    assert created.json()["remaining"] == 1
    assert requests.get(url, timeout=10).json()["faults"][0]["retry_after"] == 7

    limited = refresh_answer(refresh_token)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert requests.get(url, timeout=10).json() == {"faults": []}
    refresh_answer(refresh_token)

    logged = requests.get(
        f"{sandbox.url}/_calls", params={"provider": "google", "path": "token"}, timeout=10
    ).json()
    assert logged["count"] == 2
    assert [call["status"] for call in logged["calls"]] == [429, 200]

    forever = {"provider": "google", "path_regex": "token", "delay_ms": 1, "times": None}
    assert requests.post(url, json=forever, timeout=10).json()["remaining"] is None
    assert requests.delete(url, timeout=10).json() == {"deleted": 2}
    assert requests.delete(f"{sandbox.url}/_calls", timeout=10).json() == {"deleted": 2}


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps([1]),
        json.dumps({"provider": "google"}),
        json.dumps({"provider": "google", "path_regex": "x", "status": "500"}),
        json.dumps({"provider": "google", "path_regex": "x", "status": 500, "colour": "red"}),
        json.dumps({"provider": "google", "path_regex": "x"}),
    ],
)
def test_control_api_refuses_malformed_faults(sandbox, body):
    answer = requests.post(f"{sandbox.url}/_faults", data=body, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]
    assert not SandboxFault.objects.exists()
