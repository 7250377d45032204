"""The generic OAuth connect flow against the sandbox's Google OAuth server (O1-O3)."""

import base64
import hashlib
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from integrations.models import IntegrationCredential, OAuthState
from sandbox import faults
from tests.integrations.oauth_helpers import consent, finish, query, start, token_calls

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(client, alice, sandbox):
    client.force_login(alice)
    return client


def test_allow_stores_the_grant_encrypted_and_lands_on_the_settings_page(browser, workspace_a):
    callback = consent(start(browser, workspace_a))
    response = finish(browser, callback)

    assert response.status_code == 302
    assert response["Location"] == "/settings/integrations?provider=gmail&success=true"
    credential = IntegrationCredential.objects.get()
    assert (credential.workspace, credential.provider) == (workspace_a, "gmail")
    assert credential.account == "alice@example.com"
    assert credential.access_token.startswith("ya29.")
    assert credential.refresh_token.startswith("1//")
    assert credential.expires_at > timezone.now()
    assert "https://www.googleapis.com/auth/gmail.modify" in credential.scopes
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integrations_integrationcredential")
        stored = cursor.fetchone()
    assert all(value.startswith("v1$") for value in stored)
    assert credential.access_token not in stored[0]


def test_pkce_s256_challenge_and_its_verifier_go_with_the_flow(browser, workspace_a):
    """O2: the authorize URL carries an S256 challenge; the verifier kept server-side with the
    state matches it, and the sandbox (which checks PKCE) accepts the exchange."""
    authorize = start(browser, workspace_a)
    params = query(authorize)
    assert params["code_challenge_method"] == "S256"
    verifier = OAuthState.objects.get(state=params["state"]).code_verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert params["access_type"] == "offline"
    finish(browser, consent(authorize))
    assert IntegrationCredential.objects.count() == 1


def test_the_redirect_uri_comes_from_configuration_not_the_host_header(
    browser, workspace_a, settings
):
    """O3."""
    settings.ALLOWED_HOSTS = ["*"]
    authorize = start(browser, workspace_a, HTTP_HOST="attacker.example")
    assert (
        query(authorize)["redirect_uri"] == f"{settings.PUBLIC_URL}/api/integrations/gmail/callback"
    )


def assert_refused(response):
    assert response.status_code == 400
    assert "could not be completed" in response.content.decode()
    assert not IntegrationCredential.objects.exists()


def test_a_callback_without_a_valid_state_is_refused_before_any_token_request(
    browser, workspace_a, alice
):
    """O1: missing, wrong, another session's, expired and reused states answer 400; no token
    request is made and nothing is stored."""
    callback = consent(start(browser, workspace_a))
    params = query(callback)
    path = "/api/integrations/gmail/callback"
    before = token_calls()

    assert_refused(browser.get(path, {"code": params["code"]}))
    assert_refused(browser.get(path, {"code": params["code"], "state": "forged"}))
    other_session = Client()
    other_session.force_login(alice)
    assert_refused(finish(other_session, callback))
    assert_refused(browser.get("/api/integrations/google_calendar/callback", params))
    assert token_calls() == before

    OAuthState.objects.filter(state=params["state"]).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    assert_refused(finish(browser, callback))
    assert token_calls() == before

    fresh = consent(start(browser, workspace_a))
    assert finish(browser, fresh).status_code == 302
    IntegrationCredential.objects.all().delete()
    after_first = token_calls()
    assert_refused(finish(browser, fresh))  # reused
    assert token_calls() == after_first


def test_deny_says_so_and_stores_nothing(browser, workspace_a):
    callback = consent(start(browser, workspace_a), decision="deny")
    assert query(callback)["error"] == "access_denied"
    response = finish(browser, callback)
    assert response["Location"] == "/settings/integrations?provider=gmail&error=access_denied"
    assert not IntegrationCredential.objects.exists()
    assert token_calls() == 0
    page = browser.get(response["Location"]).content.decode()
    assert "You declined the request, so nothing was connected." in page


def test_a_failed_code_exchange_stores_nothing(browser, workspace_a):
    callback = consent(start(browser, workspace_a))
    faults.inject("google", "/token$", status=500)
    response = finish(browser, callback)
    assert response["Location"] == "/settings/integrations?provider=gmail&error=exchange_failed"
    assert not IntegrationCredential.objects.exists()


def test_connecting_again_restores_a_credential_that_needs_reconnect(browser, workspace_a):
    finish(browser, consent(start(browser, workspace_a)))
    IntegrationCredential.objects.update(
        status=IntegrationCredential.Status.NEEDS_RECONNECT, sync_enabled=False, last_error="x"
    )
    finish(browser, consent(start(browser, workspace_a)))
    credential = IntegrationCredential.objects.get()
    assert credential.status == IntegrationCredential.Status.ACTIVE
    assert credential.sync_enabled and credential.last_error == ""


def test_connect_needs_a_login_and_one_of_ones_workspaces(
    client, browser, workspace_a, workspace_b
):
    anonymous = Client().get("/api/integrations/gmail/connect")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    other = browser.get("/api/integrations/gmail/connect", {"workspace": str(workspace_b.pk)})
    assert other.status_code == 404
    assert browser.get("/api/integrations/apollo/connect").status_code == 404


def test_disconnect_revokes_the_grant_at_the_provider_and_forgets_the_account(browser, workspace_a):
    finish(browser, consent(start(browser, workspace_a)))
    credential = IntegrationCredential.objects.get()
    refresh_token = credential.refresh_token
    page = browser.get("/settings/integrations")
    assert "Connected as <strong>alice@example.com</strong>" in page.content.decode()

    response = browser.post(
        f"/settings/integrations/{credential.pk}/disconnect", {"workspace": str(workspace_a.pk)}
    )
    assert response.status_code == 302
    assert not IntegrationCredential.objects.exists()
    assert faults.calls("google", "/revoke").get().status == 200
    revoked = requests.post(
        settings.GOOGLE_TOKEN_URI,
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
        },
        timeout=10,
    )
    assert revoked.json()["error"] == "invalid_grant"
    assert (
        "Gmail (alice@example.com) was disconnected."
        in browser.get(response["Location"]).content.decode()
    )


def test_the_api_lists_connected_accounts_with_their_health(
    browser, workspace_a, client_for, alice
):
    finish(browser, consent(start(browser, workspace_a)))
    listed = client_for(alice).get("/api/integrations").json()["results"]
    assert [(a["provider"], a["account"], a["health"]) for a in listed] == [
        ("gmail", "alice@example.com", "healthy")
    ]
    assert listed[0]["access_token"].startswith("****")
