"""Payments in the sandbox Stripe: payment intents confirmed with Stripe's test payment methods,
the charge each attempt makes, and refunds of those charges. Amounts are integers in the
currency's minor unit (cents; yen for zero-decimal currencies such as jpy and krw).
https://docs.stripe.com/api/payment_intents, https://docs.stripe.com/api/charges,
https://docs.stripe.com/api/refunds, https://docs.stripe.com/testing#cards,
https://docs.stripe.com/currencies

Confirming with ``pm_card_visa`` (or ``_mastercard``, ``_amex``) succeeds: the intent is
``succeeded`` with its ``latest_charge``, events ``charge.succeeded`` then
``payment_intent.succeeded``. ``pm_card_chargeDeclined`` (or ``…InsufficientFunds``) fails: a
``failed`` charge, the intent back to ``requires_payment_method`` with ``last_payment_error``,
events ``charge.failed`` and ``payment_intent.payment_failed``, and a 402 ``card_error``.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.http import JsonResponse

from . import bodies, store
from .api import route, stripe_api
from .bodies import expand
from .models import StripeObject

CURRENCY = re.compile(r"^[a-z]{3}$")
#: Stripe's smallest amounts for a few currencies (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
MINIMUMS = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50}
MAXIMUM = 99999999
INTENT_FIELDS = {
    "amount",
    "currency",
    "customer",
    "description",
    "metadata",
    "payment_method",
    "payment_method_types",
    "confirm",
    "receipt_email",
}


def _invalid(message: str, param: str, code: str = "") -> store.StripeError:
    return store.StripeError(400, "invalid_request_error", message, code=code, param=param)


def amount_of(params: dict, name: str = "amount") -> int:
    raw = store.required(params, name)
    if not str(raw).isdigit():
        raise _invalid(f"Invalid integer: {raw}", name)
    return int(raw)


class CardError(store.StripeError):
    """A declined card: 402 ``card_error`` naming the decline, the charge and the intent."""

    def __init__(self, decline: str, charge: dict, intent: dict):
        super().__init__(402, "card_error", charge["failure_message"], code="card_declined")
        self.decline, self.charge, self.intent = decline, charge, intent

    def body(self) -> dict:
        error = super().body()["error"]
        error.update(
            decline_code=self.decline, charge=self.charge["id"], payment_intent=self.intent
        )
        return {"error": error}


def _created_filter(rows, params: dict):
    created = params.pop("created", None)
    if isinstance(created, dict):
        for op in ("gt", "gte", "lt", "lte"):
            if op in created:
                if not str(created[op]).isdigit():
                    raise _invalid(f"Invalid integer: {created[op]}", f"created[{op}]")
                rows = rows.filter(**{f"data__created__{op}": int(created[op])})
    elif created not in (None, ""):
        rows = rows.filter(data__created=int(created) if str(created).isdigit() else -1)
    return rows


def _list(account, kind: str, params: dict, url: str, filters: tuple[str, ...]):
    rows = _created_filter(store.live(account, kind), params)
    for name in filters:
        if value := params.pop(name, None):
            rows = rows.filter(**{f"data__{name}": value})
    store.refuse_unknown(params, {"limit", "starting_after", "ending_before"})
    return JsonResponse(store.page(rows, params, url))


# Payment intents -----------------------------------------------------------------------------


def new_intent(account, params: dict) -> dict:
    store.refuse_unknown(params, INTENT_FIELDS)
    amount = amount_of(params)
    currency = str(store.required(params, "currency")).lower()
    if not CURRENCY.match(currency):
        raise _invalid(f"Invalid currency: {currency}", "currency")
    if amount < MINIMUMS.get(currency, 1) or amount > MAXIMUM:
        raise _invalid(
            "Amount must be at least the currency's minimum and at most 99999999.",
            "amount",
            code="amount_too_small" if amount <= MAXIMUM else "amount_too_large",
        )
    customer = params.get("customer") or None
    if customer:
        found = store.live(account, "customer").filter(object_id=customer).exists()
        if not found:
            raise store.StripeError(
                400,
                "invalid_request_error",
                f"No such customer: '{customer}'",
                code="resource_missing",
                param="customer",
            )
    method = params.get("payment_method") or None
    if method and method not in bodies.TEST_METHODS:
        raise _invalid(
            f"No such PaymentMethod: '{method}'", "payment_method", code="resource_missing"
        )
    body = bodies.intent(store.new_id("payment_intent"), amount, currency)
    body.update(
        customer=customer,
        description=params.get("description") or None,
        receipt_email=params.get("receipt_email") or None,
        metadata=store.metadata({}, params.get("metadata")),
    )
    if method:
        body.update(payment_method=method, status="requires_confirmation")
    return body


def confirm(account, intent: dict) -> tuple[dict, dict, str]:
    """Attempt the payment of ``intent`` (saved in the same transaction): its charge and
    events; the intent as it ends up, the charge, and the decline code ("" when paid)."""
    test_method = intent["payment_method"]
    card = bodies.TEST_METHODS[test_method]
    method_id = store.new_id("payment_method")
    charge = bodies.charge(store.new_id("charge"), intent, method_id, card)
    before = dict(intent)
    intent = {**intent, "latest_charge": charge["id"], "payment_method": method_id}
    declined = card.get("decline", "")
    if declined:
        intent.update(
            status="requires_payment_method",
            payment_method=None,
            last_payment_error=bodies.payment_error(charge, card, method_id),
        )
    else:
        intent.update(status="succeeded", amount_received=intent["amount"])
    StripeObject.objects.create(account=account, object_id=charge["id"], kind="charge", data=charge)
    StripeObject.objects.filter(object_id=intent["id"]).update(data=intent)
    store.record_event(account, "charge.failed" if declined else "charge.succeeded", charge)
    changed = {key: value for key, value in before.items() if intent.get(key) != value}
    store.record_event(
        account,
        "payment_intent.payment_failed" if declined else "payment_intent.succeeded",
        intent,
        changed,
    )
    return intent, charge, declined


@stripe_api
def create_intent(request, account, params):
    body = new_intent(account, params)
    should_confirm = params.get("confirm") == "true"
    if should_confirm and not body["payment_method"]:
        raise _invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            "payment_method",
            code="parameter_missing",
        )
    with transaction.atomic():
        store.save_new(account, "payment_intent", body)
        if should_confirm:
            body, charge, declined = confirm(account, body)
    if should_confirm and declined:  # answered (not raised) so that its key replays it
        error = CardError(declined, charge, body)
        return JsonResponse(error.body(), status=error.status)
    return JsonResponse(expand(account, body, params))


@stripe_api
def get_intent(request, account, params, object_id):
    return JsonResponse(
        expand(account, store.find(account, "payment_intent", object_id).data, params)
    )


@stripe_api
def list_intents(request, account, params):
    return _list(account, "payment_intent", params, "/v1/payment_intents", ("customer",))


# Charges -------------------------------------------------------------------------------------


@stripe_api
def get_charge(request, account, params, object_id):
    return JsonResponse(expand(account, store.find(account, "charge", object_id).data, params))


@stripe_api
def list_charges(request, account, params):
    return _list(account, "charge", params, "/v1/charges", ("customer", "payment_intent"))


# Refunds -------------------------------------------------------------------------------------

REFUND_FIELDS = {"payment_intent", "charge", "amount", "reason", "metadata"}
REASONS = {"duplicate", "fraudulent", "requested_by_customer"}


def _refunded_charge(account, params: dict) -> StripeObject:
    if params.get("charge"):
        return store.find(account, "charge", params["charge"])
    intent_id = params.get("payment_intent")
    if not intent_id:
        raise _invalid(
            "One of the following params should be provided for this request: payment_intent "
            "or charge.",
            "charge",
            code="parameter_missing",
        )
    intent = store.find(account, "payment_intent", intent_id).data
    if intent["status"] != "succeeded" or not intent["latest_charge"]:
        raise _invalid(
            f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
            "payment_intent",
            code="charge_not_refundable",
        )
    return store.find(account, "charge", intent["latest_charge"])


@stripe_api
def create_refund(request, account, params):
    store.refuse_unknown(params, REFUND_FIELDS)
    if params.get("reason") and params["reason"] not in REASONS:
        raise _invalid(f"Invalid reason: {params['reason']}", "reason")
    with transaction.atomic():
        row = _refunded_charge(account, params)
        row = StripeObject.objects.select_for_update().get(pk=row.pk)
        charge = row.data
        if charge["status"] != "succeeded":
            raise _invalid(
                f"Charge {charge['id']} has failed; there is nothing to refund.",
                "charge",
                code="charge_not_refundable",
            )
        left = charge["amount"] - charge["amount_refunded"]
        if left <= 0:
            raise _invalid(
                f"Charge {charge['id']} has already been refunded.",
                "charge",
                code="charge_already_refunded",
            )
        amount = amount_of(params) if "amount" in params else left
        if not 1 <= amount <= left:
            raise _invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                "amount",
                code="amount_too_large",
            )
        refund = bodies.refund(store.new_id("refund"), charge, amount)
        refund.update(
            reason=params.get("reason") or None,
            metadata=store.metadata({}, params.get("metadata")),
        )
        store.save_new(account, "refund", refund)
        before = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        listed = charge["refunds"]
        listed["data"] = [refund, *listed["data"]][:10]
        listed["has_more"] = listed["has_more"] or len(listed["data"]) == 10
        row.data = charge
        row.save(update_fields=["data"])
        store.record_event(account, "charge.refunded", charge, before)
    return JsonResponse(expand(account, refund, params))


@stripe_api
def get_refund(request, account, params, object_id):
    return JsonResponse(expand(account, store.find(account, "refund", object_id).data, params))


@stripe_api
def list_refunds(request, account, params):
    return _list(account, "refund", params, "/v1/refunds", ("charge", "payment_intent"))


payment_intents = route(GET=list_intents, POST=create_intent)
payment_intent = route(GET=get_intent)
charges = route(GET=list_charges)
charge = route(GET=get_charge)
refunds = route(GET=list_refunds, POST=create_refund)
refund = route(GET=get_refund)
