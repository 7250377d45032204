"""Stripe in headless Chromium, as a person does it: the owner upgrades the workspace through
Stripe Checkout from the settings page, comes back to see the Pro plan there once the worker
has Stripe's word, and opens the billing portal; then connects the workspace's own Stripe account
through Connect and, once it is synced, sees a contact's payments. Screenshots in
test-artifacts/ (stripe-*.png)."""

import pytest

from clianta.models import Contact, Workspace
from payments.models import Payment
from sandbox.stripe.models import StripeAccount
from tests.browser import api, log_in_and_open_settings, shot
from tests.conftest import wait_for
from tests.payments.conftest import api_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_upgrade_through_checkout_and_see_payments_on_a_contact(
    page, live_server, sandbox, stripe_platform, celery_worker, workspace_a
):
    settings_page = f"{live_server.url}/settings/integrations?workspace={workspace_a.pk}"
    log_in_and_open_settings(page, live_server.url)
    assert page.locator("[data-billing]").get_attribute("data-plan") == "free"
    shot(page, "stripe-1-free")

    # Upgrade: the button goes to Stripe Checkout; paying there comes back to the settings.
    page.locator("[data-upgrade=pro]").click()
    page.wait_for_url(f"{sandbox.url}/stripe/checkout/**")
    assert "29.00" in page.content()
    shot(page, "stripe-2-checkout")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/settings/integrations?workspace=*billing=success*")
    wait_for(lambda: Workspace.objects.get(pk=workspace_a.pk).plan == "pro", timeout=60)
    page.goto(settings_page)
    assert page.locator("[data-billing]").get_attribute("data-plan") == "pro"
    assert "Subscription active" in page.locator("[data-billing]").inner_text()
    shot(page, "stripe-3-pro")

    # The portal shows the subscription and leads back.
    page.get_by_role("button", name="Manage billing").click()
    page.wait_for_url(f"{sandbox.url}/stripe/portal/**")
    assert "Clianta Pro" in page.content()
    shot(page, "stripe-4-portal")

    # Connect the workspace's own Stripe account through Connect's consent page.
    page.goto(settings_page)
    page.locator("section[data-provider=stripe]").get_by_role(
        "button", name="Connect", exact=True
    ).click()
    page.wait_for_url(f"{sandbox.url}/stripe/connect/oauth/authorize**")
    shot(page, "stripe-5-connect")
    page.get_by_role("button", name="Connect").click()
    page.wait_for_url("**/settings/integrations?provider=stripe&success=true")
    shot(page, "stripe-6-connected")

    # The account's customer pays; the sync brings it to the contact with that email.
    ada = Contact.objects.create(workspace=workspace_a, email="ada@acme.example")
    account = workspace_a.payments_account.credential.account
    owner = api_for(sandbox, StripeAccount.objects.get(account_id=account).secret_key)
    customer = owner.v1.customers.create({"email": "ada@acme.example"})
    owner.v1.payment_intents.create(
        {
            "amount": 4900,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    wait_for(lambda: Payment.objects.filter(contact=ada).exists(), timeout=60)
    value = api(page, "GET", f"/api/payments/lifetime-value?contact={ada.pk}")
    assert value["status"] == 200 and value["body"]["totals"][0]["display"] == "49.00 USD"
    page.goto(f"{live_server.url}/api/contacts/{ada.pk}/timeline")
    assert "49.00 USD" in page.content()
    shot(page, "stripe-7-payments")
