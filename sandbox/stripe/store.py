"""What the sandbox Stripe does: its request encoding, ids, objects, lists, events and errors,
with Stripe's conventions (https://docs.stripe.com/api: form-encoded bodies with bracketed keys,
list objects paged by ``starting_after``/``ending_before``, ``{"error": {type, code, message,
param}}``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import string
import threading
import time
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import close_old_connections, transaction

from .models import StripeAccount, StripeEvent, StripeObject

logger = logging.getLogger("sandbox.stripe")
DELIVERY_TIMEOUT = 10

API_VERSION = "2025-08-27.basil"
ID_ALPHABET = string.ascii_letters + string.digits
PREFIXES = {
    "customer": "cus",
    "event": "evt",
    "account": "acct",
    "request": "req",
    "webhook_endpoint": "we",
    "product": "prod",
    "price": "price",
    "payment_intent": "pi",
    "charge": "ch",
    "refund": "re",
    "payment_method": "pm",
    "balance_transaction": "txn",
    "subscription": "sub",
    "subscription_item": "si",
    "invoice": "in",
    "line_item": "il",
    "invoiceitem": "ii",
    "checkout.session": "cs_test",
    "checkout.line_item": "li",
    "billing_portal.session": "bps",
    "billing_portal.configuration": "bpc",
}


class StripeError(Exception):
    def __init__(self, status: int, kind: str, message: str, code: str = "", param: str = ""):
        super().__init__(message)
        self.status, self.kind, self.message, self.code, self.param = (
            status,
            kind,
            message,
            code,
            param,
        )

    def body(self) -> dict:
        error = {"type": self.kind, "message": self.message}
        error.update(
            {key: value for key, value in (("code", self.code), ("param", self.param)) if value}
        )
        return {"error": error}


def missing(kind: str, object_id: str) -> StripeError:
    return StripeError(
        404,
        "invalid_request_error",
        f"No such {kind}: '{object_id}'",
        code="resource_missing",
        param="id",
    )


def new_id(kind: str) -> str:
    return f"{PREFIXES[kind]}_" + "".join(secrets.choice(ID_ALPHABET) for _ in range(14))


def create_account() -> StripeAccount:
    return StripeAccount.objects.create(
        account_id=new_id("account"), secret_key="sk_test_" + secrets.token_hex(24)
    )


def account_for_key(key: str) -> StripeAccount | None:
    """The account of a secret key; Clianta's own account is made on its first request."""
    if not key:
        return None
    from .platform import platform_account  # it seeds the catalog, whose views import this

    if key == settings.STRIPE_SECRET_KEY:
        return platform_account()
    found = StripeAccount.objects.filter(secret_key=key).first()
    if found is None:  # a restricted key or a connected account's OAuth access token
        from .keys import account_of

        found = account_of(key)
    return found


# Request bodies -------------------------------------------------------------------------------


def parse_form(body: str) -> dict:
    """``a[b][0][c]=1&expand[]=x`` as ``{"a": {"b": [{"c": "1"}]}, "expand": ["x"]}``."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        name, _, rest = key.partition("[")
        parts = [name] + (rest[:-1].split("][") if rest else [])
        node = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                if part == "":
                    node.setdefault("", []).append(value)
                else:
                    node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    """Dicts keyed by indices become lists, ``""`` keys (``a[]``) the list they hold."""
    if not isinstance(node, dict):
        return node
    if set(node) == {""}:
        return [_lists(item) for item in node[""]]
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def metadata(current: dict, given) -> dict:
    """Stripe's metadata update: keys given are set, a key given empty is removed."""
    if given in ("", None):
        return {} if given == "" else current
    if not isinstance(given, dict):
        raise StripeError(400, "invalid_request_error", "Invalid metadata", param="metadata")
    merged = {**current, **given}
    return {key: value for key, value in merged.items() if value != ""}


# Objects -------------------------------------------------------------------------------------

CUSTOMER_TEXT = ("email", "name", "description", "phone")
ADDRESS = ("city", "country", "line1", "line2", "postal_code", "state")


def customer_body(object_id: str) -> dict:
    return {
        "id": object_id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": int(time.time()),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "invoice_prefix": object_id[-8:].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def refuse_unknown(params: dict, allowed: set[str]) -> None:
    unknown = set(params) - allowed - {"expand"}
    if unknown:
        name = sorted(unknown)[0]
        raise StripeError(
            400,
            "invalid_request_error",
            f"Received unknown parameter: {name}",
            code="parameter_unknown",
            param=name,
        )


def required(params: dict, name: str):
    if params.get(name) in (None, ""):
        raise StripeError(
            400,
            "invalid_request_error",
            f"Missing required param: {name}.",
            code="parameter_missing",
            param=name,
        )
    return params[name]


def apply_customer(body: dict, params: dict) -> dict:
    refuse_unknown(params, {*CUSTOMER_TEXT, "metadata", "address"})
    for name in CUSTOMER_TEXT:
        if name in params:
            body[name] = params[name] or None
    if "address" in params:
        given = params["address"] if isinstance(params["address"], dict) else {}
        body["address"] = {key: given.get(key) or None for key in ADDRESS} if given else None
    body["metadata"] = metadata(body["metadata"], params.get("metadata"))
    return body


def live(account: StripeAccount, kind: str):
    """The account's objects of ``kind`` that are not deleted, newest first."""
    return StripeObject.objects.filter(account=account, kind=kind, deleted=False)


def find(account: StripeAccount, kind: str, object_id: str) -> StripeObject:
    found = live(account, kind).filter(object_id=object_id).first()
    if found is None:
        raise missing(kind, object_id)
    return found


def record_event(
    account: StripeAccount, kind: str, data: dict, previous: dict | None = None
) -> StripeEvent:
    event_id = new_id("event")
    body = {
        "id": event_id,
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": data, **({"previous_attributes": previous} if previous else {})},
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }
    from . import deliveries  # it reads the objects of this module

    connected, endpoints = deliveries.targets(account, kind)
    if connected:  # a connected account's event names it (https://docs.stripe.com/connect/webhooks)
        body = {"id": event_id, "object": "event", "account": connected, **body}
    event = StripeEvent.objects.create(account=account, object_id=event_id, type=kind, data=body)
    if endpoints:
        payload = json.dumps(body, indent=2)
        transaction.on_commit(lambda: _in_background(deliveries.deliver, endpoints, payload))
    return event


# Webhook endpoints and deliveries -------------------------------------------------------------


def webhook_endpoint_body(object_id: str, params: dict) -> dict:
    url = required(params, "url")
    events = required(params, "enabled_events")
    if not isinstance(events, list):
        raise StripeError(400, "invalid_request_error", "Invalid array", param="enabled_events")
    return {
        "id": object_id,
        "object": "webhook_endpoint",
        "api_version": params.get("api_version"),
        "application": None,
        "created": int(time.time()),
        "description": params.get("description") or None,
        "enabled_events": events,
        "livemode": False,
        "metadata": metadata({}, params.get("metadata")),
        "secret": "whsec_" + secrets.token_urlsafe(24),
        "status": "enabled",
        "url": url,
    }


def without_secret(body: dict) -> dict:
    """An endpoint's secret is in the answer that creates it, never again; whether it is a
    Connect endpoint is the sandbox's own note (see deliveries.py)."""
    return {key: value for key, value in body.items() if key not in ("secret", "connect")}


def signature(secret: str, payload: str, at: int | None = None) -> str:
    """The ``Stripe-Signature`` header: ``t=<unix time>,v1=<HMAC-SHA256 of "t.payload">``.
    https://docs.stripe.com/webhooks#verify-manually"""
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def _in_background(work, *args) -> None:
    def run():
        try:
            work(*args)
        finally:
            close_old_connections()

    threading.Thread(target=run, daemon=True).start()


def save_new(account: StripeAccount, kind: str, body: dict) -> dict:
    """Store a new object and record its ``<kind>.created`` event."""
    with transaction.atomic():
        StripeObject.objects.create(account=account, object_id=body["id"], kind=kind, data=body)
        record_event(account, f"{kind}.created", body)
    return body


def update(account: StripeAccount, kind: str, object_id: str, change) -> dict:
    """``change(body)`` applied to the object, with its ``<kind>.updated`` event naming the
    previous values of what changed."""
    row = find(account, kind, object_id)
    before = dict(row.data)
    row.data = change(dict(row.data))
    changed = {key: value for key, value in before.items() if row.data.get(key) != value}
    with transaction.atomic():
        row.save(update_fields=["data"])
        record_event(account, f"{kind}.updated", row.data, changed)
    return row.data


# Lists ---------------------------------------------------------------------------------------


def page(rows, params: dict, url: str, body_of=lambda row: row.data) -> dict:
    """A list object: newest first, ``limit`` (1-100, default 10) after ``starting_after`` or
    before ``ending_before``; each row answered as ``body_of(row)`` (default: its data)."""
    try:
        limit = int(params.get("limit", 10))
    except ValueError as exc:
        raise StripeError(
            400, "invalid_request_error", "Invalid integer: limit", param="limit"
        ) from exc
    if not 1 <= limit <= 100:
        raise StripeError(
            400, "invalid_request_error", "This value must be between 1 and 100.", param="limit"
        )
    if after := params.get("starting_after"):
        anchor = rows.filter(object_id=after).values_list("seq", flat=True).first()
        if anchor is None:
            raise missing("object", after)
        rows = rows.filter(seq__lt=anchor)
    elif before := params.get("ending_before"):
        anchor = rows.filter(object_id=before).values_list("seq", flat=True).first()
        if anchor is None:
            raise missing("object", before)
        found = list(rows.filter(seq__gt=anchor).order_by("seq")[: limit + 1])
        more = len(found) > limit
        return {
            "object": "list",
            "data": [body_of(row) for row in reversed(found[:limit])],
            "has_more": more,
            "url": url,
        }
    found = list(rows[: limit + 1])
    return {
        "object": "list",
        "data": [body_of(row) for row in found[:limit]],
        "has_more": len(found) > limit,
        "url": url,
    }
