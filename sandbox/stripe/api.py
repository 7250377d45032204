"""The sandbox's Stripe API (``/v1/``) for the official stripe SDK: customers (create,
retrieve, update, delete, list with ``email``), the Events API and webhook endpoints (each event
POSTed to the endpoints that want it, signed with the endpoint's secret as Stripe signs).
Requests authenticate with the secret key as a Bearer token; a POST with an ``Idempotency-Key``
answers its first result again (header ``Idempotent-Replayed: true``), and the same key with
another request answers 400 ``idempotency_error``. https://docs.stripe.com/api/customers,
https://docs.stripe.com/api/events, https://docs.stripe.com/api/webhook_endpoints,
https://docs.stripe.com/api/idempotent_requests"""

from __future__ import annotations

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse

from sandbox.routing import dispatcher

from . import keys, store
from .models import StripeEvent, StripeIdempotency, StripeObject

GENERIC = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    402: "card_error",
    404: "invalid_request_error",
    429: "invalid_request_error",
}


def error_body(status: int) -> dict:
    kind = GENERIC.get(status, "api_error")
    code = "rate_limit" if status == 429 else ""
    return store.StripeError(status, kind, "The sandbox answered an injected fault.", code).body()


def _answer(error: store.StripeError) -> JsonResponse:
    return JsonResponse(error.body(), status=error.status)


def _not_allowed() -> JsonResponse:
    return _answer(store.StripeError(405, "invalid_request_error", "Method not allowed."))


_dispatch = dispatcher("stripe", error_body, _not_allowed, {store.StripeError: _answer})


def route(**handlers):
    """The view of one path, its 429s advised as Stripe advises them (``advise_retry``)."""
    return advise_retry(_dispatch(**handlers))


def _account(request: HttpRequest):
    kind, _, key = request.headers.get("Authorization", "").partition(" ")
    found = store.account_for_key(key.strip()) if kind.lower() == "bearer" else None
    if found is None:
        shown = f"{key[:8]}****{key[-4:]}" if len(key) > 12 else "****"
        raise store.StripeError(401, "invalid_request_error", f"Invalid API Key provided: {shown}")
    shown = f"{key[:8]}{'*' * 10}{key[-4:]}"
    return keys.acting_as(found, request.headers.get("Stripe-Account", "").strip(), shown)


def stripe_api(view):
    """Authenticate, then answer a POST with an Idempotency-Key at most once per key."""

    @wraps(view)
    def wrapper(request: HttpRequest, **kwargs):
        account = _account(request)
        raw = request.body.decode() if request.method == "POST" else request.META["QUERY_STRING"]
        params = store.parse_form(raw)
        key = request.headers.get("Idempotency-Key", "")
        if request.method != "POST" or not key:
            return view(request, account, params, **kwargs)
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.path.encode(), request.body])
        ).hexdigest()
        seen = StripeIdempotency.objects.filter(account=account, key=key).first()
        if seen is not None:
            return _replay(seen, fingerprint, key)
        response = view(request, account, params, **kwargs)
        try:
            with transaction.atomic():
                StripeIdempotency.objects.create(
                    account=account,
                    key=key,
                    fingerprint=fingerprint,
                    status=response.status_code,
                    body=json.loads(response.content),
                )
        except IntegrityError:
            return _replay(
                StripeIdempotency.objects.get(account=account, key=key), fingerprint, key
            )
        return response

    return wrapper


def _replay(seen: StripeIdempotency, fingerprint: str, key: str) -> JsonResponse:
    if seen.fingerprint != fingerprint:
        raise store.StripeError(
            400,
            "idempotency_error",
            f"Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
        )
    response = JsonResponse(seen.body, status=seen.status)
    response["Idempotent-Replayed"] = "true"
    return response


@stripe_api
def create_customer(request, account, params):
    body = store.apply_customer(store.customer_body(store.new_id("customer")), params)
    return JsonResponse(store.save_new(account, "customer", body))


@stripe_api
def list_customers(request, account, params):
    rows = store.live(account, "customer")
    if email := params.pop("email", None):
        rows = rows.filter(data__email=email)
    return JsonResponse(store.page(rows, params, "/v1/customers"))


@stripe_api
def get_customer(request, account, params, object_id):
    return JsonResponse(store.find(account, "customer", object_id).data)


@stripe_api
def update_customer(request, account, params, object_id):
    return JsonResponse(
        store.update(
            account, "customer", object_id, lambda body: store.apply_customer(body, params)
        )
    )


@stripe_api
def delete_customer(request, account, params, object_id):
    row = store.find(account, "customer", object_id)
    with transaction.atomic():
        StripeObject.objects.filter(pk=row.pk).update(deleted=True)
        store.record_event(account, "customer.deleted", row.data)
    return JsonResponse({"id": object_id, "object": "customer", "deleted": True})


@stripe_api
def list_events(request, account, params):
    rows = StripeEvent.objects.filter(account=account)
    if kind := params.pop("type", None):
        rows = rows.filter(type=kind)
    return JsonResponse(store.page(rows, params, "/v1/events"))


@stripe_api
def get_event(request, account, params, object_id):
    found = StripeEvent.objects.filter(account=account, object_id=object_id).first()
    if found is None:
        raise store.missing("event", object_id)
    return JsonResponse(found.data)


@stripe_api
def create_webhook_endpoint(request, account, params):
    object_id = store.new_id("webhook_endpoint")
    connect = params.pop("connect", "false") == "true"  # a Connect endpoint (deliveries.py)
    body = store.webhook_endpoint_body(object_id, params)
    StripeObject.objects.create(
        account=account,
        object_id=object_id,
        kind="webhook_endpoint",
        data={**body, "connect": True} if connect else body,
    )
    return JsonResponse(body)


@stripe_api
def list_webhook_endpoints(request, account, params):
    rows = store.live(account, "webhook_endpoint")
    return JsonResponse(
        store.page(
            rows, params, "/v1/webhook_endpoints", lambda row: store.without_secret(row.data)
        )
    )


@stripe_api
def get_webhook_endpoint(request, account, params, object_id):
    return JsonResponse(
        store.without_secret(store.find(account, "webhook_endpoint", object_id).data)
    )


@stripe_api
def delete_webhook_endpoint(request, account, params, object_id):
    row = store.find(account, "webhook_endpoint", object_id)
    StripeObject.objects.filter(pk=row.pk).update(deleted=True)
    return JsonResponse({"id": object_id, "object": "webhook_endpoint", "deleted": True})


def advise_retry(view):
    """``Stripe-Should-Retry: true`` on a 429 of a lock timeout (code ``lock_timeout``), the
    one 429 Stripe asks its SDKs to retry; a rate limit's 429 (``rate_limit``) gets none.
    https://docs.stripe.com/rate-limits"""

    @wraps(view)
    def wrapper(request, **kwargs):
        response = view(request, **kwargs)
        if response.status_code == 429:
            code = json.loads(response.content or b"{}").get("error", {}).get("code")
            if code == "lock_timeout":
                response["Stripe-Should-Retry"] = "true"
        return response

    return wrapper


customers = route(GET=list_customers, POST=create_customer)
customer = route(GET=get_customer, POST=update_customer, DELETE=delete_customer)
events = route(GET=list_events)
event = route(GET=get_event)
webhook_endpoints = route(GET=list_webhook_endpoints, POST=create_webhook_endpoint)
webhook_endpoint = route(GET=get_webhook_endpoint, DELETE=delete_webhook_endpoint)
