"""Invoices made by API, as a CRM bills a deal: invoice items (on a draft invoice, or pending
for the customer's next one), a draft invoice (``collection_method`` ``send_invoice`` with
``days_until_due``, or ``charge_automatically``), its update, and ``finalize``, ``send`` and
``void``; paying is ``invoices.pay``. Events invoice.created, invoice.updated,
invoice.finalized, invoice.sent, invoice.voided, invoiceitem.created.
https://docs.stripe.com/api/invoices/create, https://docs.stripe.com/api/invoiceitems,
https://docs.stripe.com/invoicing/integration"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import JsonResponse

from . import billing, invoices, store
from .api import route, stripe_api

DAY = 86400
ITEM_FIELDS = {
    "customer",
    "invoice",
    "currency",
    "description",
    "quantity",
    "unit_amount_decimal",
    "amount",
    "metadata",
}
INVOICE_FIELDS = {
    "customer",
    "collection_method",
    "days_until_due",
    "description",
    "currency",
    "metadata",
    "auto_advance",
    "pending_invoice_items_behavior",
}
UPDATABLE = {"description", "metadata", "days_until_due", "auto_advance"}


def _currency(params: dict, default: str = "usd") -> str:
    currency = str(params.get("currency") or default).lower()
    if len(currency) != 3 or not currency.isalpha():
        raise billing.invalid(f"Invalid currency: {currency}", "currency")
    return currency


def _unit_amount(params: dict) -> tuple[int, int]:
    """(unit amount, quantity) from ``unit_amount_decimal`` and ``quantity``, or ``amount``."""
    quantity = billing.integer(params.get("quantity", 1), "quantity", minimum=1)
    if "unit_amount_decimal" in params:
        try:
            unit = Decimal(str(params["unit_amount_decimal"]))
        except InvalidOperation as exc:
            raise billing.invalid("Invalid decimal", "unit_amount_decimal") from exc
        if unit < 0 or unit != unit.to_integral_value():
            raise billing.invalid("Invalid unit_amount_decimal", "unit_amount_decimal")
        return int(unit), quantity
    return billing.integer(store.required(params, "amount"), "amount"), 1


def _item_body(customer: str, invoice: dict | None, params: dict, currency: str) -> dict:
    unit, quantity = _unit_amount(params)
    at = billing.now()
    return {
        "id": store.new_id("invoiceitem"),
        "object": "invoiceitem",
        "amount": unit * quantity,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "date": at,
        "description": params.get("description") or None,
        "discountable": True,
        "discounts": [],
        "invoice": invoice["id"] if invoice else None,
        "livemode": False,
        "metadata": store.metadata({}, params.get("metadata")),
        "net_amount": unit * quantity,
        "parent": None,
        "period": {"start": at, "end": at},
        "pricing": {"type": "price_details", "unit_amount_decimal": str(unit)},
        "proration": False,
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "tax_rates": [],
        "test_clock": None,
    }


def _line(invoice: dict, item: dict) -> dict:
    return {
        "id": store.new_id("line_item"),
        "object": "line_item",
        "amount": item["amount"],
        "currency": item["currency"],
        "description": item["description"],
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice": invoice["id"],
        "livemode": False,
        "metadata": item["metadata"],
        "parent": {
            "type": "invoice_item_details",
            "invoice_item_details": {
                "invoice_item": item["id"],
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": None,
            },
            "subscription_item_details": None,
        },
        "period": item["period"],
        "pretax_credit_amounts": [],
        "pricing": {
            "type": "price_details",
            "price_details": None,
            "unit_amount_decimal": item["pricing"]["unit_amount_decimal"],
        },
        "quantity": item["quantity"],
        "quantity_decimal": item["quantity_decimal"],
        "subscription": None,
        "subtotal": item["amount"],
        "taxes": [],
    }


def _add_line(account, invoice_row, item: dict) -> None:
    before = copy.deepcopy(invoice_row.data)
    if before["status"] != "draft":
        raise billing.invalid(
            "You can only add invoice items to draft invoices.",
            "invoice",
            code="invoice_not_editable",
        )
    if before["currency"] != item["currency"]:
        raise billing.invalid("The item's currency is not the invoice's.", "currency")
    invoice = copy.deepcopy(before)
    invoice["lines"]["data"].append(_line(invoice, item))
    invoices.totals(invoice)
    billing.save(invoice_row, invoice)
    billing.announce(account, "invoice.updated", invoice, before)


# Invoice items -------------------------------------------------------------------------------


@stripe_api
def create_item(request, account, params):
    store.refuse_unknown(params, ITEM_FIELDS)
    customer = billing.row_of(account, "customer", store.required(params, "customer"))
    with transaction.atomic():
        invoice_row = None
        if params.get("invoice"):
            invoice_row = billing.row_of(account, "invoice", params["invoice"], lock=True)
        default = invoice_row.data["currency"] if invoice_row else "usd"
        item = _item_body(
            customer.object_id,
            invoice_row.data if invoice_row else None,
            params,
            _currency(params, default),
        )
        billing.create(account, "invoiceitem", item)
        billing.announce(account, "invoiceitem.created", item)
        if invoice_row is not None:
            _add_line(account, invoice_row, item)
    return JsonResponse(item)


@stripe_api
def list_items(request, account, params):
    rows = store.live(account, "invoiceitem")
    for name in ("customer", "invoice"):
        if name in params:
            rows = rows.filter(**{f"data__{name}": params.pop(name)})
    store.refuse_unknown(params, {"limit", "starting_after", "ending_before"})
    return JsonResponse(store.page(rows, params, "/v1/invoiceitems"))


@stripe_api
def get_item(request, account, params, object_id):
    return JsonResponse(billing.row_of(account, "invoiceitem", object_id).data)


# Invoices ------------------------------------------------------------------------------------


def _days(params: dict, method: str) -> int | None:
    if method == "send_invoice":
        return billing.integer(store.required(params, "days_until_due"), "days_until_due", 1)
    if "days_until_due" in params:
        raise billing.invalid(
            "days_until_due is only for invoices sent (collection_method send_invoice).",
            "days_until_due",
        )
    return None


@stripe_api
def create_invoice(request, account, params):
    store.refuse_unknown(params, INVOICE_FIELDS)
    customer = billing.row_of(account, "customer", store.required(params, "customer")).data
    method = params.get("collection_method", "charge_automatically")
    if method not in ("send_invoice", "charge_automatically"):
        raise billing.invalid(f"Invalid collection_method: {method}", "collection_method")
    behavior = params.get("pending_invoice_items_behavior", "exclude")
    if behavior not in ("include", "exclude"):
        raise billing.invalid(
            "Invalid pending_invoice_items_behavior", "pending_invoice_items_behavior"
        )
    invoice = invoices.new_invoice(account, customer, reason="manual", subscription=None)
    days = _days(params, method)
    invoice.update(
        collection_method=method,
        currency=_currency(params),
        description=params.get("description") or None,
        metadata=store.metadata({}, params.get("metadata")),
        due_date=invoice["created"] + days * DAY if days else None,
        _days_until_due=days,
    )
    if "auto_advance" in params:
        invoice["auto_advance"] = billing.flag(params["auto_advance"], "auto_advance")
    with transaction.atomic():
        if behavior == "include":
            pending = store.live(account, "invoiceitem").filter(
                data__customer=customer["id"],
                data__invoice=None,
                data__currency=invoice["currency"],
            )
            for row in pending.select_for_update():
                row.data = {**row.data, "invoice": invoice["id"]}
                row.save(update_fields=["data"])
                invoice["lines"]["data"].append(_line(invoice, row.data))
            invoices.totals(invoice)
        billing.create(account, "invoice", invoice)
        billing.announce(account, "invoice.created", invoice)
    return JsonResponse(billing.public(invoice))


@stripe_api
def update_invoice(request, account, params, object_id):
    store.refuse_unknown(params, UPDATABLE)
    with transaction.atomic():
        row = billing.row_of(account, "invoice", object_id, lock=True)
        before = row.data
        if set(params) - {"metadata", "expand"} and before["status"] != "draft":
            raise billing.invalid(
                "Only a draft invoice's fields other than metadata can change.",
                code="invoice_not_editable",
            )
        invoice = copy.deepcopy(before)
        invoice["metadata"] = store.metadata(invoice["metadata"], params.get("metadata"))
        if "description" in params:
            invoice["description"] = params["description"] or None
        if "days_until_due" in params:
            days = _days(params, invoice["collection_method"])
            invoice.update(_days_until_due=days, due_date=invoice["created"] + days * DAY)
        if "auto_advance" in params:
            invoice["auto_advance"] = billing.flag(params["auto_advance"], "auto_advance")
        billing.save(row, invoice)
        billing.announce(account, "invoice.updated", invoice, before)
    return JsonResponse(billing.public(invoice))


def _transition(account, object_id: str, allowed: str, change) -> dict:
    """Apply ``change(invoice)`` (it returns the event to record) to an invoice in status
    ``allowed``, under its row's lock."""
    with transaction.atomic():
        row = billing.row_of(account, "invoice", object_id, lock=True)
        if row.data["status"] != allowed:
            raise billing.invalid(
                f"This invoice is {row.data['status']}; it must be {allowed}.",
                code="invoice_not_editable" if allowed == "draft" else "",
            )
        before = copy.deepcopy(row.data)
        invoice = copy.deepcopy(row.data)
        kind = change(invoice)
        billing.save(row, invoice)
        billing.announce(account, kind, invoice, before)
    return billing.public(invoice)


def _finalize(account):
    def change(invoice: dict) -> str:
        invoices.finalize(account, invoice)
        if invoice.get("_days_until_due"):
            invoice["due_date"] = billing.now() + invoice["_days_until_due"] * DAY
        if invoice["amount_due"] == 0:
            invoices.mark_paid(invoice)
        return "invoice.finalized"

    return change


def _sent(invoice: dict) -> str:
    if invoice["collection_method"] != "send_invoice":
        raise billing.invalid("Only invoices with collection_method send_invoice are sent.")
    return "invoice.sent"


def _voided(invoice: dict) -> str:
    invoice.update(status="void", amount_remaining=0)
    invoice["status_transitions"] = {**invoice["status_transitions"], "voided_at": billing.now()}
    return "invoice.voided"


@stripe_api
def finalize_invoice(request, account, params, object_id):
    store.refuse_unknown(params, {"auto_advance"})
    return JsonResponse(_transition(account, object_id, "draft", _finalize(account)))


@stripe_api
def send_invoice(request, account, params, object_id):
    return JsonResponse(_transition(account, object_id, "open", _sent))


@stripe_api
def void_invoice(request, account, params, object_id):
    return JsonResponse(_transition(account, object_id, "open", _voided))


items = route(GET=list_items, POST=create_item)
item = route(GET=get_item)
invoices_route = route(GET=invoices.list_invoices, POST=create_invoice)
invoice_route = route(GET=invoices.get_invoice, POST=update_invoice)
finalize = route(POST=finalize_invoice)
send = route(POST=send_invoice)
void = route(POST=void_invoice)
