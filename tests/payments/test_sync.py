"""The sync of a workspace's Stripe account: the backfill lists every kind, then the Events API
brings what changed, oldest first, from the cursor kept with the data. Customers are linked to
the contact with their email and the company of their email's domain; amounts keep their minor
units and show right in zero- and three-decimal currencies; changes seen as they happen (not
the backfill) raise CRM events."""

import pytest
import stripe

from clianta.models import Company, Contact, CrmEvent
from integrations.models import SyncLog
from payments import services
from payments.models import Customer, Payment, PaymentsAccount

pytestmark = pytest.mark.django_db(transaction=True)
VISA = {"payment_method": "pm_card_visa", "confirm": True}


def sync(workspace) -> SyncLog:
    log = services.sync_payments(PaymentsAccount.objects.get(workspace=workspace))
    assert log.status == SyncLog.Status.SUCCESS, log.error
    return log


def pay(api, amount, currency="usd", customer=None, method="pm_card_visa"):
    params = {"amount": amount, "currency": currency, "payment_method": method, "confirm": True}
    if customer:
        params["customer"] = customer
    return api.v1.payment_intents.create(params)


def test_the_backfill_links_customers_and_keeps_minor_units(
    connected, stripe_account, workspace_a, api_a
):
    ada = Contact.objects.create(workspace=workspace_a, email="ada@acme.example", first_name="Ada")
    globex = Company.objects.create(workspace=workspace_a, name="Globex", domain="globex.example")
    api = stripe_account.api
    by_ada = api.v1.customers.create({"email": "ADA@acme.example", "name": "Ada L."})
    by_bob = api.v1.customers.create({"email": "bob@globex.example"})
    stranger = api.v1.customers.create({"email": "eve@nowhere.example"})
    pay(api, 1234, "usd", by_ada.id)
    pay(api, 5000, "jpy", by_bob.id)
    pay(api, 1234, "kwd", stranger.id)

    sync(workspace_a)

    customers = {c.email.lower(): c for c in Customer.objects.filter(workspace=workspace_a)}
    assert customers["ada@acme.example"].contact == ada
    assert customers["bob@globex.example"].company == globex
    assert customers["eve@nowhere.example"].contact is None
    shown = {
        p["currency"]: (p["amount"], p["amount_decimal"], p["amount_display"], p["contact"])
        for p in api_a.get("/api/payments").json()["results"]
    }
    assert shown == {
        "usd": (1234, "12.34", "12.34 USD", str(ada.pk)),
        "jpy": (5000, "5000", "5,000 JPY", None),
        "kwd": (1234, "1.234", "1.234 KWD", None),
    }
    assert not CrmEvent.objects.filter(type__startswith="payment.").exists()  # history


def test_changes_come_from_the_events_api_once_each_with_their_crm_events(
    connected, stripe_account, workspace_a
):
    ada = Contact.objects.create(workspace=workspace_a, email="ada@acme.example")
    api = stripe_account.api
    customer = api.v1.customers.create({"email": "ada@acme.example"})
    first = pay(api, 2000, customer=customer.id)
    sync(workspace_a)

    second = pay(api, 3000, customer=customer.id)
    with pytest.raises(stripe.CardError):  # the intent exists, its payment failed
        pay(api, 999, customer=customer.id, method="pm_card_chargeDeclined")
    api.v1.refunds.create({"payment_intent": first.id, "amount": 500})
    log = sync(workspace_a)

    payments = {p.stripe_id: p for p in Payment.objects.filter(workspace=workspace_a)}
    assert len(payments) == 3 and log.updated > 0
    assert payments[first.id].amount_refunded == 500
    assert payments[second.id].status == "succeeded" and payments[second.id].contact == ada
    failed = [p for p in payments.values() if p.failure_message]
    assert len(failed) == 1 and failed[0].status == "requires_payment_method"
    kinds = sorted(CrmEvent.objects.values_list("type", flat=True))
    assert kinds == ["payment.failed", "payment.succeeded"]
    succeeded = CrmEvent.objects.get(type="payment.succeeded")
    assert succeeded.data["amount"] == "30.00 USD" and succeeded.contact == ada

    again = sync(workspace_a)  # nothing new: nothing stored or announced twice
    assert Payment.objects.filter(workspace=workspace_a).count() == 3
    assert CrmEvent.objects.count() == 2 and again.updated == 0


def test_lifetime_value_is_per_currency_net_of_refunds(
    connected, stripe_account, workspace_a, api_a
):
    ada = Contact.objects.create(workspace=workspace_a, email="ada@acme.example")
    api = stripe_account.api
    customer = api.v1.customers.create({"email": "ada@acme.example"})
    kept = pay(api, 2000, customer=customer.id)
    pay(api, 500, customer=customer.id)
    pay(api, 700, "jpy", customer=customer.id)
    api.v1.refunds.create({"payment_intent": kept.id, "amount": 250})
    sync(workspace_a)

    value = api_a.get(f"/api/payments/lifetime-value?contact={ada.pk}").json()

    assert [(t["currency"], t["amount"], t["display"]) for t in value["totals"]] == [
        ("jpy", 700, "700 JPY"),
        ("usd", 2250, "22.50 USD"),
    ]
    latest = Payment.objects.order_by("-created").first()
    assert value["payments"] == 3 and value["last_payment"][
        "created"
    ] == latest.created.isoformat().replace("+00:00", "Z")
    filtered = api_a.get(f"/api/payments?contact={ada.pk}&status=succeeded").json()["results"]
    assert len(filtered) == 3


def test_another_workspaces_payments_are_not_found(connected, stripe_account, workspace_a, api_b):
    pay(stripe_account.api, 1000)
    sync(workspace_a)
    payment = Payment.objects.get()

    assert api_b.get("/api/payments").json()["results"] == []
    assert api_b.get(f"/api/payments/{payment.pk}").status_code == 404
    contact = Contact.objects.create(workspace=workspace_a, email="x@acme.example")
    assert api_b.get(f"/api/payments/lifetime-value?contact={contact.pk}").status_code == 404
