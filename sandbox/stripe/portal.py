"""The sandbox Stripe's customer portal and hosted invoice page.

``POST /v1/billing_portal/sessions`` (``customer``, ``return_url``) answers a session whose
``url`` opens, for an hour, a page of the customer's subscriptions (plan, status, period end)
where the person switches to another of the account's active recurring prices, cancels at
period end (or takes that back), cancels now, and pays an open invoice; each action goes through
the same functions as the API, so the same events go out. "Return" goes to ``return_url``.
A finalized invoice's ``hosted_invoice_url`` shows it, with a "Pay" button while it is open.
The forms are CSRF-protected. https://docs.stripe.com/api/customer_portal/sessions,
https://docs.stripe.com/customer-management, https://docs.stripe.com/invoicing/hosted-invoice-page"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime

from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from sandbox.faults import sandbox_endpoint

from . import billing, invoices, store, subscriptions
from .api import error_body, route, stripe_api
from .checkout import _url
from .models import StripeObject

LIFETIME = 3600
PORTAL = "sandbox/stripe/portal.html"
INVOICE = "sandbox/stripe/invoice.html"


@stripe_api
def create_session(request, account, params):
    store.refuse_unknown(params, {"customer", "return_url", "configuration", "locale"})
    customer = store.find(account, "customer", store.required(params, "customer")).object_id
    object_id = store.new_id("billing_portal.session")
    secret = secrets.token_urlsafe(24)
    body = {
        "id": object_id,
        "object": "billing_portal.session",
        "configuration": params.get("configuration") or f"bpc_{account.account_id[5:]}",
        "created": billing.now(),
        "customer": customer,
        "customer_account": None,
        "flow": None,
        "livemode": False,
        "locale": params.get("locale") or None,
        "on_behalf_of": None,
        "return_url": _url(params, "return_url"),
        "url": billing.page_url(f"portal/{object_id}/{secret}"),
        "_secret": secret,
    }
    billing.create(account, "billing_portal.session", body)
    return JsonResponse(billing.public(body))


portal_sessions = route(POST=create_session)


def _date(moment: int | None) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%d %B %Y") if moment else ""


def _plan_name(account, price: dict) -> str:
    product = store.live(account, "product").filter(object_id=price["product"]).first()
    name = product.data["name"] if product else price["product"]
    interval = price["recurring"]["interval"]
    return f"{name}, {billing.money(price['unit_amount'], price['currency'])} per {interval}"


def _context(account, session: dict) -> dict:
    customer = session["customer"]
    rows = store.live(account, "subscription").filter(data__customer=customer)
    shown = []
    for row in rows.exclude(data__status="canceled"):
        item = row.data["items"]["data"][0]
        shown.append(
            {
                "id": row.object_id,
                "plan": _plan_name(account, item["price"]),
                "price": item["price"]["id"],
                "status": row.data["status"],
                "period_end": _date(item["current_period_end"]),
                "ending": row.data["cancel_at_period_end"],
            }
        )
    prices = store.live(account, "price").filter(data__active=True, data__type="recurring")
    open_invoices = store.live(account, "invoice").filter(
        data__customer=customer, data__status="open"
    )
    return {
        "session": session,
        "subscriptions": shown,
        "prices": [{"id": row.object_id, "name": _plan_name(account, row.data)} for row in prices],
        "invoices": [
            {
                "id": row.object_id,
                "number": row.data["number"],
                "amount": billing.money(row.data["amount_remaining"], row.data["currency"]),
            }
            for row in open_invoices
        ],
    }


def _act(account, customer: str, form) -> str:
    """Carry out the form's action; answer what happened, for the page."""
    action = form.get("action", "")
    if action == "pay":
        invoice = billing.row_of(account, "invoice", form.get("invoice", ""))
        if invoice.data["customer"] != customer:
            raise billing.invalid("That invoice is not yours.")
        invoices.pay(account, invoice.object_id)
        return "The invoice is paid."
    row = billing.row_of(account, "subscription", form.get("subscription", ""))
    if row.data["customer"] != customer:
        raise billing.invalid("That subscription is not yours.")
    if action == "switch":
        item = row.data["items"]["data"][0]["id"]
        price = form.get("price", "")
        subscriptions.change(account, row.object_id, {"items": [{"id": item, "price": price}]})
        return "Your plan is changed."
    if action in ("cancel_at_period_end", "renew"):
        cancel = "true" if action == "cancel_at_period_end" else "false"
        subscriptions.change(account, row.object_id, {"cancel_at_period_end": cancel})
        return (
            "Your subscription ends at the end of the period."
            if cancel == "true"
            else ("Your subscription renews.")
        )
    if action == "cancel_now":
        subscriptions.cancel(account, row.object_id)
        return "Your subscription is canceled."
    raise billing.invalid("Unknown action.")


@sandbox_endpoint("stripe", error_body)
@csrf_protect
@require_http_methods(["GET", "POST"])
def portal_page(request, object_id, secret):
    row = StripeObject.objects.filter(kind="billing_portal.session", object_id=object_id).first()
    if (
        row is None
        or not hmac.compare_digest(row.data["_secret"].encode(), secret.encode())
        or row.data["created"] + LIFETIME < billing.now()
    ):
        return render(request, PORTAL, {"gone": "This portal link has expired."}, status=404)
    account, session = row.account, row.data
    done, problem = "", ""
    if request.method == "POST":
        try:
            done = _act(account, session["customer"], request.POST)
        except store.StripeError as error:
            problem = error.message
    context = {**_context(account, session), "done": done, "error": problem}
    return render(request, PORTAL, context, status=400 if problem else 200)


@sandbox_endpoint("stripe", error_body)
@csrf_protect
@require_http_methods(["GET", "POST"])
def invoice_page(request, object_id):
    row = StripeObject.objects.filter(kind="invoice", object_id=object_id).first()
    if row is None or row.data["status"] == "draft":
        return render(request, INVOICE, {"gone": "This invoice does not exist."}, status=404)
    if request.method == "POST" and row.data["status"] == "open":
        invoices.pay(row.account, object_id)
        return HttpResponseRedirect(request.path)
    invoice = row.data
    context = {
        "invoice": invoice,
        "lines": [
            {
                "description": line["description"],
                "amount": billing.money(line["amount"], line["currency"]),
            }
            for line in invoice["lines"]["data"]
        ],
        "due": billing.money(invoice["amount_remaining"], invoice["currency"]),
        "total": billing.money(invoice["total"], invoice["currency"]),
    }
    return render(request, INVOICE, context)
