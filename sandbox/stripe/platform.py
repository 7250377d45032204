"""Clianta's own Stripe account in the sandbox: the account whose secret key is
``STRIPE_SECRET_KEY``, made on its first request with a product and a monthly price for each
paid plan of ``BILLING_PLANS`` (the plan's lookup key) and the webhook endpoint Clianta's
dashboard would have: every event, to ``<PUBLIC_URL>/api/webhooks/stripe``, signed with the first of
``STRIPE_WEBHOOK_SECRETS``."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from . import catalog, deliveries, store
from .models import StripeAccount, StripeObject

#: Monthly amounts (USD cents) of the sandbox's plan prices, by plan slug; another paid plan
#: costs the last one.
AMOUNTS = {"pro": 2900, "business": 9900}
WEBHOOK_PATH = "/api/webhooks/stripe"


def platform_account() -> StripeAccount | None:
    """The platform account, made on first use; None when no STRIPE_SECRET_KEY is set."""
    key = settings.STRIPE_SECRET_KEY
    if not key:
        return None
    found = StripeAccount.objects.filter(secret_key=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            account = StripeAccount.objects.create(
                account_id=store.new_id("account"), secret_key=key
            )
            _seed(account)
    except IntegrityError:  # made by a concurrent first request
        return StripeAccount.objects.get(secret_key=key)
    return account


def _seed(account: StripeAccount) -> None:
    for slug, plan in settings.BILLING_PLANS.items():
        lookup_key = plan.get("price") or ""
        if not lookup_key or lookup_key.startswith("price_"):
            continue
        product = catalog.new_product(account, {"name": f"Clianta {plan['name']}"})
        catalog.new_price(
            account,
            {
                "currency": "usd",
                "product": product["id"],
                "unit_amount": str(AMOUNTS.get(slug, max(AMOUNTS.values()))),
                "recurring": {"interval": "month"},
                "lookup_key": lookup_key,
                "nickname": plan["name"],
            },
        )
    if settings.STRIPE_WEBHOOK_SECRETS:
        object_id = store.new_id("webhook_endpoint")
        body = store.webhook_endpoint_body(
            object_id,
            {"url": settings.PUBLIC_URL + WEBHOOK_PATH, "enabled_events": ["*"]},
        )
        body["secret"] = settings.STRIPE_WEBHOOK_SECRETS[0]
        StripeObject.objects.create(
            account=account, object_id=object_id, kind="webhook_endpoint", data=body
        )
    deliveries.add_connect_endpoint(account)
