"""Connecting Outlook through the framework's connect and callback views, with msal against the
sandbox's identity platform over https."""

import json
import socket

import msal
import pytest
from django.db import connection

from email_accounts.models import EmailAccount
from integrations.models import IntegrationCredential, OAuthState
from sandbox import faults
from sandbox.microsoft.models import MicrosoftGrant
from tests.email_accounts.outlook.helpers import EMAIL, cached_refresh_token, connect
from tests.integrations.oauth_helpers import confirm, query, start

pytestmark = pytest.mark.django_db(transaction=True)


def test_connect_stores_msal_cache_encrypted_and_creates_the_mailbox(browser, workspace_a):
    response = connect(browser, workspace_a)

    assert response["Location"] == "/settings/integrations?provider=outlook&success=true"
    credential = IntegrationCredential.objects.get()
    assert (credential.provider, credential.account) == ("outlook", EMAIL)
    grant = MicrosoftGrant.objects.get()
    assert credential.access_token == grant.access_token
    assert cached_refresh_token(credential) == grant.refresh_token
    cache = msal.SerializableTokenCache()
    cache.deserialize(credential.refresh_token)
    assert [a["username"] for a in cache.search(msal.TokenCache.CredentialType.ACCOUNT)] == [EMAIL]
    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token, access_token FROM integrations_integrationcredential")
        stored = cursor.fetchone()
    assert all(value.startswith("v1$") for value in stored)
    assert grant.refresh_token not in stored[0]
    assert EmailAccount.objects.get().email == EMAIL


def test_the_framework_state_goes_to_msal_and_its_flow_stays_server_side(browser, workspace_a):
    """O2: msal's PKCE (S256) and nonce ride with the framework's state; the flow is kept
    encrypted with the state row, and the sandbox checks both on the code exchange."""
    params = query(start(browser, workspace_a, slug="outlook"))
    assert params["code_challenge_method"] == "S256"
    flow = json.loads(OAuthState.objects.get(state=params["state"]).code_verifier)
    assert flow["state"] == params["state"]
    assert params["nonce"] and params["code_challenge"]


def test_a_callback_with_another_state_makes_no_token_request(browser, workspace_a):
    """O1 for Outlook: msal never sees a callback whose state the framework did not issue."""
    start(browser, workspace_a, slug="outlook")
    faults.clear_calls()
    response = browser.get("/api/integrations/outlook/callback", {"code": "x", "state": "forged"})
    assert response.status_code == 400
    assert faults.calls("microsoft", "/token").count() == 0
    assert not IntegrationCredential.objects.exists()


def test_a_refused_code_exchange_stores_nothing(browser, workspace_a):
    faults.inject("microsoft", r"/oauth2/v2.0/token$", status=400)
    response = connect(browser, workspace_a)
    assert response["Location"].endswith("error=exchange_failed")
    assert not IntegrationCredential.objects.exists()


def test_an_unreachable_authority_is_a_clear_result_not_a_500(browser, workspace_a, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.MICROSOFT_AUTHORITY = f"https://127.0.0.1:{closed_port}/common"

    response = confirm(browser, workspace_a, "outlook")

    assert response.status_code == 302
    assert response["Location"].endswith("provider=outlook&error=provider_unavailable")
    assert not OAuthState.objects.exists()
