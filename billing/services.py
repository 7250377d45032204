"""Clianta's billing: checkout, the customer portal, and each workspace's plan as Stripe says.
The only place that talks to Stripe about Clianta's own subscriptions.

A subscription's state is read from Stripe itself whenever a signed webhook says it changed
(``resync``): whatever order events arrive in, and however often, the stored state ends as
Stripe's. The plan follows from it (``apply_plan``): active or trialing, the price's plan;
past_due, that plan until the grace period ends, then Free; anything else, Free.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clianta import plans
from clianta.errors import ApiError
from clianta.models import Workspace
from integrations.errors import ConfigurationError, Transient
from integrations.locks import Lock
from integrations.providers.stripe import client as stripe_client
from integrations.providers.stripe.client import moment, provider_errors

from .models import BillingAccount, Invoice

logger = logging.getLogger("billing")

PAYING = {"active", "trialing"}
#: Statuses of a subscription that still holds the workspace: a second checkout is refused.
HOLDING = PAYING | {"past_due", "unpaid", "incomplete"}
#: Which subscription of a customer counts, when it has several: the first status here.
PRECEDENCE = ("active", "trialing", "past_due", "unpaid", "incomplete", "paused")
INVOICES_KEPT = 24
SETTINGS_PAGE = "/settings/integrations"


RESYNC_LOCK = timedelta(minutes=2)


class BillingError(ApiError):
    status_code = 400

    def __init__(self, message: str, *, code: str, status: int = 400):
        super().__init__(message, code=code)
        self.status_code = status


def account(workspace_id) -> BillingAccount:
    found, _ = BillingAccount.objects.get_or_create(workspace_id=workspace_id)
    return found


# Checkout and the portal -------------------------------------------------------------------


def checkout(workspace: Workspace, plan_slug: str, email: str) -> dict:
    """A Checkout Session subscribing the workspace to a paid plan: ``{"id", "url"}``."""
    plan = plans.all_plans().get(plan_slug)
    if plan is None or not plan.price:
        paid = ", ".join(slug for slug, found in plans.all_plans().items() if found.price)
        raise BillingError(f"Choose a paid plan: {paid}.", code="invalid_plan")
    stripe = stripe_client.platform()
    held = account(workspace.pk)
    if held.status in HOLDING:
        raise BillingError(
            "The workspace already has a subscription: change its plan in the customer "
            "portal (POST .../billing/portal).",
            code="already_subscribed",
            status=409,
        )
    customer = _customer(stripe, held, workspace, email)
    back = f"{settings.PUBLIC_URL}{SETTINGS_PAGE}?workspace={workspace.pk}"
    metadata = {"workspace_id": str(workspace.pk), "plan": plan.slug}
    with provider_errors():
        session = stripe.v1.checkout.sessions.create(
            {
                "mode": "subscription",
                "customer": customer,
                "client_reference_id": str(workspace.pk),
                "line_items": [{"price": _price_id(stripe, plan), "quantity": 1}],
                "success_url": back + "&billing=success&session={CHECKOUT_SESSION_ID}",
                "cancel_url": back + "&billing=canceled",
                "metadata": metadata,
                "subscription_data": {"metadata": metadata},
            }
        )
    logger.info("billing.checkout", extra={"workspace_id": str(workspace.pk), "plan": plan.slug})
    return {"id": session.id, "url": session.url}


def portal(workspace: Workspace) -> dict:
    """A Customer Portal session for the workspace's customer: ``{"url"}``."""
    customer = account(workspace.pk).customer_id
    if not customer:
        raise BillingError(
            "The workspace has no subscription yet: start one with .../billing/checkout.",
            code="no_customer",
            status=409,
        )
    with provider_errors():
        session = stripe_client.platform().v1.billing_portal.sessions.create(
            {
                "customer": customer,
                "return_url": f"{settings.PUBLIC_URL}{SETTINGS_PAGE}?workspace={workspace.pk}",
            }
        )
    return {"url": session.url}


def _customer(stripe, held: BillingAccount, workspace: Workspace, email: str) -> str:
    """The workspace's one customer, made on its first checkout. Two first checkouts at once
    ask with the same idempotency key, so Stripe makes one customer and answers it to both."""
    if held.customer_id:
        return held.customer_id
    with provider_errors():
        customer = stripe.v1.customers.create(
            {
                "name": workspace.name[:250],
                "email": email,
                "metadata": {"workspace_id": str(workspace.pk)},
            },
            {"idempotency_key": f"clianta-workspace-customer-{workspace.pk}"},
        )
    BillingAccount.objects.filter(pk=held.pk, customer_id=None).update(customer_id=customer.id)
    return customer.id


def _price_id(stripe, plan: plans.Plan) -> str:
    if plan.price.startswith("price_"):
        return plan.price
    with provider_errors():
        found = stripe.v1.prices.list({"lookup_keys": [plan.price], "active": True}).data
    if not found:
        raise ConfigurationError(
            f"No active Stripe price has the lookup key of the {plan.name} plan ({plan.price}).",
            provider="stripe",
        )
    return found[0].id


# State from Stripe ---------------------------------------------------------------------------


class Busy(Transient):
    """Another resync of the customer is running: this one runs again shortly."""


def resync(customer_id: str) -> BillingAccount | None:
    """Read the customer's subscriptions and recent invoices from Stripe and store them; None
    for a customer that is not a workspace's. One resync of a customer at a time (Busy
    otherwise), so an older reading never lands after a newer one; Stripe is asked outside any
    database transaction."""
    held = BillingAccount.objects.filter(customer_id=customer_id).first()
    if held is None:
        return None
    lock = Lock(f"billing:resync:{customer_id}", RESYNC_LOCK)
    if not lock.acquire():
        raise Busy("Another resync of this customer is running.", provider="stripe")
    try:
        stripe = stripe_client.platform()
        with provider_errors():
            subscriptions = stripe.v1.subscriptions.list(
                {"customer": customer_id, "status": "all", "limit": 20}
            ).data
            invoices = stripe.v1.invoices.list(
                {"customer": customer_id, "limit": INVOICES_KEPT}
            ).data
        with transaction.atomic():
            held = BillingAccount.objects.select_for_update().get(pk=held.pk)
            _apply_subscription(held, _current(subscriptions))
            for invoice in invoices:
                _store_invoice(held, invoice)
            apply_plan(held)
    finally:
        lock.release()
    return held


def is_ours(customer_id: str) -> bool:
    return BillingAccount.objects.filter(customer_id=customer_id).exists()


def _current(subscriptions: list):
    def rank(subscription):
        status = subscription.status
        order = PRECEDENCE.index(status) if status in PRECEDENCE else len(PRECEDENCE)
        return (order, -subscription.created)

    return min(subscriptions, key=rank, default=None)


def _apply_subscription(held: BillingAccount, subscription) -> None:
    now = timezone.now()
    if subscription is None:
        held.subscription_id, held.price_id, held.price_lookup_key = "", "", ""
        held.status = ""
        held.current_period_end, held.cancel_at_period_end = None, False
    else:
        item = subscription["items"].data[0]
        held.subscription_id = subscription.id
        held.price_id = item.price.id
        held.price_lookup_key = item.price.lookup_key or ""
        held.status = subscription.status
        held.current_period_end = moment(item.current_period_end)
        held.cancel_at_period_end = bool(subscription.cancel_at_period_end)
    if held.status != "past_due":
        held.past_due_since = None
    elif held.past_due_since is None:
        held.past_due_since = now
    held.synced_at = now
    held.save()


def _store_invoice(held: BillingAccount, invoice) -> None:
    Invoice.objects.update_or_create(
        stripe_id=invoice.id,
        defaults={
            "account": held,
            "number": invoice.number or "",
            "status": invoice.status or "",
            "currency": invoice.currency,
            "amount_due": invoice.amount_due,
            "amount_paid": invoice.amount_paid,
            "hosted_invoice_url": invoice.hosted_invoice_url or "",
            "period_start": moment(invoice.period_start),
            "period_end": moment(invoice.period_end),
            "created_at": moment(invoice.created),
        },
    )


def apply_plan(held: BillingAccount) -> None:
    """Set the workspace's plan from its subscription's state (see the module's docstring)."""
    grace_until = None
    slug = plans.FREE
    if held.status in PAYING or held.status == "past_due":
        price = {"id": held.price_id, "lookup_key": held.price_lookup_key}
        found = [plan for plan in plans.all_plans().values() if plan.matches(price)]
        slug = found[0].slug if found else plans.FREE
    if held.status == "past_due":
        grace_until = held.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)
        if grace_until <= timezone.now():
            slug = plans.FREE
    changed = Workspace.objects.filter(pk=held.workspace_id).exclude(
        plan=slug, plan_grace_until=grace_until
    )
    if changed.update(plan=slug, plan_grace_until=grace_until):
        logger.info(
            "billing.plan_changed",
            extra={"workspace_id": str(held.workspace_id), "plan": slug, "status": held.status},
        )


def end_grace_periods() -> int:
    """Workspaces past_due beyond the grace period fall back to Free; how many did."""
    ended = timezone.now() - timedelta(days=settings.BILLING_GRACE_DAYS)
    due = BillingAccount.objects.filter(status="past_due", past_due_since__lte=ended).exclude(
        workspace__plan=plans.FREE
    )
    count = 0
    for held in due:
        apply_plan(held)
        count += 1
    return count


def notices(workspace: Workspace) -> list[str]:
    """The settings page's banner while a payment is failing."""
    if workspace.plan_grace_until is None:
        return []
    when = timezone.localtime(workspace.plan_grace_until).strftime("%-d %B %Y")
    if workspace.plan_grace_until > timezone.now():
        return [
            f"The last payment for the {plans.get(workspace.plan).name} plan failed. Update the "
            f"payment method in the billing portal before {when}, or the workspace falls back "
            "to the Free plan."
        ]
    return [
        f"The workspace is on the Free plan since {when}: its payment kept failing. Nothing "
        "was deleted; what is over the Free plan's limits is paused until the payment is made."
    ]


# What the API shows --------------------------------------------------------------------------


def summary(workspace: Workspace) -> dict:
    held = account(workspace.pk)
    workspace.refresh_from_db(fields=["plan", "plan_grace_until"])
    plan = plans.get(workspace.plan)
    return {
        "plan": {"slug": plan.slug, "name": plan.name},
        "status": held.status,
        "current_period_end": held.current_period_end,
        "cancel_at_period_end": held.cancel_at_period_end,
        "grace_until": workspace.plan_grace_until,
        "usage": plans.usage(workspace.pk),
        "plans": [
            {"slug": found.slug, "name": found.name, "limits": found.limits}
            for found in plans.all_plans().values()
        ],
        "invoices": list(held.invoices.all()[:12]),
    }
