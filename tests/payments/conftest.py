"""A workspace's own Stripe account in the sandbox: an account connected to Clianta's platform,
its restricted key, and the SDK acting as that account's owner (making customers, payments)."""

from dataclasses import dataclass

import pytest
import stripe

from integrations.models import IntegrationCredential
from payments import services
from sandbox.stripe import keys, store
from sandbox.stripe.connect import connect


@dataclass
class StripeAccount:
    id: str
    key: str
    api: stripe.StripeClient


def api_for(sandbox, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        key, base_addresses={"api": f"{sandbox.url}/stripe"}, max_network_retries=0
    )


@pytest.fixture
def stripe_account(sandbox, stripe_platform) -> StripeAccount:
    account = store.create_account()
    connect(stripe_platform, account, "read_write")
    return StripeAccount(
        account.account_id, keys.restricted_key(account), api_for(sandbox, account.secret_key)
    )


@pytest.fixture
def connected(stripe_account, workspace_a, alice) -> IntegrationCredential:
    """Workspace A's Stripe account, connected with its restricted key."""
    return services.connect_key(workspace_a, alice, stripe_account.key)
