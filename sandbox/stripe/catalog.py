"""The sandbox Stripe's catalogue: products and their prices, one-time or recurring, as
Clianta's plans are defined. https://docs.stripe.com/api/products,
https://docs.stripe.com/api/prices"""

from __future__ import annotations

import re
import time

from django.http import JsonResponse

from . import store
from .api import route, stripe_api

INTERVALS = {"day", "week", "month", "year"}
CURRENCY = re.compile(r"^[a-z]{3}$")


def _invalid(message: str, param: str) -> store.StripeError:
    return store.StripeError(400, "invalid_request_error", message, param=param)


def _flag(value, param: str) -> bool:
    if value not in ("true", "false"):
        raise _invalid("Invalid boolean", param)
    return value == "true"


# Products ------------------------------------------------------------------------------------

PRODUCT_FIELDS = {"name", "description", "active", "metadata", "unit_label", "url"}


def apply_product(body: dict, params: dict) -> dict:
    store.refuse_unknown(params, PRODUCT_FIELDS)
    for name in ("name", "description", "unit_label", "url"):
        if name in params:
            body[name] = params[name] or None
    if "active" in params:
        body["active"] = _flag(params["active"], "active")
    body["metadata"] = store.metadata(body["metadata"], params.get("metadata"))
    body["updated"] = int(time.time())
    return body


def new_product(account, params: dict) -> dict:
    store.required(params, "name")
    object_id = store.new_id("product")
    now = int(time.time())
    body = {
        "id": object_id,
        "object": "product",
        "active": True,
        "created": now,
        "default_price": None,
        "description": None,
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {},
        "name": "",
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": None,
        "updated": now,
        "url": None,
    }
    return store.save_new(account, "product", apply_product(body, params))


# Prices --------------------------------------------------------------------------------------

PRICE_UPDATES = {"active", "nickname", "lookup_key", "metadata"}


def _recurring(given) -> dict | None:
    if given in (None, ""):
        return None
    interval = given.get("interval") if isinstance(given, dict) else None
    if interval not in INTERVALS:
        raise _invalid(
            "Invalid recurring[interval]: must be one of day, week, month, or year",
            "recurring[interval]",
        )
    try:
        count = int(given.get("interval_count", 1))
    except ValueError as exc:
        raise _invalid("Invalid integer", "recurring[interval_count]") from exc
    return {
        "interval": interval,
        "interval_count": count,
        "meter": None,
        "usage_type": "licensed",
        "trial_period_days": None,
    }


def apply_price(account, body: dict, params: dict) -> dict:
    store.refuse_unknown(params, PRICE_UPDATES)
    if "active" in params:
        body["active"] = _flag(params["active"], "active")
    if "nickname" in params:
        body["nickname"] = params["nickname"] or None
    if "lookup_key" in params:
        key = params["lookup_key"] or None
        taken = store.live(account, "price").filter(data__lookup_key=key)
        taken = taken.exclude(object_id=body["id"])
        if key and taken.exists():
            raise _invalid(
                f"A price ('{taken.first().object_id}') already uses that lookup key.", "lookup_key"
            )
        body["lookup_key"] = key
    body["metadata"] = store.metadata(body["metadata"], params.get("metadata"))
    return body


def new_price(account, params: dict) -> dict:
    creation = {"currency", "product", "unit_amount", "recurring"}
    updates = {key: value for key, value in params.items() if key not in creation}
    currency = str(store.required(params, "currency")).lower()
    if not CURRENCY.fullmatch(currency):
        raise _invalid(f"Invalid currency: {currency}", "currency")
    product = store.find(account, "product", store.required(params, "product"))
    try:
        amount = int(store.required(params, "unit_amount"))
    except ValueError as exc:
        raise _invalid("Invalid integer", "unit_amount") from exc
    if amount < 0:
        raise _invalid("This value must be greater than or equal to 0.", "unit_amount")
    recurring = _recurring(params.get("recurring"))
    object_id = store.new_id("price")
    body = {
        "id": object_id,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": int(time.time()),
        "currency": currency,
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": product.object_id,
        "recurring": recurring,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }
    return store.save_new(account, "price", apply_price(account, body, updates))


# Views ---------------------------------------------------------------------------------------


@stripe_api
def create_product(request, account, params):
    return JsonResponse(new_product(account, params))


@stripe_api
def list_products(request, account, params):
    rows = store.live(account, "product")
    if "active" in params:
        rows = rows.filter(data__active=_flag(params.pop("active"), "active"))
    return JsonResponse(store.page(rows, params, "/v1/products"))


@stripe_api
def get_product(request, account, params, object_id):
    return JsonResponse(store.find(account, "product", object_id).data)


@stripe_api
def update_product(request, account, params, object_id):
    return JsonResponse(
        store.update(account, "product", object_id, lambda body: apply_product(body, params))
    )


@stripe_api
def create_price(request, account, params):
    return JsonResponse(new_price(account, params))


@stripe_api
def list_prices(request, account, params):
    """Filters: ``active``, ``product``, ``type``, ``lookup_keys[]``."""
    rows = store.live(account, "price")
    if "active" in params:
        rows = rows.filter(data__active=_flag(params.pop("active"), "active"))
    for name in ("product", "type"):
        if name in params:
            rows = rows.filter(**{f"data__{name}": params.pop(name)})
    if "lookup_keys" in params:
        keys = params.pop("lookup_keys")
        rows = rows.filter(data__lookup_key__in=keys if isinstance(keys, list) else [keys])
    return JsonResponse(store.page(rows, params, "/v1/prices"))


@stripe_api
def get_price(request, account, params, object_id):
    return JsonResponse(store.find(account, "price", object_id).data)


@stripe_api
def update_price(request, account, params, object_id):
    return JsonResponse(
        store.update(account, "price", object_id, lambda body: apply_price(account, body, params))
    )


products = route(GET=list_products, POST=create_product)
product = route(GET=get_product, POST=update_product)
prices = route(GET=list_prices, POST=create_price)
price = route(GET=get_price, POST=update_price)
