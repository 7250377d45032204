"""Refreshing an Outlook grant through msal: Microsoft rotates the refresh token and the new one
is stored each time; a dead grant means reconnect; an outage changes nothing."""

import pytest
from django.utils import timezone

from integrations.errors import AuthExpired, Transient
from integrations.models import IntegrationCredential
from integrations.oauth.tokens import access_token
from sandbox import faults
from sandbox.microsoft import tokens as sandbox_tokens
from sandbox.microsoft.models import MicrosoftGrant
from tests.email_accounts.outlook.helpers import cached_refresh_token

pytestmark = pytest.mark.django_db(transaction=True)
Status = IntegrationCredential.Status


def due(account) -> IntegrationCredential:
    """The account's credential, its access token about to expire."""
    IntegrationCredential.objects.filter(pk=account.credential_id).update(expires_at=timezone.now())
    return IntegrationCredential.objects.get(pk=account.credential_id)


def test_every_refresh_stores_the_rotated_refresh_token(outlook_account):
    first = cached_refresh_token(outlook_account.credential)

    token = access_token(due(outlook_account))

    stored = IntegrationCredential.objects.get(pk=outlook_account.credential_id)
    grant = MicrosoftGrant.objects.get()
    assert token == stored.access_token == grant.access_token
    assert cached_refresh_token(stored) == grant.refresh_token != first
    assert stored.expires_at > timezone.now()
    # The replaced refresh token is dead at Microsoft; the stored one keeps working.
    second = cached_refresh_token(stored)
    access_token(due(outlook_account))
    stored = IntegrationCredential.objects.get(pk=outlook_account.credential_id)
    assert cached_refresh_token(stored) not in (first, second)
    assert faults.calls("microsoft", "/token").filter(status=200).count() == 3


def test_a_refresh_token_used_twice_is_refused_by_the_sandbox(outlook_account):
    """The sandbox's rotation: the refresh token a refresh replaced answers invalid_grant."""
    old = cached_refresh_token(outlook_account.credential)
    access_token(due(outlook_account))
    grant = MicrosoftGrant.objects.get()
    assert sandbox_tokens.rotate(grant, old) is None


def test_a_revoked_grant_needs_reconnecting_and_is_not_retried(outlook_account):
    sandbox_tokens.revoke_grants(outlook_account.email)

    with pytest.raises(AuthExpired):
        access_token(due(outlook_account))

    stored = IntegrationCredential.objects.get(pk=outlook_account.credential_id)
    assert stored.status == Status.NEEDS_RECONNECT
    assert faults.calls("microsoft", "/token").filter(status=400).count() == 1


def test_a_token_endpoint_outage_is_transient_and_keeps_the_credential(outlook_account):
    before = outlook_account.credential.refresh_token
    faults.inject("microsoft", r"/oauth2/v2.0/token$", status=503)

    with pytest.raises(Transient):
        access_token(due(outlook_account))

    stored = IntegrationCredential.objects.get(pk=outlook_account.credential_id)
    assert (stored.status, stored.refresh_token) == (Status.ACTIVE, before)
    access_token(stored)  # the fault is gone: the same grant refreshes
    assert IntegrationCredential.objects.get(pk=stored.pk).refresh_token != before


def test_a_token_endpoint_timeout_is_transient(outlook_account, settings):
    settings.PROVIDER_TIMEOUT = 0.5
    faults.inject("microsoft", r"/oauth2/v2.0/token$", delay_ms=1500)

    with pytest.raises(Transient):
        access_token(due(outlook_account))

    assert IntegrationCredential.objects.get(pk=outlook_account.credential_id).status == "active"


def test_a_graph_401_refreshes_once_and_retries(outlook_account):
    from integrations.providers.microsoft.client import GraphClient

    sandbox_tokens.expire_access_tokens(outlook_account.email)
    client = GraphClient(outlook_account.credential)

    assert client.get("me").json()["mail"] == outlook_account.email
    assert faults.calls("microsoft", "/token").filter(status=200).count() == 2


@pytest.mark.postgres
def test_two_concurrent_refreshes_call_microsoft_once(outlook_account):
    """O4 for Outlook: the second caller waits, re-reads the row and uses the rotated grant."""
    from tests.conftest import in_parallel

    due(outlook_account)
    faults.clear_calls()

    tokens = in_parallel(
        lambda: access_token(IntegrationCredential.objects.get(pk=outlook_account.credential_id))
    )

    assert len(set(tokens)) == 1
    assert faults.calls("microsoft", "/token").count() == 1
    stored = IntegrationCredential.objects.get(pk=outlook_account.credential_id)
    assert cached_refresh_token(stored) == MicrosoftGrant.objects.get().refresh_token
