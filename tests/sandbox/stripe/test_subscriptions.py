"""Subscriptions and their invoices in the sandbox Stripe, through the official SDK: the first
invoice paid at creation, price changes, cancellation at period end or now, list filters,
expansion, paying an open invoice, and the errors of wrong requests."""

import pytest
import stripe

from .billing_fixtures import *  # noqa: F403  (the billing fixtures)
from .billing_fixtures import event_types

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer(client):
    return client.v1.customers.create({"email": "ada@acme.example", "name": "Ada"})


def test_a_subscription_starts_active_with_its_first_invoice_paid(client, plans, customer):
    subscription = client.v1.subscriptions.create(
        {
            "customer": customer.id,
            "items": [{"price": plans.pro.id}],
            "metadata": {"workspace": "7"},
            "expand": ["latest_invoice"],
        }
    )

    assert subscription.id.startswith("sub_") and subscription.status == "active"
    (item,) = subscription["items"].data
    assert item.id.startswith("si_") and item.price.id == plans.pro.id
    assert item.current_period_end > item.current_period_start
    assert item.plan.amount == 2900 and item.quantity == 1
    invoice = subscription.latest_invoice
    assert (invoice.status, invoice.billing_reason) == ("paid", "subscription_create")
    assert (invoice.amount_due, invoice.amount_paid, invoice.amount_remaining) == (2900, 2900, 0)
    assert invoice.lines.data[0].description == "1 \u00d7 Clianta Pro"
    assert invoice.lines.data[0].period.end == item.current_period_end
    assert invoice.parent.subscription_details.subscription == subscription.id
    assert invoice.customer_email == "ada@acme.example" and invoice.number.endswith("-0001")
    assert invoice.status_transitions.paid_at and invoice.hosted_invoice_url
    assert event_types(client)[-5:] == [
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    assert client.v1.invoices.list({"subscription": subscription.id}).data[0].id == invoice.id
    again = client.v1.subscriptions.retrieve(subscription.id)
    assert again.latest_invoice == invoice.id and again.metadata.to_dict() == {"workspace": "7"}


def test_changing_the_price_and_cancelling_send_updated_and_deleted(client, plans, customer):
    subscription = client.v1.subscriptions.create(
        {"customer": customer.id, "items": [{"price": plans.pro.id}]}
    )
    item = subscription["items"].data[0]

    upgraded = client.v1.subscriptions.update(
        subscription.id,
        {
            "items": [{"id": item.id, "price": plans.business.id}],
            "proration_behavior": "none",
        },
    )
    assert [i.price.id for i in upgraded["items"].data] == [plans.business.id]
    assert upgraded["items"].data[0].id == item.id
    updated = client.v1.events.list({"type": "customer.subscription.updated"}).data[0]
    previous = updated.data.previous_attributes["items"]["data"][0]["price"]["id"]
    assert previous == plans.pro.id

    ending = client.v1.subscriptions.update(subscription.id, {"cancel_at_period_end": True})
    assert ending.cancel_at_period_end and ending.cancel_at == item.current_period_end
    assert ending.status == "active"
    assert ending.cancellation_details.reason == "cancellation_requested"

    canceled = client.v1.subscriptions.cancel(subscription.id)
    assert canceled.status == "canceled" and canceled.ended_at
    assert event_types(client)[-1] == "customer.subscription.deleted"
    assert client.v1.subscriptions.list({"customer": customer.id}).data == []
    listed = client.v1.subscriptions.list({"customer": customer.id, "status": "all"}).data
    assert [s.id for s in listed] == [subscription.id]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(subscription.id, {"cancel_at_period_end": False})


def test_lists_filter_by_customer_price_and_status(client, plans, customer):
    other = client.v1.customers.create({"email": "bo@acme.example"})
    pro = client.v1.subscriptions.create(
        {"customer": customer.id, "items": [{"price": plans.pro.id}]}
    )
    business = client.v1.subscriptions.create(
        {"customer": other.id, "items": [{"price": plans.business.id, "quantity": 3}]}
    )
    pending = client.v1.subscriptions.create(
        {
            "customer": other.id,
            "items": [{"price": plans.pro.id}],
            "payment_behavior": "default_incomplete",
        }
    )

    assert [s.id for s in client.v1.subscriptions.list({"price": plans.pro.id}).data] == [
        pending.id,
        pro.id,
    ]
    assert [s.id for s in client.v1.subscriptions.list({"status": "incomplete"}).data] == [
        pending.id
    ]
    assert {s.id for s in client.v1.subscriptions.list({"customer": other.id}).data} == {
        business.id,
        pending.id,
    }
    business_invoice = client.v1.invoices.retrieve(business.latest_invoice)
    assert business_invoice.amount_due == 29700
    open_invoices = client.v1.invoices.list({"status": "open", "expand": ["data.subscription"]})
    assert [i.subscription.id for i in open_invoices.data] == [pending.id]


def test_paying_an_open_invoice_activates_an_incomplete_subscription(client, plans, customer):
    subscription = client.v1.subscriptions.create(
        {
            "customer": customer.id,
            "items": [{"price": plans.pro.id}],
            "payment_behavior": "default_incomplete",
        }
    )
    assert subscription.status == "incomplete"
    invoice = client.v1.invoices.retrieve(subscription.latest_invoice)
    assert (invoice.status, invoice.amount_remaining, invoice.attempted) == ("open", 2900, False)

    paid = client.v1.invoices.pay(invoice.id)

    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 2900, 0)
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"
    assert event_types(client)[-3:] == [
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.invoices.pay(invoice.id)
    assert again.value.http_status == 400


def test_wrong_requests_are_refused_as_stripe_refuses_them(client, plans, customer):
    cases = [
        ({"items": [{"price": plans.pro.id}]}, "customer", "parameter_missing"),
        ({"customer": customer.id}, "items", "parameter_missing"),
        ({"customer": "cus_missing", "items": [{"price": plans.pro.id}]}, "id", None),
        ({"customer": customer.id, "items": [{"price": "price_x"}]}, "items[0][price]", None),
        (
            {"customer": customer.id, "items": [{"price": plans.setup_fee.id}]},
            "items[0][price]",
            None,
        ),
        (
            {"customer": customer.id, "items": [{"price": plans.pro.id}], "colour": "blue"},
            "colour",
            "parameter_unknown",
        ),
    ]
    for params, param, code in cases:
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.subscriptions.create(params)
        assert refused.value.param == param
        if code:
            assert refused.value.code == code
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.subscriptions.retrieve("sub_missing")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.invoices.retrieve("in_missing")
    assert missing.value.http_status == 404
