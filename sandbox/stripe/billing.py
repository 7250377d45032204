"""What the sandbox Stripe's billing objects share: rows read and written under a lock, the
answer body of an object (keys starting with ``_`` are the sandbox's own bookkeeping, never
answered), ``expand[]`` of the ids a billing object names, and the calendar of billing periods.
https://docs.stripe.com/api/expanding_objects,
https://docs.stripe.com/billing/subscriptions/billing-cycle"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings

from . import store
from .models import StripeAccount, StripeObject

#: The kind of object a field holding an id names, for ``expand[]``.
EXPANDABLE = {
    "customer": "customer",
    "subscription": "subscription",
    "latest_invoice": "invoice",
    "invoice": "invoice",
}


def now() -> int:
    return int(time.time())


def public(body: dict) -> dict:
    """The object as Stripe answers it: without the sandbox's own ``_`` keys."""
    return {key: value for key, value in body.items() if not key.startswith("_")}


def row_of(account: StripeAccount, kind: str, object_id: str, lock: bool = False):
    """The object's row (locked for the transaction when ``lock``), or 404 resource_missing."""
    rows = store.live(account, kind).filter(object_id=object_id)
    found = (rows.select_for_update() if lock else rows).first()
    if found is None:
        raise store.missing(kind, object_id)
    return found


def create(account: StripeAccount, kind: str, body: dict) -> StripeObject:
    return StripeObject.objects.create(account=account, object_id=body["id"], kind=kind, data=body)


def save(row: StripeObject, body: dict) -> dict:
    row.data = body
    row.save(update_fields=["data"])
    return body


def changes(before: dict, after: dict) -> dict:
    """The previous values of the top-level fields that changed (``previous_attributes``)."""
    return {
        key: value
        for key, value in public(before).items()
        if after.get(key) != value and not key.startswith("_")
    }


def announce(account: StripeAccount, kind: str, body: dict, before: dict | None = None) -> None:
    store.record_event(account, kind, public(body), changes(before, body) if before else None)


def expand(account: StripeAccount, body: dict, params: dict) -> dict:
    """``body`` with the ids named by ``expand[]`` (``latest_invoice``, ``customer``,
    ``subscription``, ``invoice``; ``data.<field>`` in lists) replaced by their objects."""
    paths = params.get("expand") or []
    paths = paths if isinstance(paths, list) else [paths]
    body = dict(body)
    if body.get("object") == "list":
        inner = {"expand": [p.removeprefix("data.") for p in paths if p.startswith("data.")]}
        body["data"] = [expand(account, item, inner) for item in body["data"]]
        return body
    for path in paths:
        head, _, rest = path.partition(".")
        kind = EXPANDABLE.get(head)
        value = body.get(head)
        if kind is None or not isinstance(value, str):
            continue
        found = store.live(account, kind).filter(object_id=value).first()
        if found is not None:
            body[head] = expand(account, public(found.data), {"expand": [rest]} if rest else {})
    return body


def after(moment: int, interval: str, count: int = 1) -> int:
    """``moment`` plus ``count`` intervals, months and years by the calendar (Jan 31 + 1 month
    is Feb 28 or 29)."""
    start = datetime.fromtimestamp(moment, tz=UTC)
    step = {
        "day": relativedelta(days=count),
        "week": relativedelta(weeks=count),
        "month": relativedelta(months=count),
        "year": relativedelta(years=count),
    }[interval]
    return int((start + step).timestamp())


def page_url(path: str) -> str:
    """An address of the sandbox's Stripe pages (checkout, portal, hosted invoices)."""
    return f"{settings.SANDBOX_URL}/stripe/{path}"


def invalid(message: str, param: str = "", code: str = "") -> store.StripeError:
    return store.StripeError(400, "invalid_request_error", message, code=code, param=param)


def integer(value, param: str, minimum: int = 0) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise invalid(f"Invalid integer: {value}", param) from exc
    if number < minimum:
        raise invalid(f"This value must be greater than or equal to {minimum}.", param)
    return number


def flag(value, param: str) -> bool:
    if value not in ("true", "false", True, False):
        raise invalid("Invalid boolean", param)
    return value in ("true", True)


ZERO_DECIMAL = set(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)


def money(amount: int, currency: str) -> str:
    """An amount in minor units as people read it: ``29.00 USD``."""
    if currency in ZERO_DECIMAL:
        return f"{amount} {currency.upper()}"
    return f"{amount / 100:.2f} {currency.upper()}"
