"""Connecting a workspace's Stripe account: through Stripe Connect's OAuth (the generic views),
or with a restricted key an owner or admin pastes (checked with Stripe before it is stored);
disconnecting deauthorizes Clianta at Stripe; one Stripe account serves one workspace."""

import pytest
import requests
from django.test import Client

from integrations.models import IntegrationCredential
from payments.models import PaymentsAccount
from sandbox import faults
from sandbox.stripe.models import StripeConnection
from tests.integrations.oauth_helpers import finish, start

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/integrations/stripe/key"


def test_connect_oauth_connects_the_account_and_disconnecting_deauthorizes_it(
    sandbox, alice, workspace_a, client_for
):
    browser = Client()
    browser.force_login(alice)
    consent = start(browser, workspace_a, "stripe")
    assert consent.startswith(f"{sandbox.url}/stripe/connect/oauth/authorize?")
    assert "scope=read_write" in consent and "client_id=ca_" in consent
    back = requests.post(consent, data={"decision": "allow"}, allow_redirects=False, timeout=10)
    answer = finish(browser, back.headers["Location"])

    assert answer.status_code == 302 and "success" in answer["Location"]
    credential = IntegrationCredential.objects.get(provider="stripe")
    assert credential.account.startswith("acct_") and credential.workspace == workspace_a
    assert PaymentsAccount.objects.get(workspace=workspace_a).credential == credential
    connection = StripeConnection.objects.get(account__account_id=credential.account)
    assert connection.deauthorized_at is None

    api = client_for(alice, workspace_a)
    assert api.delete(f"/api/integrations/{credential.pk}").status_code == 204

    connection.refresh_from_db()
    assert connection.deauthorized_at is not None


def test_a_restricted_key_is_checked_with_stripe_then_stored_encrypted(
    sandbox, api_a, workspace_a, stripe_account
):
    response = api_a.post(URL, {"api_key": stripe_account.key}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["account"] == stripe_account.id and body["account_name"].startswith("Sandbox")
    assert stripe_account.key not in response.content.decode()
    credential = IntegrationCredential.objects.get(provider="stripe")
    assert credential.api_key == stripe_account.key and credential.workspace == workspace_a
    assert PaymentsAccount.objects.get(workspace=workspace_a).credential == credential


@pytest.mark.parametrize(
    ("key", "status", "code"),
    [
        ("rk_test_" + "0" * 24, 400, "key_refused"),  # Stripe does not know it
        ("pk_test_" + "0" * 24, 400, "invalid"),  # a publishable key is not one
        ("rk_test_short\r\nX: y", 400, "invalid"),
    ],
)
def test_a_key_stripe_refuses_or_malformed_stores_nothing(sandbox, api_a, key, status, code):
    asked = faults.calls("stripe").count()
    response = api_a.post(URL, {"api_key": key}, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not IntegrationCredential.objects.exists() and not PaymentsAccount.objects.exists()
    if code == "invalid":
        assert faults.calls("stripe").count() == asked


def test_one_stripe_account_serves_one_workspace(
    sandbox, api_a, api_b, workspace_b, stripe_account
):
    assert api_a.post(URL, {"api_key": stripe_account.key}, format="json").status_code == 201

    response = api_b.post(URL, {"api_key": stripe_account.key}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "account_taken")
    assert not IntegrationCredential.objects.filter(workspace=workspace_b).exists()
