"""Connect's webhook at /api/webhooks/stripe/connect: the sandbox delivers a connected account's
events signed with the Connect endpoint's secret; each is recorded once for the account's
workspace and asks for a sync, which the worker runs; a deauthorization marks the account to
reconnect, and billing a deal then answers 401 with the reconnect message."""

import json

import pytest

from clianta.models import Contact, Deal
from integrations import webhooks
from integrations.errors import RECONNECT_MESSAGE
from integrations.models import IntegrationCredential, WebhookDelivery
from integrations.providers.stripe.client import platform
from payments import services
from payments.models import Payment, PaymentsAccount
from sandbox.stripe.store import signature
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/webhooks/stripe/connect"


def test_a_connected_accounts_event_is_recorded_for_its_workspace_and_synced(
    celery_worker, connected, stripe_account, workspace_a
):
    services.sync_payments(PaymentsAccount.objects.get(workspace=workspace_a))
    intent = stripe_account.api.v1.payment_intents.create(
        {"amount": 4200, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True}
    )

    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(
            provider="stripe", event_type="payment_intent.succeeded"
        ).first()
    )
    assert delivery.workspace_id == workspace_a.pk
    assert delivery.payload["account"] == stripe_account.id
    payment = wait_for(lambda: Payment.objects.filter(stripe_id=intent.id).first())
    assert (payment.amount_display, payment.workspace_id) == ("42.00 EUR", workspace_a.pk)


def test_a_deauthorized_account_needs_reconnecting_and_billing_it_says_so(
    sandbox, connected, stripe_account, workspace_a, api_a
):
    platform().oauth.deauthorize({"stripe_user_id": stripe_account.id})
    wait_for(
        lambda: WebhookDelivery.objects.filter(
            provider="stripe", event_type="account.application.deauthorized"
        ).exists()
    )
    webhooks.process_pending("stripe")

    connected.refresh_from_db()
    assert connected.status == IntegrationCredential.Status.NEEDS_RECONNECT
    contact = Contact.objects.create(workspace=workspace_a, email="ada@acme.example")
    deal = Deal.objects.create(workspace=workspace_a, name="Pilot", amount=100, contact=contact)
    response = api_a.post(f"/api/deals/{deal.pk}/invoice", {}, format="json")
    body = response.json()
    assert (response.status_code, body["code"]) == (401, "reconnect_required")
    assert body["error"] == RECONNECT_MESSAGE


def test_a_connect_event_signed_with_another_secret_is_refused(client, settings):
    settings.STRIPE_CONNECT_WEBHOOK_SECRETS = ["whsec_connect"]
    payload = json.dumps({"id": "evt_1", "object": "event", "account": "acct_1", "type": "x"})
    forged = signature("whsec_billing", payload)

    response = client.post(
        URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=forged
    )

    assert response.status_code == 403 and not WebhookDelivery.objects.exists()
