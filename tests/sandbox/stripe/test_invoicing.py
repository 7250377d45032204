"""Invoices made by API through the stripe SDK, as a CRM bills a deal: items on a draft, the
totals from its lines, finalize (numbered, due in ``days_until_due``), send, pay, void; their
events; refusals in Stripe's shape; an idempotent retry makes nothing twice."""

import pytest
import stripe

from .billing_fixtures import *  # noqa: F403  (the billing fixtures)
from .billing_fixtures import event_types

pytestmark = pytest.mark.django_db(transaction=True)


def draft(client, customer, **params):
    return client.v1.invoices.create(
        {
            "customer": customer,
            "collection_method": "send_invoice",
            "days_until_due": 14,
            "currency": "usd",
            **params,
        }
    )


def test_a_drafted_invoice_is_billed_from_its_items_then_finalized_sent_and_paid(client):
    customer = client.v1.customers.create({"email": "ada@acme.example"}).id
    invoice = draft(client, customer, description="Pilot", metadata={"deal": "42"})
    assert (invoice.status, invoice.amount_due, invoice.number) == ("draft", 0, None)
    for description, unit, quantity in (("Setup", "100000", 1), ("Seats", "2005", 10)):
        client.v1.invoice_items.create(
            {
                "customer": customer,
                "invoice": invoice.id,
                "description": description,
                "unit_amount_decimal": unit,
                "quantity": quantity,
            }
        )

    open_ = client.v1.invoices.finalize_invoice(invoice.id)
    sent = client.v1.invoices.send_invoice(invoice.id)
    paid = client.v1.invoices.pay(invoice.id)

    assert (open_.status, open_.amount_due, open_.total) == ("open", 120050, 120050)
    assert open_.number and open_.hosted_invoice_url
    assert open_.due_date - open_.status_transitions.finalized_at == 14 * 86400
    assert [line.description for line in open_.lines.data] == ["Setup", "Seats"]
    assert sent.status == "open" and paid.status == "paid" and paid.amount_paid == 120050
    assert paid.metadata.to_dict() == {"deal": "42"}
    kinds = event_types(client)
    for kind in ("invoice.created", "invoiceitem.created", "invoice.finalized", "invoice.sent"):
        assert kind in kinds
    assert kinds.index("invoice.sent") < kinds.index("invoice.paid")


def test_a_finalized_invoice_takes_no_more_items_and_a_void_one_is_not_paid(client):
    customer = client.v1.customers.create({"email": "ada@acme.example"}).id
    invoice = draft(client, customer)
    client.v1.invoice_items.create({"customer": customer, "invoice": invoice.id, "amount": 900})
    client.v1.invoices.finalize_invoice(invoice.id)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.invoice_items.create(
            {"customer": customer, "invoice": invoice.id, "amount": 100, "currency": "usd"}
        )
    assert refused.value.code == "invoice_not_editable"
    assert client.v1.invoices.void_invoice(invoice.id).status == "void"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoices.pay(invoice.id)


def test_send_invoice_needs_days_until_due_and_unknown_params_are_refused(client):
    customer = client.v1.customers.create({"email": "ada@acme.example"}).id
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.invoices.create({"customer": customer, "collection_method": "send_invoice"})
    assert (missing.value.code, missing.value.param) == ("parameter_missing", "days_until_due")
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        draft(client, customer, colour="blue")
    assert unknown.value.code == "parameter_unknown"


def test_an_idempotent_retry_of_an_item_adds_it_once(client):
    customer = client.v1.customers.create({"email": "ada@acme.example"}).id
    invoice = draft(client, customer)
    params = {"customer": customer, "invoice": invoice.id, "amount": 700, "currency": "usd"}
    for _ in range(2):
        client.v1.invoice_items.create(params, {"idempotency_key": "deal-7-item-0"})

    assert client.v1.invoices.retrieve(invoice.id).amount_due == 700
    assert len(client.v1.invoice_items.list({"invoice": invoice.id}).data) == 1


def test_a_zero_decimal_invoice_keeps_whole_units(client):
    customer = client.v1.customers.create({"email": "ada@acme.example"}).id
    invoice = draft(client, customer, currency="jpy")
    client.v1.invoice_items.create(
        {"customer": customer, "invoice": invoice.id, "unit_amount_decimal": "15000"}
    )

    assert client.v1.invoices.finalize_invoice(invoice.id).amount_due == 15000
