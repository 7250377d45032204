"""Clianta's billing through the stripe SDK against the sandbox's Stripe: Checkout to active
(the plan changes only when the signed webhook says so), renewal, a failed payment to past_due
(the plan kept for the grace period, a banner) to canceled (Free) and back, paying the open
invoice, the portal, and events that arrive out of order and twice."""

import json

import pytest
import requests
from django.test import Client

from billing.models import BillingAccount
from clianta.models import Workspace
from integrations.models import WebhookDelivery
from integrations.providers.stripe.client import platform
from sandbox.stripe.store import signature
from tests.conftest import wait_for
from tests.otp import log_in_staff

from .flow import billing_of, checkout, control, pay_on_the_page, plan_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings, stripe_platform):
    """The sandbox's pages are served over plain http by the live server."""
    settings.CSRF_COOKIE_SECURE = False


def subscribe(api, workspace, plan="pro") -> BillingAccount:
    session = checkout(api, workspace, plan)
    assert pay_on_the_page(session["url"]).status_code == 302
    wait_for(lambda: plan_of(workspace) == plan)
    return billing_of(workspace)


def test_checkout_makes_the_workspace_pro_once_the_worker_has_stripes_word(
    sandbox, api_a, workspace_a
):
    session = checkout(api_a, workspace_a)
    assert session["url"].startswith(f"{sandbox.url}/stripe/checkout/")
    assert plan_of(workspace_a) == "free"  # nothing changes before Stripe says so

    paid = pay_on_the_page(session["url"])

    assert paid.status_code == 302
    back = paid.headers["Location"]
    assert "/settings/integrations?workspace=" in back and session["id"] in back
    wait_for(lambda: plan_of(workspace_a) == "pro")
    billing = api_a.get(f"/api/workspaces/{workspace_a.pk}/billing").json()
    assert (billing["plan"]["slug"], billing["status"]) == ("pro", "active")
    assert billing["current_period_end"] and billing["usage"]["members"]["used"] == 1
    assert [invoice["status"] for invoice in billing["invoices"]] == ["paid"]
    customers = platform().v1.customers.list().data
    assert [c.metadata["workspace_id"] for c in customers] == [str(workspace_a.pk)]
    again = api_a.post(f"/api/workspaces/{workspace_a.pk}/billing/checkout", {"plan": "business"})
    assert (again.status_code, again.json()["code"]) == (409, "already_subscribed")


def test_renewal_a_failed_payment_the_grace_period_cancellation_and_back(
    sandbox, api_a, alice, workspace_a
):
    held = subscribe(api_a, workspace_a)
    first_end = held.current_period_end

    control(sandbox, held.subscription_id, "renew", outcome="paid")
    held = wait_for(lambda: (b := billing_of(workspace_a)).current_period_end > first_end and b)
    assert held.status == "active"
    wait_for(lambda: held.invoices.filter(status="paid").count() == 2)

    control(sandbox, held.subscription_id, "renew", outcome="failed")
    held = wait_for(lambda: (b := billing_of(workspace_a)).status == "past_due" and b)
    workspace = Workspace.objects.get(pk=workspace_a.pk)
    assert (held.status, workspace.plan) == ("past_due", "pro")
    assert workspace.plan_grace_until is not None
    browser = Client()
    browser.force_login(alice)
    page = browser.get(f"/settings/integrations?workspace={workspace_a.pk}").content.decode()
    assert "The last payment for the Pro plan failed" in page

    control(sandbox, held.subscription_id, "give_up", status="canceled")
    wait_for(lambda: billing_of(workspace_a).status == "canceled")
    assert plan_of(workspace_a) == "free"

    subscribe(api_a, workspace_a, "business")
    assert plan_of(workspace_a) == "business"
    assert Workspace.objects.get(pk=workspace_a.pk).plan_grace_until is None


def test_paying_the_open_invoice_ends_past_due(sandbox, api_a, workspace_a):
    held = subscribe(api_a, workspace_a)
    control(sandbox, held.subscription_id, "renew", outcome="failed")
    wait_for(lambda: billing_of(workspace_a).status == "past_due")

    (open_invoice,) = platform().v1.invoices.list({"status": "open"}).data
    platform().v1.invoices.pay(open_invoice.id)

    wait_for(lambda: billing_of(workspace_a).status == "active")
    assert plan_of(workspace_a) == "pro"
    assert Workspace.objects.get(pk=workspace_a.pk).plan_grace_until is None


def test_the_portal_changes_the_plan(sandbox, api_a, workspace_a):
    subscribe(api_a, workspace_a)
    portal = api_a.post(f"/api/workspaces/{workspace_a.pk}/billing/portal")
    assert portal.status_code == 200
    shown = requests.get(portal.json()["url"], timeout=10)
    assert shown.status_code == 200 and "Clianta Pro" in shown.text


def test_events_out_of_order_and_twice_end_in_stripes_state(
    sandbox, client, api_a, workspace_a, settings
):
    # Nothing is delivered by itself: the events are sent below, in the worst order.
    stripe = platform()
    for endpoint in stripe.v1.webhook_endpoints.list().data:
        stripe.v1.webhook_endpoints.delete(endpoint.id)
    session = checkout(api_a, workspace_a)
    pay_on_the_page(session["url"])
    subscription = stripe.v1.subscriptions.list().data[0]
    control(sandbox, subscription.id, "renew", outcome="failed")
    (open_invoice,) = stripe.v1.invoices.list({"status": "open"}).data
    stripe.v1.invoices.pay(open_invoice.id)
    events = requests.get(  # newest first, as Stripe sent them
        f"{sandbox.url}/stripe/v1/events?limit=100",
        headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
        timeout=10,
    ).json()["data"]

    secret = settings.STRIPE_WEBHOOK_SECRETS[0]
    for event in [*reversed(events[: len(events) // 2]), *events, *events[len(events) // 2 :]]:
        payload = json.dumps(event)
        answer = client.post(
            "/api/webhooks/stripe",
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature(secret, payload),
        )
        assert answer.status_code == 200

    held = wait_for(
        lambda: (b := billing_of(workspace_a)).status == "active" and b.invoices.count() == 2 and b
    )
    assert plan_of(workspace_a) == "pro"
    assert held.subscription_id == subscription.id
    assert held.invoices.count() == 2 and not held.invoices.exclude(status="paid").exists()
    assert WebhookDelivery.objects.filter(provider="stripe_billing").count() == len(events)


def test_staff_resync_a_workspace_from_stripe_in_the_admin(sandbox, api_a, workspace_a, make_user):
    held = subscribe(api_a, workspace_a)
    BillingAccount.objects.filter(pk=held.pk).update(status="", subscription_id="")
    staff = Client()
    log_in_staff(staff, make_user("staff", is_staff=True, is_superuser=True))

    page = staff.post(
        "/admin/billing/billingaccount/",
        {"action": "resync", "_selected_action": [str(held.pk)]},
        follow=True,
    )

    assert "synced from Stripe" in page.content.decode()
    held.refresh_from_db()
    assert (held.status, held.subscription_id.startswith("sub_")) == ("active", True)
    detail = staff.get(f"/admin/billing/billingaccount/{held.pk}/change/").content.decode()
    assert held.customer_id in detail and "paid" in detail  # its invoices inline
