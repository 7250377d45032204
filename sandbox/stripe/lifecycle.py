"""Controls of the sandbox Stripe's billing clock, for tests and people under ``make run``: what
Stripe does on its own as time passes, done on request. JSON in, JSON out; like the sandbox's
control API (sandbox/control.py) they are not calls of the provider, so they are not logged.

- ``POST /sandbox/stripe/_control/subscriptions/<id>/renew`` with ``{"outcome": "paid"}`` (the
  default) or ``{"outcome": "failed"}``: the subscription's next period begins. Its items'
  ``current_period_start``/``_end`` advance by one interval (``customer.subscription.updated``)
  and a ``subscription_cycle`` invoice for the new period is created and finalized, then paid
  (``invoice.paid``, ``invoice.payment_succeeded``) or its payment fails
  (``invoice.payment_failed``; the invoice stays open with ``next_payment_attempt`` set, and
  the subscription becomes ``past_due``: another ``customer.subscription.updated``). A
  subscription set to cancel at period end is canceled instead
  (``customer.subscription.deleted``). → 200 ``{"subscription": …, "invoice": … or null}``.
- ``POST /sandbox/stripe/_control/subscriptions/<id>/give_up`` with ``{"status": "canceled"}``
  (the default) or ``{"status": "unpaid"}``: what Stripe does after the last retry of a failed
  payment, as the account's settings choose: cancel the subscription
  (``customer.subscription.deleted``, reason ``payment_failed``) or mark it unpaid
  (``customer.subscription.updated``); its open invoice stays open, and paying it makes an
  unpaid subscription active again. → 200 ``{"subscription": …}``.

Errors: 404 ``{"error": …}`` for an unknown subscription, 400 for a wrong body or a
subscription already ended. https://docs.stripe.com/billing/subscriptions/overview#payment-status,
https://docs.stripe.com/billing/revenue-recovery/smart-retries"""

from __future__ import annotations

import copy
import json

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import billing, invoices, store, subscriptions
from .models import StripeObject


def _subscription_row(object_id: str) -> StripeObject:
    found = (
        StripeObject.objects.select_for_update()
        .filter(kind="subscription", object_id=object_id, deleted=False)
        .first()
    )
    if found is None:
        raise LookupError(f"No such subscription: '{object_id}'")
    if found.data["status"] in subscriptions.ENDED:
        raise ValueError(f"The subscription {object_id} has already ended.")
    return found


def renew(object_id: str, outcome: str = "paid") -> tuple[dict, dict | None]:
    """The subscription's next period, billed with ``outcome`` ("paid" or "failed")."""
    with transaction.atomic():
        row = _subscription_row(object_id)
        account = row.account
        if row.data["cancel_at_period_end"]:
            ended = subscriptions.cancel(account, object_id)
            return ended, None
        before = row.data
        subscription = copy.deepcopy(before)
        for item in subscription["items"]["data"]:
            recurring = item["price"]["recurring"]
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] = billing.after(
                item["current_period_start"], recurring["interval"], recurring["interval_count"]
            )
        invoice, events = invoices.bill(account, subscription, "subscription_cycle", outcome)
        subscription["latest_invoice"] = invoice["id"]
        billing.save(row, subscription)
        billing.announce(account, "customer.subscription.updated", subscription, before)
        invoices.record(account, events)
        if invoice["status"] != "paid" and subscription["status"] == "active":
            before = subscription
            subscription = {**subscription, "status": "past_due"}
            billing.save(row, subscription)
            billing.announce(account, "customer.subscription.updated", subscription, before)
    return subscription, invoice


def give_up(object_id: str, status: str = "canceled") -> dict:
    """After the last retry: the subscription canceled, or left ``unpaid``."""
    with transaction.atomic():
        row = _subscription_row(object_id)
        if status == "canceled":
            return subscriptions.cancel(row.account, object_id, reason="payment_failed")
        before = row.data
        subscription = billing.save(row, {**before, "status": "unpaid"})
        billing.announce(row.account, "customer.subscription.updated", subscription, before)
    return subscription


def _body(request) -> dict:
    data = json.loads(request.body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def _control(work):
    @csrf_exempt
    @require_POST
    def view(request, object_id):
        try:
            return JsonResponse(work(_body(request), object_id))
        except LookupError as error:
            return JsonResponse({"error": str(error)}, status=404)
        except (ValueError, store.StripeError) as error:  # JSONDecodeError is a ValueError
            return JsonResponse({"error": str(error)}, status=400)

    return view


def _renew(data: dict, object_id: str) -> dict:
    outcome = data.get("outcome", "paid")
    if outcome not in ("paid", "failed") or set(data) - {"outcome"}:
        raise ValueError('send {"outcome": "paid"} or {"outcome": "failed"}')
    subscription, invoice = renew(object_id, outcome)
    return {
        "subscription": billing.public(subscription),
        "invoice": billing.public(invoice) if invoice else None,
    }


def _give_up(data: dict, object_id: str) -> dict:
    status = data.get("status", "canceled")
    if status not in ("canceled", "unpaid") or set(data) - {"status"}:
        raise ValueError('send {"status": "canceled"} or {"status": "unpaid"}')
    return {"subscription": billing.public(give_up(object_id, status))}


renew_view = _control(_renew)
give_up_view = _control(_give_up)
