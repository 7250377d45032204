"""The sandbox Stripe's billing clock controls: a renewal paid or failed, a past_due
subscription brought back by paying its invoice, and Stripe giving up after the last retry."""

import pytest

from .billing_fixtures import *  # noqa: F403  (the billing fixtures)
from .billing_fixtures import event_types

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def subscription(client, plans):
    customer = client.v1.customers.create({"email": "ada@acme.example"})
    return client.v1.subscriptions.create(
        {"customer": customer.id, "items": [{"price": plans.pro.id}]}
    )


def test_a_paid_renewal_starts_the_next_period(client, control, subscription):
    first = subscription["items"].data[0]

    answer = control(f"subscriptions/{subscription.id}/renew", {"outcome": "paid"})

    assert answer.status_code == 200, answer.text
    renewed = client.v1.subscriptions.retrieve(subscription.id, {"expand": ["latest_invoice"]})
    item = renewed["items"].data[0]
    assert item.current_period_start == first.current_period_end
    assert item.current_period_end > item.current_period_start
    invoice = renewed.latest_invoice
    assert (invoice.billing_reason, invoice.status, invoice.amount_paid) == (
        "subscription_cycle",
        "paid",
        2900,
    )
    assert invoice.lines.data[0].period.start == item.current_period_start
    assert invoice.number.endswith("-0002") and renewed.status == "active"
    assert event_types(client)[-5:] == [
        "customer.subscription.updated",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]


def test_a_failed_renewal_makes_it_past_due_until_the_invoice_is_paid(
    client, control, subscription
):
    answer = control(f"subscriptions/{subscription.id}/renew", {"outcome": "failed"})

    invoice = answer.json()["invoice"]
    assert (invoice["status"], invoice["attempt_count"]) == ("open", 1)
    assert invoice["next_payment_attempt"] > invoice["created"]
    assert client.v1.subscriptions.retrieve(subscription.id).status == "past_due"
    assert event_types(client)[-2:] == ["invoice.payment_failed", "customer.subscription.updated"]
    failed = client.v1.events.list({"type": "invoice.payment_failed"}).data[0]
    assert failed.data.object.id == invoice["id"]

    client.v1.invoices.pay(invoice["id"])

    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"


def test_after_the_last_retry_stripe_cancels_or_leaves_it_unpaid(
    client, control, plans, subscription
):
    control(f"subscriptions/{subscription.id}/renew", {"outcome": "failed"})
    unpaid = control(f"subscriptions/{subscription.id}/give_up", {"status": "unpaid"})
    assert unpaid.json()["subscription"]["status"] == "unpaid"

    canceled = control(f"subscriptions/{subscription.id}/give_up", {"status": "canceled"})
    body = canceled.json()["subscription"]
    assert (body["status"], body["cancellation_details"]["reason"]) == (
        "canceled",
        "payment_failed",
    )
    assert event_types(client)[-1] == "customer.subscription.deleted"
    assert control(f"subscriptions/{subscription.id}/renew").status_code == 400
    assert control("subscriptions/sub_missing/renew").status_code == 404
    assert control(f"subscriptions/{subscription.id}/give_up", {"status": "x"}).status_code == 400


def test_a_renewal_of_a_subscription_set_to_end_cancels_it(client, control, subscription):
    client.v1.subscriptions.update(subscription.id, {"cancel_at_period_end": True})

    answer = control(f"subscriptions/{subscription.id}/renew").json()

    assert answer["invoice"] is None and answer["subscription"]["status"] == "canceled"
    assert event_types(client)[-1] == "customer.subscription.deleted"
