"""Connect's webhook at ``/api/webhooks/stripe/connect``: events of the workspaces' connected
Stripe accounts (each names its ``account``), verified with STRIPE_CONNECT_WEBHOOK_SECRETS and
recorded once. An event asks for a sync of its account (the Events API then brings the change,
in order, with the cursor); ``account.application.deauthorized`` marks the account's credential
to reconnect. https://docs.stripe.com/connect/webhooks"""

from __future__ import annotations

from django.db import transaction

from integrations import webhooks
from integrations.providers.stripe.webhooks import StripeSigned

from . import services, tasks

PROVIDER = "stripe"
DEAUTHORIZED = "account.application.deauthorized"


class ConnectWebhook(StripeSigned, webhooks.WebhookView):
    provider = PROVIDER
    secrets_setting = "STRIPE_CONNECT_WEBHOOK_SECRETS"

    def workspace_for(self, request, payload):
        account = services.account_of(str(payload.get("account") or ""))
        return account.workspace_id if account else None


def process(delivery_pk: str) -> str:
    return webhooks.process_delivery(delivery_pk, handle)


def handle(delivery) -> None:
    event = delivery.payload
    stripe_account = event.get("account")
    if not isinstance(stripe_account, str):
        return
    if event.get("type") == DEAUTHORIZED:
        services.deauthorized(stripe_account)
        return
    account = services.account_of(stripe_account)
    if account is not None:
        pk = str(account.pk)
        # After the delivery's transaction commits, so a failed one queues nothing.
        transaction.on_commit(lambda: tasks.sync_account.delay(pk, trigger="webhook"))
