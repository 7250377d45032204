"""The sandbox Stripe's invoices: the ones a subscription produces (billing_reason
``subscription_create`` at its start, ``subscription_cycle`` at each renewal), retrieve, list
(filters ``customer``, ``subscription``, ``status``) and ``POST /v1/invoices/{id}/pay``.

An invoice goes draft → open (finalized: ``number``, ``hosted_invoice_url`` to the sandbox's
page of it) → paid, with ``invoice.created``, ``invoice.finalized``, then ``invoice.paid`` and
``invoice.payment_succeeded``, or ``invoice.payment_failed`` (``attempt_count`` up,
``next_payment_attempt`` in three days, the invoice stays open). Paying the open invoice of a
past_due, unpaid or incomplete subscription makes it active again
(``customer.subscription.updated``). https://docs.stripe.com/api/invoices,
https://docs.stripe.com/invoicing/overview#invoice-lifecycle,
https://docs.stripe.com/billing/subscriptions/overview#payment-status"""

from __future__ import annotations

import copy

from django.db import transaction
from django.http import JsonResponse

from . import billing, store
from .api import route, stripe_api

RETRY_AFTER = 3 * 24 * 3600
#: Subscription statuses an invoice's payment brings back to active.
REVIVED = {"past_due", "unpaid", "incomplete"}

Events = list[tuple[str, dict, dict | None]]


def line_for_item(
    invoice_id: str, subscription: dict, item: dict, period: dict, names: dict
) -> dict:
    price = item["price"]
    name = names.get(price["product"], price["product"])
    amount = (price["unit_amount"] or 0) * item["quantity"]
    return {
        "id": store.new_id("line_item"),
        "object": "line_item",
        "amount": amount,
        "currency": price["currency"],
        "description": f"{item['quantity']} \u00d7 {name}",
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice": invoice_id,
        "livemode": False,
        "metadata": {},
        "period": dict(period),
        "quantity": item["quantity"],
        "subscription": subscription["id"],
        "pretax_credit_amounts": [],
        "taxes": [],
        "parent": {
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": subscription["id"],
                "subscription_item": item["id"],
            },
        },
        "pricing": {
            "type": "price_details",
            "price_details": {"price": price["id"], "product": price["product"]},
            "unit_amount_decimal": price["unit_amount_decimal"],
        },
        "subtotal": amount,
        "quantity_decimal": str(item["quantity"]),
    }


def new_invoice(account, customer: dict, *, reason: str, subscription: dict | None) -> dict:
    """A draft invoice of ``customer`` without lines."""
    object_id = store.new_id("invoice")
    at = billing.now()
    return {
        "id": object_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "Clianta sandbox",
        "account_tax_ids": None,
        "amount_due": 0,
        "amount_paid": 0,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": reason != "manual",
        "automatic_tax": {
            "enabled": False,
            "liability": None,
            "status": None,
            "disabled_reason": None,
            "provider": None,
        },
        "billing_reason": reason,
        "collection_method": "charge_automatically",
        "created": at,
        "currency": subscription["currency"] if subscription else "usd",
        "custom_fields": None,
        "customer": customer["id"],
        "customer_address": customer.get("address"),
        "customer_email": customer.get("email"),
        "customer_name": customer.get("name"),
        "customer_phone": customer.get("phone"),
        "customer_shipping": None,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "due_date": None,
        "effective_at": None,
        "ending_balance": None,
        "footer": None,
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/invoices/{object_id}/lines",
        },
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "on_behalf_of": None,
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": at,
        "period_start": at,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "draft",
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subscription": subscription["id"] if subscription else None,
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "test_clock": None,
        "total": 0,
        "total_discount_amounts": [],
        "total_excluding_tax": 0,
        "webhooks_delivered_at": None,
        "automatically_finalizes_at": None,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "amount_overpaid": 0,
        "parent": (
            {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(subscription["metadata"]),
                    "subscription": subscription["id"],
                },
            }
            if subscription
            else None
        ),
        "customer_account": None,
    }


def totals(invoice: dict) -> dict:
    total = sum(line["amount"] for line in invoice["lines"]["data"])
    for name in ("subtotal", "subtotal_excluding_tax", "total", "total_excluding_tax"):
        invoice[name] = total
    invoice["amount_due"] = total
    invoice["amount_remaining"] = total - invoice["amount_paid"]
    return invoice


def finalize(account, invoice: dict) -> dict:
    """Draft → open: numbered after the customer's other finalized invoices, with its page."""
    at = billing.now()
    prefix = store.live(account, "customer").filter(object_id=invoice["customer"]).first()
    prefix = prefix.data["invoice_prefix"] if prefix else "SANDBOX"
    earlier = (
        store.live(account, "invoice")
        .filter(data__customer=invoice["customer"])
        .exclude(data__number=None)
        .count()
    )
    invoice.update(
        status="open",
        number=f"{prefix}-{earlier + 1:04d}",
        effective_at=at,
        ending_balance=0,
        hosted_invoice_url=billing.page_url(f"invoice/{invoice['id']}"),
        next_payment_attempt=at if invoice["collection_method"] == "charge_automatically" else None,
    )
    invoice["status_transitions"] = {**invoice["status_transitions"], "finalized_at": at}
    return invoice


def mark_paid(invoice: dict) -> dict:
    at = billing.now()
    invoice.update(
        status="paid",
        amount_paid=invoice["amount_due"],
        amount_remaining=0,
        attempted=True,
        attempt_count=invoice["attempt_count"] + 1,
        next_payment_attempt=None,
    )
    invoice["status_transitions"] = {**invoice["status_transitions"], "paid_at": at}
    return invoice


def mark_failed(invoice: dict) -> dict:
    invoice.update(
        attempted=True,
        attempt_count=invoice["attempt_count"] + 1,
        next_payment_attempt=billing.now() + RETRY_AFTER,
    )
    return invoice


def snapshot(events: Events, kind: str, body: dict) -> None:
    events.append((kind, copy.deepcopy(body), None))


def bill(account, subscription: dict, reason: str, outcome: str) -> tuple[dict, Events]:
    """The subscription's invoice for its items' current period, finalized and then paid
    (``outcome`` "paid"), failed ("failed"), or left open ("open"); stored, its events
    returned in Stripe's order for the caller to record."""
    customer = billing.row_of(account, "customer", subscription["customer"]).data
    invoice = new_invoice(account, customer, reason=reason, subscription=subscription)
    items = subscription["items"]["data"]
    period = {"start": items[0]["current_period_start"], "end": items[0]["current_period_end"]}
    products = {item["price"]["product"] for item in items}
    names = dict(
        store.live(account, "product")
        .filter(object_id__in=products)
        .values_list("object_id", "data__name")
    )
    invoice["lines"]["data"] = [
        line_for_item(invoice["id"], subscription, item, period, names) for item in items
    ]
    invoice.update(period_start=period["start"], period_end=period["start"])
    totals(invoice)
    events: Events = []
    snapshot(events, "invoice.created", invoice)
    finalize(account, invoice)
    snapshot(events, "invoice.finalized", invoice)
    if outcome == "paid" or invoice["amount_due"] == 0:
        mark_paid(invoice)
        snapshot(events, "invoice.paid", invoice)
        snapshot(events, "invoice.payment_succeeded", invoice)
    elif outcome == "failed":
        mark_failed(invoice)
        snapshot(events, "invoice.payment_failed", invoice)
    billing.create(account, "invoice", invoice)
    return invoice, events


def record(account, events: Events) -> None:
    for kind, body, before in events:
        billing.announce(account, kind, body, before)


def pay(account, object_id: str) -> dict:
    """Pay an open (or draft: finalized first) invoice; its past_due, unpaid or incomplete
    subscription becomes active."""
    with transaction.atomic():
        row = billing.row_of(account, "invoice", object_id, lock=True)
        invoice = copy.deepcopy(row.data)
        if invoice["status"] not in ("draft", "open"):
            raise billing.invalid(
                f"Invoice is already {invoice['status']}.", code="invoice_not_open"
            )
        events: Events = []
        if invoice["status"] == "draft":
            finalize(account, invoice)
            snapshot(events, "invoice.finalized", invoice)
        mark_paid(invoice)
        snapshot(events, "invoice.paid", invoice)
        snapshot(events, "invoice.payment_succeeded", invoice)
        billing.save(row, invoice)
        record(account, events)
        if invoice["subscription"]:
            revive(account, invoice["subscription"])
    return invoice


def revive(account, subscription_id: str) -> None:
    row = store.live(account, "subscription").filter(object_id=subscription_id)
    row = row.select_for_update().first()
    if row is None or row.data["status"] not in REVIVED:
        return
    before = row.data
    billing.save(row, {**before, "status": "active"})
    billing.announce(account, "customer.subscription.updated", row.data, before)


# Views ---------------------------------------------------------------------------------------


@stripe_api
def get_invoice(request, account, params, object_id):
    found = billing.row_of(account, "invoice", object_id).data
    return JsonResponse(billing.expand(account, billing.public(found), params))


@stripe_api
def list_invoices(request, account, params):
    rows = store.live(account, "invoice")
    for name in ("customer", "subscription", "status"):
        if name in params:
            rows = rows.filter(**{f"data__{name}": params.pop(name)})
    store.refuse_unknown(params, {"limit", "starting_after", "ending_before"})
    answer = store.page(rows, params, "/v1/invoices", lambda row: billing.public(row.data))
    return JsonResponse(billing.expand(account, answer, params))


@stripe_api
def pay_invoice(request, account, params, object_id):
    store.refuse_unknown(params, {"paid_out_of_band", "payment_method", "off_session"})
    invoice = pay(account, object_id)
    return JsonResponse(billing.expand(account, billing.public(invoice), params))


invoice_pay = route(POST=pay_invoice)
