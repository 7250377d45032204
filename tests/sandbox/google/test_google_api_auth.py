"""Checking Google API calls' access tokens, and the helpers tests use to age or kill them."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from sandbox.google.tokens import (
    USERINFO_EMAIL,
    authenticate,
    create_grant,
    expire_access_tokens,
    issue,
    revoke_grants,
)

pytestmark = pytest.mark.django_db

GMAIL = "https://www.googleapis.com/auth/gmail.readonly"
UNAUTHENTICATED = {
    "code": 401,
    "message": (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential."
    ),
    "status": "UNAUTHENTICATED",
}


def api_call(access_token=None):
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    return RequestFactory().get("/sandbox/google/gmail/v1/users/me/profile", headers=headers)


def assert_unauthenticated(answer):
    assert isinstance(answer, HttpResponse)
    assert answer.status_code == 401
    error = json.loads(answer.content)["error"]
    assert {name: error[name] for name in UNAUTHENTICATED} == UNAUTHENTICATED
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_token_gives_its_grant():
    token = issue(create_grant("erin@example.com", ["email", GMAIL]))
    grant = authenticate(api_call(token["access_token"]), [GMAIL, "https://mail.google.com/"])
    assert grant.email == "erin@example.com"
    assert grant.scope_list == [USERINFO_EMAIL, GMAIL]
    assert token["refresh_token"] == grant.refresh_token
    assert "id_token" not in token  # no openid scope


@pytest.mark.parametrize("header", [None, "Bearer ya29.unknown", "Basic abc"])
def test_missing_or_unknown_tokens_are_unauthenticated(header):
    request = RequestFactory().get("/", headers={"Authorization": header} if header else {})
    assert_unauthenticated(authenticate(request))


def test_expired_and_revoked_tokens_are_unauthenticated():
    first = issue(create_grant("erin@example.com", [GMAIL]))
    other = issue(create_grant("frank@example.com", [GMAIL]))
    assert expire_access_tokens("erin@example.com") == 1
    assert_unauthenticated(authenticate(api_call(first["access_token"])))
    assert authenticate(api_call(other["access_token"])).email == "frank@example.com"

    assert revoke_grants("frank@example.com") == 1
    assert_unauthenticated(authenticate(api_call(other["access_token"])))


def test_a_token_without_an_accepted_scope_is_forbidden():
    token = issue(create_grant("erin@example.com", [GMAIL], offline=False))
    assert "refresh_token" not in token
    answer = authenticate(
        api_call(token["access_token"]), ["https://www.googleapis.com/auth/calendar"]
    )
    assert answer.status_code == 403
    error = json.loads(answer.content)["error"]
    assert error["status"] == "PERMISSION_DENIED"
    assert error["errors"][0]["reason"] == "insufficientPermissions"
