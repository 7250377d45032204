"""The sandbox Stripe's subscriptions: create (``customer``, ``items[][price]``/``[quantity]``,
``metadata``, ``description``, ``cancel_at_period_end``, ``payment_behavior``), retrieve, update
(``items``: an item with ``id`` and ``price`` changes its price, with ``deleted`` goes away,
without ``id`` is added; ``cancel_at_period_end``; ``metadata``; ``description``), cancel
(``DELETE``) and list (``customer``, ``price``, ``status``: by default every status but
canceled, ``all`` for every one, ``ended`` for canceled).

Each subscription's ``items`` is a list object of subscription items holding the price (and the
legacy ``plan``) and, as in current API versions, ``current_period_start``/``_end``. Creating a
subscription bills its first period at once (``latest_invoice``, billing_reason
``subscription_create``): the sandbox's customers pay as if a test card were on file, so it
starts active with that invoice paid; ``payment_behavior=default_incomplete`` leaves it
incomplete with the invoice open until the invoice is paid. Price changes take effect at once
without prorations (``proration_behavior`` is accepted and ignored). Events:
``customer.subscription.created``, ``.updated`` (with ``previous_attributes``) and ``.deleted``.
https://docs.stripe.com/api/subscriptions,
https://docs.stripe.com/billing/subscriptions/overview,
https://docs.stripe.com/billing/subscriptions/change-price"""

from __future__ import annotations

import copy

from django.db import transaction
from django.http import JsonResponse

from . import billing, invoices, store
from .api import route, stripe_api

ENDED = {"canceled", "incomplete_expired"}
CREATE = {
    "customer",
    "items",
    "metadata",
    "description",
    "cancel_at_period_end",
    "payment_behavior",
    "proration_behavior",
    "off_session",
    "default_payment_method",
}
UPDATE = CREATE - {"customer"}
PAYMENT_BEHAVIORS = {
    "allow_incomplete": "paid",
    "error_if_incomplete": "paid",
    "pending_if_incomplete": "paid",
    "default_incomplete": "open",
}


def plan_of(price: dict) -> dict:
    recurring = price["recurring"]
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring["interval"],
        "interval_count": recurring["interval_count"],
        "livemode": False,
        "metadata": dict(price["metadata"]),
        "meter": None,
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": recurring["usage_type"],
    }


def recurring_price(account, price_id, param: str) -> dict:
    found = store.live(account, "price").filter(object_id=price_id).first()
    if found is None:
        raise store.StripeError(
            400,
            "invalid_request_error",
            f"No such price: '{price_id}'",
            code="resource_missing",
            param=param,
        )
    if found.data["type"] != "recurring":
        raise billing.invalid(
            f"The price specified is set to `type=one_time` but this field only accepts prices "
            f"with `type=recurring`: {price_id}",
            param,
        )
    return found.data


def new_item(subscription_id: str, price: dict, quantity: int, start: int) -> dict:
    recurring = price["recurring"]
    return {
        "id": store.new_id("subscription_item"),
        "object": "subscription_item",
        "billing_thresholds": None,
        "created": billing.now(),
        "current_period_end": billing.after(
            start, recurring["interval"], recurring["interval_count"]
        ),
        "current_period_start": start,
        "discounts": [],
        "metadata": {},
        "plan": plan_of(price),
        "price": price,
        "quantity": quantity,
        "subscription": subscription_id,
        "tax_rates": [],
    }


def items_given(params: dict) -> list[dict]:
    given = params.get("items")
    if not isinstance(given, list) or not given:
        raise store.StripeError(
            400,
            "invalid_request_error",
            "Missing required param: items.",
            code="parameter_missing",
            param="items",
        )
    if not all(isinstance(entry, dict) for entry in given):
        raise billing.invalid("Invalid array", "items")
    return given


def body_for(account, customer_id: str, lines: list[tuple[dict, int]], params: dict) -> dict:
    """A new subscription of ``customer_id`` to ``lines`` (price, quantity), starting now."""
    object_id = store.new_id("subscription")
    at = billing.now()
    currencies = {price["currency"] for price, _ in lines}
    intervals = {
        tuple(price["recurring"][k] for k in ("interval", "interval_count")) for price, _ in lines
    }
    if len(currencies) > 1 or len(intervals) > 1:
        raise billing.invalid(
            "All prices on a subscription must have the same currency and billing interval.",
            "items",
        )
    items = [new_item(object_id, price, quantity, at) for price, quantity in lines]
    return {
        "id": object_id,
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
        "billing_cycle_anchor": at,
        "billing_cycle_anchor_config": None,
        "billing_mode": {"type": "classic", "flexible": None},
        "billing_schedules": [],
        "billing_thresholds": None,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": at,
        "currency": currencies.pop(),
        "customer": customer_id,
        "customer_account": None,
        "days_until_due": None,
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": params.get("description") or None,
        "discounts": [],
        "ended_at": None,
        "invoice_settings": {
            "account_tax_ids": None,
            "custom_fields": None,
            "description": None,
            "footer": None,
            "issuer": {"type": "self"},
        },
        "items": {
            "object": "list",
            "data": items,
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={object_id}",
        },
        "latest_invoice": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": store.metadata({}, params.get("metadata")),
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": at,
        "status": "incomplete",
        "test_clock": None,
        "transfer_data": None,
        "trial_end": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": None,
    }


def start(account, customer_id: str, lines, params: dict, outcome: str = "paid"):
    """Store a subscription and its first invoice; answer both and their events (subscription
    created, then the invoice's) for the caller to record in its transaction."""
    subscription = body_for(account, customer_id, lines, params)
    if params.get("cancel_at_period_end") is not None:
        set_cancel_at_period_end(
            subscription, billing.flag(params["cancel_at_period_end"], "cancel_at_period_end")
        )
    invoice, events = invoices.bill(account, subscription, "subscription_create", outcome)
    subscription["latest_invoice"] = invoice["id"]
    subscription["status"] = "active" if invoice["status"] == "paid" else "incomplete"
    billing.create(account, "subscription", subscription)
    events.insert(0, ("customer.subscription.created", copy.deepcopy(subscription), None))
    return subscription, invoice, events


def period_end(subscription: dict) -> int:
    return subscription["items"]["data"][0]["current_period_end"]


def set_cancel_at_period_end(subscription: dict, cancel: bool) -> dict:
    subscription["cancel_at_period_end"] = cancel
    subscription["cancel_at"] = period_end(subscription) if cancel else None
    subscription["cancellation_details"] = {
        **subscription["cancellation_details"],
        "reason": "cancellation_requested" if cancel else None,
    }
    return subscription


def change_items(account, subscription: dict, given: list[dict]) -> dict:
    items = {item["id"]: item for item in subscription["items"]["data"]}
    start_at = subscription["items"]["data"][0]["current_period_start"]
    for index, entry in enumerate(given):
        store.refuse_unknown(entry, {"id", "price", "quantity", "deleted", "metadata"})
        quantity = entry.get("quantity")
        if entry.get("id"):
            item = items.get(entry["id"])
            if item is None:
                raise billing.invalid(
                    f"No such subscription item: '{entry['id']}'",
                    f"items[{index}][id]",
                    "resource_missing",
                )
            if billing.flag(entry.get("deleted", "false"), f"items[{index}][deleted]"):
                del items[entry["id"]]
                continue
            item = copy.deepcopy(item)
            if entry.get("price"):
                price = recurring_price(account, entry["price"], f"items[{index}][price]")
                item.update(price=price, plan=plan_of(price))
            if quantity is not None:
                item["quantity"] = billing.integer(quantity, f"items[{index}][quantity]", 1)
            item["metadata"] = store.metadata(item["metadata"], entry.get("metadata"))
            items[item["id"]] = item
        else:
            price = recurring_price(account, entry.get("price"), f"items[{index}][price]")
            count = billing.integer(quantity or 1, f"items[{index}][quantity]", 1)
            item = new_item(subscription["id"], price, count, start_at)
            item["current_period_end"] = period_end(subscription)
            items[item["id"]] = item
    if not items:
        raise billing.invalid("A subscription must have at least one active plan.", "items")
    subscription["items"] = {**subscription["items"], "data": list(items.values())}
    return subscription


def change(account, object_id: str, params: dict) -> dict:
    """Apply an update's params in one transaction with its ``customer.subscription.updated``
    (none when nothing changed)."""
    store.refuse_unknown(params, UPDATE)
    with transaction.atomic():
        row = billing.row_of(account, "subscription", object_id, lock=True)
        before = row.data
        subscription = copy.deepcopy(before)
        if subscription["status"] in ENDED:
            raise billing.invalid(
                "A canceled subscription can only update its cancellation_details and metadata."
            )
        if "items" in params:
            change_items(account, subscription, items_given(params))
        if "cancel_at_period_end" in params:
            set_cancel_at_period_end(
                subscription, billing.flag(params["cancel_at_period_end"], "cancel_at_period_end")
            )
        if "description" in params:
            subscription["description"] = params["description"] or None
        subscription["metadata"] = store.metadata(subscription["metadata"], params.get("metadata"))
        if subscription != before:
            billing.save(row, subscription)
            billing.announce(account, "customer.subscription.updated", subscription, before)
    return subscription


def cancel(account, object_id: str, reason: str = "cancellation_requested") -> dict:
    """End the subscription now, with ``customer.subscription.deleted``."""
    with transaction.atomic():
        row = billing.row_of(account, "subscription", object_id, lock=True)
        subscription = copy.deepcopy(row.data)
        if subscription["status"] in ENDED:
            raise billing.invalid(f"The subscription {object_id} has already been canceled.")
        at = billing.now()
        subscription.update(status="canceled", canceled_at=at, ended_at=at)
        subscription["cancellation_details"] = {
            **subscription["cancellation_details"],
            "reason": reason,
        }
        billing.save(row, subscription)
        billing.announce(account, "customer.subscription.deleted", subscription)
    return subscription


# Views ---------------------------------------------------------------------------------------


def _answer(account, body: dict, params: dict) -> JsonResponse:
    return JsonResponse(billing.expand(account, billing.public(body), params))


@stripe_api
def create_subscription(request, account, params):
    store.refuse_unknown(params, CREATE)
    customer = store.find(account, "customer", store.required(params, "customer")).object_id
    lines = []
    for index, entry in enumerate(items_given(params)):
        store.refuse_unknown(entry, {"price", "quantity", "metadata"})
        price = recurring_price(
            account, store.required(entry, "price") and entry["price"], f"items[{index}][price]"
        )
        quantity = billing.integer(entry.get("quantity", 1), f"items[{index}][quantity]", 1)
        lines.append((price, quantity))
    behavior = params.get("payment_behavior", "allow_incomplete")
    if behavior not in PAYMENT_BEHAVIORS:
        raise billing.invalid(f"Invalid payment_behavior: {behavior}", "payment_behavior")
    with transaction.atomic():
        subscription, _invoice, events = start(
            account, customer, lines, params, PAYMENT_BEHAVIORS[behavior]
        )
        invoices.record(account, events)
    return _answer(account, subscription, params)


@stripe_api
def get_subscription(request, account, params, object_id):
    return _answer(account, billing.row_of(account, "subscription", object_id).data, params)


@stripe_api
def update_subscription(request, account, params, object_id):
    expand = {"expand": params.pop("expand", [])}
    return _answer(account, change(account, object_id, params), expand)


@stripe_api
def cancel_subscription(request, account, params, object_id):
    store.refuse_unknown(params, {"invoice_now", "prorate", "cancellation_details"})
    return _answer(account, cancel(account, object_id), params)


@stripe_api
def list_subscriptions(request, account, params):
    rows = store.live(account, "subscription")
    if "customer" in params:
        rows = rows.filter(data__customer=params.pop("customer"))
    if "price" in params:
        rows = rows.filter(data__items__data__contains=[{"price": {"id": params.pop("price")}}])
    status = params.pop("status", None)
    if status is None:
        rows = rows.exclude(data__status="canceled")
    elif status == "ended":
        rows = rows.filter(data__status__in=sorted(ENDED))
    elif status != "all":
        rows = rows.filter(data__status=status)
    store.refuse_unknown(params, {"limit", "starting_after", "ending_before"})
    answer = store.page(rows, params, "/v1/subscriptions", lambda row: billing.public(row.data))
    return JsonResponse(billing.expand(account, answer, params))


subscriptions = route(GET=list_subscriptions, POST=create_subscription)
subscription = route(GET=get_subscription, POST=update_subscription, DELETE=cancel_subscription)
