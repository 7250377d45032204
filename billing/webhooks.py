"""Stripe's events about Clianta's own customers, at ``/api/webhooks/stripe``: verified, recorded
once by event id (the outbox); each asks for a resync of its customer, which reads the
customer's state from Stripe afresh (billing.resync)."""

from __future__ import annotations

import logging

from django.db import transaction

from integrations import webhooks
from integrations.providers.stripe.webhooks import StripeSigned

from . import services, tasks

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
    if not services.is_ours(customer):
        logger.info("billing.unknown_customer", extra={"event": event.get("id"), "type": kind})
        return
    # Stripe is read by the task, after this delivery's transaction commits.
    transaction.on_commit(lambda: tasks.resync.delay(customer))
