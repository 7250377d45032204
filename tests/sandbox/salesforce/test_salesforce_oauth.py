"""The Salesforce sandbox's OAuth 2.0 web server flow over plain http with requests: the
consent page, the code exchange with PKCE, refresh, revocation, UserInfo and the identity URL;
then the session on the REST API through simple-salesforce."""

import base64
import hashlib
import hmac
import time
from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from simple_salesforce.exceptions import SalesforceExpiredSession

from sandbox import faults
from sandbox.salesforce.models import SalesforceUser
from tests.sandbox.consent import read_form, redirect_params, submit_consent

from .conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "https://app.example.com/integrations/salesforce/callback"
VERIFIER = "a-verifier-of-forty-three-characters-or-more-0123456789"


def challenge(verifier=VERIFIER):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(**params):
    query = {
        "response_type": "code",
        "client_id": settings.SALESFORCE_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "state": "st-1",
        "scope": "api refresh_token",
        "code_challenge": challenge(),
        "code_challenge_method": "S256",
        **params,
    }
    return f"{settings.SALESFORCE_LOGIN_URL}/services/oauth2/authorize?{urlencode(query)}"


def token_call(**form):
    data = {
        "client_id": settings.SALESFORCE_CLIENT_ID,
        "client_secret": settings.SALESFORCE_CLIENT_SECRET,
        **form,
    }
    return requests.post(
        f"{settings.SALESFORCE_LOGIN_URL}/services/oauth2/token", data=data, timeout=10
    )


def exchange(code, verifier=VERIFIER, **form):
    return token_call(
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
        **form,
    )


def consent(**params):
    return redirect_params(
        submit_consent(authorize_url(**params), "Allow", username="dana.scully@example.com")
    )


def test_consent_then_exchange_gives_a_session_for_the_instance(salesforce, tls_front):
    page = requests.get(authorize_url(), timeout=10)
    assert page.status_code == 200
    form = read_form(page)
    assert set(form.buttons) == {"Allow", "Deny"} and "username" in form.fields
    assert "style=" not in page.text  # the content security policy refuses inline styles

    params = consent()
    assert params["state"] == "st-1"
    answer = exchange(params["code"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    user = SalesforceUser.objects.get(username="dana.scully@example.com")
    assert body["instance_url"] == f"{tls_front.url}/salesforce"
    assert body["id"] == (f"{settings.SALESFORCE_LOGIN_URL}/id/{user.org.org_id}/{user.user_id}")
    assert body["token_type"] == "Bearer" and body["scope"] == "api refresh_token"
    assert body["access_token"].startswith(user.org.org_id[:15] + "!")
    issued = int(body["issued_at"])
    assert abs(issued - time.time() * 1000) < 60_000  # milliseconds since the epoch
    mac = hmac.new(
        settings.SALESFORCE_CLIENT_SECRET.encode(),
        (body["id"] + body["issued_at"]).encode(),
        hashlib.sha256,
    )
    assert body["signature"] == base64.b64encode(mac.digest()).decode()

    sf = client_for(tls_front, body["access_token"])
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_deny_and_a_bad_client_or_redirect(salesforce):
    denied = redirect_params(submit_consent(authorize_url(), "Deny"))
    assert denied["error"] == "access_denied" and denied["state"] == "st-1"
    assert "code" not in denied

    for bad in ({"client_id": "someone-else"}, {"redirect_uri": "not-a-url"}):
        page = requests.get(authorize_url(**bad), timeout=10, allow_redirects=False)
        assert page.status_code == 400  # an error page, never a redirect
        assert "Location" not in page.headers

    unknown_scope = requests.get(
        authorize_url(scope="api everything"), timeout=10, allow_redirects=False
    )
    assert unknown_scope.status_code == 302
    assert "error=invalid_scope" in unknown_scope.headers["Location"]


def test_a_code_needs_its_verifier_and_works_once(salesforce):
    params = consent()
    wrong = exchange(params["code"], verifier="another-verifier-" + "x" * 40)
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "invalid code verifier"}
    # The code was spent by the failed attempt.
    again = exchange(params["code"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    fresh = consent()
    bad_secret = exchange(fresh["code"], client_secret="wrong")
    assert bad_secret.status_code == 400 and bad_secret.json()["error"] == "invalid_client"
    unknown = exchange("aPrx-no-such-code")
    assert unknown.json() == {
        "error": "invalid_grant",
        "error_description": "invalid authorization code",
    }


def test_refresh_has_no_new_refresh_token_and_revocation_ends_everything(salesforce, tls_front):
    first = exchange(consent()["code"]).json()
    refreshed = token_call(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert "refresh_token" not in body
    assert body["access_token"] != first["access_token"]
    assert {"instance_url", "id", "issued_at", "signature", "scope", "token_type"} <= set(body)

    # Revoking an access token ends that session only.
    revoke_url = f"{settings.SALESFORCE_LOGIN_URL}/services/oauth2/revoke"
    assert requests.post(revoke_url, data={"token": body["access_token"]}, timeout=10).ok
    with pytest.raises(SalesforceExpiredSession):
        client_for(tls_front, body["access_token"]).query("SELECT Id FROM Account")
    sf = client_for(tls_front, first["access_token"])
    assert sf.query("SELECT Id FROM Account")["done"] is True

    # Revoking the refresh token ends it and every session issued from it.
    revoked = requests.post(revoke_url, data={"token": first["refresh_token"]}, timeout=10)
    assert revoked.status_code == 200 and revoked.text == ""
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.query("SELECT Id FROM Account")
    assert expired.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    again = token_call(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }
    unknown = requests.post(revoke_url, data={"token": "nothing-like-it"}, timeout=10)
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_token"


def test_no_refresh_token_without_its_scope(salesforce):
    body = exchange(consent(scope="api id")["code"]).json()
    assert "refresh_token" not in body and body["scope"] == "api id"


def test_userinfo_and_the_identity_url(salesforce):
    body = exchange(consent()["code"]).json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    info = requests.get(
        f"{settings.SALESFORCE_LOGIN_URL}/services/oauth2/userinfo", headers=headers, timeout=10
    )
    assert info.status_code == 200
    claims = info.json()
    user = SalesforceUser.objects.get(username="dana.scully@example.com")
    assert claims["sub"] == body["id"]
    assert claims["user_id"] == user.user_id and claims["organization_id"] == user.org.org_id
    assert claims["preferred_username"] == claims["email"] == "dana.scully@example.com"
    assert claims["name"] == "Dana Scully"
    assert claims["urls"]["rest"].startswith(body["instance_url"])

    identity = requests.get(body["id"], headers=headers, timeout=10)
    assert identity.status_code == 200 and identity.json()["username"] == user.username

    refused = requests.get(
        f"{settings.SALESFORCE_LOGIN_URL}/services/oauth2/userinfo",
        headers={"Authorization": "Bearer nope"},
        timeout=10,
    )
    assert (refused.status_code, refused.text) == (403, "Bad_OAuth_Token")


def test_a_fault_on_the_token_endpoint_answers_salesforce_s_oauth_error(salesforce):
    faults.inject("salesforce", r"/oauth2/token$", status=503)
    answer = token_call(grant_type="refresh_token", refresh_token="whatever")
    assert answer.status_code == 503
    assert answer.json() == {"error": "unknown_error", "error_description": "retry your request"}
