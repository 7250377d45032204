"""Stripe: Clianta's own billing (its account, STRIPE_SECRET_KEY) and each workspace's payments
and invoices (the workspace's account, connected through Connect or with a restricted key).

``client``: the REST API through the official stripe SDK, errors mapped into the error tree;
``oauth``: Connect's OAuth for standard accounts; ``webhooks``: Stripe's signed webhooks,
verified by the SDK.
"""

from integrations.base import AuthKind, Provider

from . import client
from .oauth import StripeConnectOAuth

STRIPE_PROVIDER = Provider(
    slug="stripe",
    name="Stripe",
    workspace_wide=True,
    category="payments",
    auth=AuthKind.OAUTH2,
    endpoints=("STRIPE_API_URL", "STRIPE_CONNECT_URL"),
    scopes=("read_write",),
    oauth=StripeConnectOAuth(),
    client=client.client,
    sync_task="payments.sync_credential",
    sync_schedule="payments.sync_all",
    required_settings=(
        "STRIPE_SECRET_KEY",
        "STRIPE_CONNECT_CLIENT_ID",
        "STRIPE_WEBHOOK_SECRETS",
        "STRIPE_CONNECT_WEBHOOK_SECRETS",
    ),
    console_urls=(
        ("Webhook endpoint of Clianta's account (billing)", "stripe-webhook"),
        ("Connect webhook endpoint (events of connected accounts)", "stripe-connect-webhook"),
    ),
    description="Payments, invoices and subscriptions of the workspace's Stripe account.",
)
