"""Stripe's events about Clianta's own customers, at ``/api/webhooks/stripe``: verified, recorded
once by event id (the outbox), then processed by reading the customer's state from Stripe."""

from __future__ import annotations

import logging

from integrations import webhooks
from integrations.providers.stripe.webhooks import StripeSigned

from . import services

logger = logging.getLogger("billing")

PROVIDER = "stripe_billing"
#: Events that say a customer's subscription or invoices changed.
PREFIXES = ("checkout.session.", "customer.subscription.", "invoice.")


class BillingWebhook(StripeSigned, webhooks.WebhookView):
    provider = PROVIDER
    secrets_setting = "STRIPE_WEBHOOK_SECRETS"


def process(delivery_pk: str) -> str:
    return webhooks.process_delivery(delivery_pk, handle)


def handle(delivery) -> None:
    event = delivery.payload
    kind = event.get("type") or ""
    found = (event.get("data") or {}).get("object") or {}
    customer = found.get("customer") if isinstance(found, dict) else None
    if not kind.startswith(PREFIXES) or not isinstance(customer, str):
        return
    if services.resync(customer) is None:
        logger.info("billing.unknown_customer", extra={"event": event.get("id"), "type": kind})
