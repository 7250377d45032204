"""Where an event is POSTed, and how a failed delivery is tried again.

An event goes to its account's own webhook endpoints that want it. When the account is
connected to a platform (Connect), the event carries ``"account": "acct_…"`` and goes as well to
the platform's Connect endpoints (made with ``connect=true``), never the platform's own events.
https://docs.stripe.com/connect/webhooks

A delivery answered with a non-2xx status, or not answered, is tried again, signed anew, after
each delay of :data:`RETRY_DELAYS`: Stripe retries with an exponential backoff for up to three
days in live mode; the sandbox keeps the idea on a scale of seconds.
https://docs.stripe.com/webhooks#retries
"""

from __future__ import annotations

import logging
import time

import requests
from django.conf import settings

from . import store
from .models import StripeAccount, StripeConnection, StripeObject

logger = logging.getLogger("sandbox.stripe")

#: Seconds before each further attempt of a failed delivery.
RETRY_DELAYS: tuple[float, ...] = (1, 3, 9)
CONNECT_PATH = "/api/webhooks/stripe/connect"


def _wants(endpoint: dict, kind: str) -> bool:
    return bool({"*", kind} & set(endpoint["enabled_events"]))


def targets(account: StripeAccount, kind: str) -> tuple[str | None, list[dict]]:
    """The connected account id an event of ``account`` names (None when it is not connected)
    and the endpoints (their data) it goes to."""
    own = [
        row.data
        for row in store.live(account, "webhook_endpoint")
        if not row.data.get("connect") and _wants(row.data, kind)
    ]
    platforms = list(
        StripeConnection.objects.filter(account=account, deauthorized_at=None).values_list(
            "platform", flat=True
        )
    )
    if not platforms:
        return None, own
    connect = [
        row.data
        for row in StripeObject.objects.filter(
            account__in=platforms, kind="webhook_endpoint", deleted=False
        )
        if row.data.get("connect") and _wants(row.data, kind)
    ]
    return account.account_id, own + connect


def _attempt(endpoint: dict, payload: str) -> bool:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": store.signature(endpoint["secret"], payload),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    try:
        answer = requests.post(
            endpoint["url"], data=payload.encode(), headers=headers, timeout=store.DELIVERY_TIMEOUT
        )
    except requests.RequestException as error:
        logger.warning("sandbox.stripe.delivery_failed", extra={"error": str(error)})
        return False
    return 200 <= answer.status_code < 300


def deliver(endpoints: list[dict], payload: str) -> None:
    """POST ``payload`` to each endpoint, again after each delay to those that failed."""
    pending = [endpoint for endpoint in endpoints if not _attempt(endpoint, payload)]
    for delay in RETRY_DELAYS:
        if not pending:
            return
        time.sleep(delay)
        pending = [endpoint for endpoint in pending if not _attempt(endpoint, payload)]
    for endpoint in pending:
        logger.warning("sandbox.stripe.delivery_abandoned", extra={"url": endpoint["url"]})


def add_connect_endpoint(account: StripeAccount) -> None:
    """The platform's Connect endpoint: every event of its connected accounts, to
    ``<PUBLIC_URL>/api/webhooks/stripe/connect``, signed with the first of
    ``STRIPE_CONNECT_WEBHOOK_SECRETS``."""
    if not settings.STRIPE_CONNECT_WEBHOOK_SECRETS:
        return
    object_id = store.new_id("webhook_endpoint")
    body = store.webhook_endpoint_body(
        object_id, {"url": settings.PUBLIC_URL + CONNECT_PATH, "enabled_events": ["*"]}
    )
    body.update(secret=settings.STRIPE_CONNECT_WEBHOOK_SECRETS[0], connect=True)
    StripeObject.objects.create(
        account=account, object_id=object_id, kind="webhook_endpoint", data=body
    )
