"""Google's token and revoke endpoints, driven by google-auth-oauthlib, google-auth and requests."""

import base64
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from google.auth import jwt
from google.auth.exceptions import RefreshError
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError

from sandbox import faults
from sandbox.google.models import GoogleAuthCode, GoogleGrant
from sandbox.google.tokens import subject
from tests.sandbox.consent import redirect_params, submit_consent

from .google_flow import (
    GMAIL,
    REDIRECT_URI,
    SCOPES,
    authorize,
    connect,
    credentials,
    make_flow,
    post_token,
    refresh,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_flow_gives_tokens_and_an_id_token(sandbox):
    flow = make_flow()
    url, _ = flow.authorization_url(prompt="consent")
    assert "code_challenge_method=S256" in url
    params = redirect_params(submit_consent(url, email="dana@example.com"))
    assert params["scope"].split() == SCOPES

    token = flow.fetch_token(code=params["code"])

    assert token["access_token"].startswith("ya29.")
    assert token["refresh_token"].startswith("1//")
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3599
    assert token["scope"] == SCOPES
    assert flow.credentials.refresh_token == token["refresh_token"]
    claims = jwt.decode(token["id_token"], verify=False)
    assert claims["iss"] == "https://accounts.google.com"
    assert claims["aud"] == settings.GOOGLE_CLIENT_ID
    assert claims["email"] == "dana@example.com"
    assert claims["email_verified"] is True
    assert claims["sub"] == subject("dana@example.com")
    assert claims["exp"] - claims["iat"] == 3600
    signing_input, _, signature = token["id_token"].rpartition(".")
    key = settings.GOOGLE_CLIENT_SECRET.encode()
    expected = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(expected).rstrip(b"=").decode() == signature
    assert faults.calls("google", "/google/token").count() == 1


def test_wrong_code_verifier_is_invalid_grant(sandbox):
    flow = make_flow()
    params = authorize(flow)
    flow.code_verifier = "x" * 64
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(code=params["code"])


def test_missing_code_verifier_is_invalid_grant(sandbox):
    params = authorize(make_flow())
    answer = post_token(
        grant_type="authorization_code", code=params["code"], redirect_uri=REDIRECT_URI
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_id_token_carries_the_nonce(sandbox):
    token = connect(nonce="n-0451")
    assert jwt.decode(token["id_token"], verify=False)["nonce"] == "n-0451"


@pytest.mark.parametrize(
    ("challenge", "verifier", "status", "error"),
    [
        ({"code_challenge": "plain-verifier-" + "v" * 40}, "plain-verifier-" + "v" * 40, 200, None),
        (
            {"code_challenge": "c" * 43, "code_challenge_method": "plain"},
            "d" * 43,
            400,
            "invalid_grant",
        ),
        ({}, "v" * 43, 400, "invalid_request"),
    ],
)
def test_plain_pkce_and_a_verifier_nobody_asked_for(sandbox, challenge, verifier, status, error):
    query = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": GMAIL,
        **challenge,
    }
    params = redirect_params(submit_consent(f"{settings.GOOGLE_AUTH_URI}?{urlencode(query)}"))
    answer = post_token(
        grant_type="authorization_code",
        code=params["code"],
        redirect_uri=REDIRECT_URI,
        code_verifier=verifier,
    )
    assert answer.status_code == status, answer.text
    assert answer.json().get("error") == error


def test_reused_code_fails_and_revokes_its_tokens(sandbox):
    flow = make_flow()
    params = authorize(flow)
    token = flow.fetch_token(code=params["code"])
    again = post_token(
        grant_type="authorization_code",
        code=params["code"],
        redirect_uri=REDIRECT_URI,
        code_verifier=flow.code_verifier,
    )
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Bad Request"}
    with pytest.raises(RefreshError, match="invalid_grant"):
        refresh(credentials(token["refresh_token"]))


def test_expired_code_and_other_redirect_uri_are_refused(sandbox):
    flow = make_flow()
    params = authorize(flow)
    old = timezone.now() - timedelta(minutes=11)
    GoogleAuthCode.objects.filter(code=params["code"]).update(created_at=old)
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(code=params["code"])

    flow = make_flow()
    params = authorize(flow)
    answer = post_token(
        grant_type="authorization_code",
        code=params["code"],
        redirect_uri="http://127.0.0.1:9/elsewhere",
        code_verifier=flow.code_verifier,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "redirect_uri_mismatch"


def test_refresh_gives_a_new_access_token_and_keeps_the_refresh_token(sandbox):
    token = connect()
    creds = refresh(credentials(token["refresh_token"]))
    assert creds.token.startswith("ya29.")
    assert creds.token != token["access_token"]
    assert creds.refresh_token == token["refresh_token"]
    assert creds.expiry is not None
    assert jwt.decode(creds.id_token, verify=False)["email"] == "sandbox.user@example.com"
    assert faults.calls("google", "/google/token").count() == 2


def test_refresh_with_scopes_beyond_the_grant_is_invalid_scope(sandbox):
    token = connect()
    answer = post_token(
        grant_type="refresh_token",
        refresh_token=token["refresh_token"],
        scope="https://www.googleapis.com/auth/drive",
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_scope"


def test_revoke_ends_the_grant(sandbox):
    token = connect()
    revoked = requests.post(
        settings.GOOGLE_REVOKE_URI, data={"token": token["access_token"]}, timeout=10
    )
    assert revoked.status_code == 200
    assert revoked.json() == {}
    with pytest.raises(RefreshError, match="invalid_grant") as raised:
        refresh(credentials(token["refresh_token"]))
    assert "Token has been expired or revoked." in str(raised.value)

    again = requests.post(
        settings.GOOGLE_REVOKE_URI, params={"token": token["refresh_token"]}, timeout=10
    )
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_token"


def test_rotation_setting_replaces_the_refresh_token(sandbox, settings):
    settings.SANDBOX_GOOGLE_ROTATE_REFRESH_TOKENS = True
    old = connect()["refresh_token"]
    creds = refresh(credentials(old))
    assert creds.refresh_token.startswith("1//")
    assert creds.refresh_token != old
    with pytest.raises(RefreshError, match="invalid_grant"):
        refresh(credentials(old))
    assert refresh(creds).refresh_token != old


def test_token_endpoint_checks_the_client(sandbox):
    wrong = post_token(grant_type="refresh_token", refresh_token="x", client_secret="nope")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    unknown = post_token(grant_type="refresh_token", refresh_token="x", client_id="nobody")
    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_client"

    token = connect()  # requests-oauthlib sends the client with HTTP Basic
    basic = requests.post(
        settings.GOOGLE_TOKEN_URI,
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(settings.GOOGLE_CLIENT_ID, settings.GOOGLE_CLIENT_SECRET),
        timeout=10,
    )
    assert basic.status_code == 200, basic.text
    assert "refresh_token" not in basic.json()

    unsupported = post_token(grant_type="password")
    assert unsupported.status_code == 400
    assert unsupported.json()["error"] == "unsupported_grant_type"
    assert requests.get(settings.GOOGLE_TOKEN_URI, timeout=10).status_code == 405


def test_unknown_refresh_token_is_invalid_grant(sandbox):
    answer = post_token(grant_type="refresh_token", refresh_token="1//unknown")
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    assert not GoogleGrant.objects.exists()


def test_faulted_token_answer_is_logged_with_its_status(sandbox):
    faults.inject("google", r"/google/token$", status=503)
    answer = post_token(grant_type="refresh_token", refresh_token="x")
    assert answer.status_code == 503
    assert answer.json()["error"] == "temporarily_unavailable"
    assert [call.status for call in faults.calls("google")] == [503]
