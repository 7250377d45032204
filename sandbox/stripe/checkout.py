"""The sandbox Stripe's Checkout in subscription mode: sessions (create, retrieve, list with
``customer``/``status``/``subscription``, expire, ``/line_items``) and the hosted page their
``url`` opens.

Create takes ``mode=subscription``, ``line_items[][price]``/``[quantity]`` (recurring prices),
``success_url`` (its ``{CHECKOUT_SESSION_ID}`` replaced on the way back), ``cancel_url``,
``customer`` or ``customer_email``, ``client_reference_id``, ``metadata``,
``subscription_data[metadata]``/``[description]`` and ``expires_at``. The page shows the plan and
its amount and a card field filled with Stripe's test card 4242 4242 4242 4242; subscribing
makes the customer (with the email given, unless the session named one), the subscription,
active, and its first invoice, paid, then redirects to ``success_url``. Events, in one
transaction: ``customer.created``, ``checkout.session.completed``,
``customer.subscription.created``, ``invoice.created``, ``invoice.finalized``, ``invoice.paid``,
``invoice.payment_succeeded`` (Stripe does not promise an order; this is the sandbox's). Test
cards 4000 0000 0000 0341 and 4000 0000 0000 0002 are declined on the page and nothing is made.
A completed or expired session's page says so. The form is CSRF-protected and completes a
session at most once (its row is locked while it completes).
https://docs.stripe.com/api/checkout/sessions,
https://docs.stripe.com/payments/checkout/build-subscriptions, https://docs.stripe.com/testing"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from sandbox.faults import sandbox_endpoint

from . import billing, invoices, store, subscriptions
from .api import error_body, route, stripe_api
from .models import StripeObject

LIFETIME = 24 * 3600
TEST_CARD = "4242 4242 4242 4242"
DECLINED = {"4000000000000341", "4000000000000002"}
TEMPLATE = "sandbox/stripe/checkout.html"
CREATE = {
    "mode",
    "line_items",
    "success_url",
    "cancel_url",
    "customer",
    "customer_email",
    "client_reference_id",
    "metadata",
    "subscription_data",
    "expires_at",
    "payment_method_types",
    "locale",
}


def _url(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise billing.invalid("Not a valid URL", name, "url_invalid")
    return str(value)


def _lines(account, params: dict) -> list[dict]:
    given = params.get("line_items")
    if not isinstance(given, list) or not given:
        raise store.StripeError(
            400,
            "invalid_request_error",
            "Missing required param: line_items.",
            code="parameter_missing",
            param="line_items",
        )
    lines = []
    for index, entry in enumerate(given):
        if not isinstance(entry, dict):
            raise billing.invalid("Invalid object", f"line_items[{index}]")
        store.refuse_unknown(entry, {"price", "quantity"})
        price = subscriptions.recurring_price(
            account, entry.get("price"), f"line_items[{index}][price]"
        )
        quantity = billing.integer(entry.get("quantity", 1), f"line_items[{index}][quantity]", 1)
        lines.append({"price": price["id"], "quantity": quantity, "_price": price})
    if len({line["_price"]["currency"] for line in lines}) > 1:
        raise billing.invalid("All line items must have the same currency.", "line_items")
    return lines


def new_session(account, params: dict) -> dict:
    store.refuse_unknown(params, CREATE)
    if store.required(params, "mode") != "subscription":
        raise billing.invalid(
            "The sandbox's Checkout makes sessions in subscription mode only.", "mode"
        )
    if params.get("customer") and params.get("customer_email"):
        raise billing.invalid(
            "You may only specify one of these parameters: customer, customer_email.",
            "customer_email",
        )
    customer = params.get("customer") or None
    if customer:
        store.find(account, "customer", customer)
    lines = _lines(account, params)
    extra = params.get("subscription_data") or {}
    if not isinstance(extra, dict):
        raise billing.invalid("Invalid object", "subscription_data")
    store.refuse_unknown(extra, {"metadata", "description"})
    at = billing.now()
    expires = billing.integer(params.get("expires_at", at + LIFETIME), "expires_at", at + 1800)
    total = sum(line["_price"]["unit_amount"] * line["quantity"] for line in lines)
    object_id = store.new_id("checkout.session") + store.new_id("checkout.session")[8:]
    return {
        "id": object_id,
        "object": "checkout.session",
        "adaptive_pricing": None,
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": total,
        "amount_total": total,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": _url(params, "cancel_url"),
        "client_reference_id": params.get("client_reference_id") or None,
        "client_secret": None,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "created": at,
        "currency": lines[0]["_price"]["currency"],
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": customer,
        "customer_account": None,
        "customer_creation": None,
        "customer_details": None,
        "customer_email": params.get("customer_email") or None,
        "discounts": [],
        "expires_at": expires,
        "integration_identifier": None,
        "invoice": None,
        "invoice_creation": None,
        "livemode": False,
        "locale": params.get("locale") or None,
        "managed_payments": None,
        "metadata": store.metadata({}, params.get("metadata")),
        "mode": "subscription",
        "origin_context": None,
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "always",
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "permissions": None,
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "saved_payment_method_options": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": _url(params, "success_url"),
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": billing.page_url(f"checkout/{object_id}"),
        "wallet_options": None,
        "_lines": [{"price": line["price"], "quantity": line["quantity"]} for line in lines],
        "_subscription_data": {
            "metadata": store.metadata({}, extra.get("metadata")),
            "description": extra.get("description") or None,
        },
    }


def line_items(account, session: dict) -> dict:
    """The session's line items as the list object of ``/line_items``."""
    data = []
    for index, line in enumerate(session["_lines"]):
        price = store.live(account, "price").filter(object_id=line["price"]).first().data
        product = store.live(account, "product").filter(object_id=price["product"]).first()
        amount = price["unit_amount"] * line["quantity"]
        data.append(
            {
                "id": f"li_{session['id'][-14:]}{index}",
                "object": "item",
                "amount_discount": 0,
                "amount_subtotal": amount,
                "amount_tax": 0,
                "amount_total": amount,
                "currency": price["currency"],
                "description": product.data["name"] if product else price["product"],
                "price": price,
                "quantity": line["quantity"],
            }
        )
    url = f"/v1/checkout/sessions/{session['id']}/line_items"
    return {"object": "list", "data": data, "has_more": False, "url": url}


def expire(row: StripeObject) -> dict:
    before = row.data
    if before["status"] != "open":
        raise billing.invalid(
            'Only Checkout Sessions with a status in ["open"] can be expired.',
            code="checkout_session_not_open",
        )
    session = billing.save(row, {**before, "status": "expired", "url": None})
    billing.announce(row.account, "checkout.session.expired", session)
    return session


def complete(row: StripeObject, email: str) -> dict:
    """Customer, subscription and its paid first invoice; the session complete. Call inside a
    transaction with ``row`` locked and open."""
    account = row.account
    session = copy.deepcopy(row.data)
    events: invoices.Events = []
    if session["customer"]:
        customer = billing.row_of(account, "customer", session["customer"]).data
    else:
        customer = store.customer_body(store.new_id("customer"))
        customer["email"] = email
        billing.create(account, "customer", customer)
        events.append(("customer.created", customer, None))
    lines = [
        (billing.row_of(account, "price", line["price"]).data, line["quantity"])
        for line in session["_lines"]
    ]
    subscription, invoice, billed = subscriptions.start(
        account, customer["id"], lines, session["_subscription_data"]
    )
    session.update(
        status="complete",
        payment_status="paid",
        customer=customer["id"],
        subscription=subscription["id"],
        invoice=invoice["id"],
        url=None,
        customer_details={
            "address": customer["address"],
            "business_name": None,
            "email": customer["email"] or email,
            "individual_name": None,
            "name": customer["name"],
            "phone": customer["phone"],
            "tax_exempt": "none",
            "tax_ids": [],
        },
    )
    billing.save(row, session)
    events.append(("checkout.session.completed", copy.deepcopy(session), None))
    invoices.record(account, events + billed)
    return session


def card_problem(number: str) -> str | None:
    digits = "".join(number.split())
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return "Your card number is invalid."
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    if total % 10:
        return "Your card number is invalid."
    if digits in DECLINED:
        return "Your card was declined."
    return None


# Views ---------------------------------------------------------------------------------------


def _answer(account, session: dict, params: dict) -> JsonResponse:
    body = billing.expand(account, billing.public(session), params)
    if "line_items" in (params.get("expand") or []):
        body["line_items"] = line_items(account, session)
    return JsonResponse(body)


@stripe_api
def create_session(request, account, params):
    session = new_session(account, params)
    billing.create(account, "checkout.session", session)
    return _answer(account, session, params)


@stripe_api
def get_session(request, account, params, object_id):
    return _answer(account, billing.row_of(account, "checkout.session", object_id).data, params)


@stripe_api
def list_sessions(request, account, params):
    rows = store.live(account, "checkout.session")
    for name in ("customer", "status", "subscription"):
        if name in params:
            rows = rows.filter(**{f"data__{name}": params.pop(name)})
    store.refuse_unknown(params, {"limit", "starting_after", "ending_before"})
    answer = store.page(rows, params, "/v1/checkout/sessions", lambda row: billing.public(row.data))
    return JsonResponse(billing.expand(account, answer, params))


@stripe_api
def expire_session(request, account, params, object_id):
    with transaction.atomic():
        session = expire(billing.row_of(account, "checkout.session", object_id, lock=True))
    return _answer(account, session, params)


@stripe_api
def get_line_items(request, account, params, object_id):
    session = billing.row_of(account, "checkout.session", object_id).data
    return JsonResponse(line_items(account, session))


sessions = route(GET=list_sessions, POST=create_session)
session = route(GET=get_session)
session_expire = route(POST=expire_session)
session_line_items = route(GET=get_line_items)


@sandbox_endpoint("stripe", error_body)
@csrf_protect
@require_http_methods(["GET", "POST"])
def page(request, object_id):
    """The hosted Checkout page of a session."""
    with transaction.atomic():
        row = (
            StripeObject.objects.select_for_update()
            .filter(kind="checkout.session", object_id=object_id, deleted=False)
            .first()
        )
        if row is None:
            return render(request, TEMPLATE, {"gone": "This Checkout page does not exist."}, 404)
        if row.data["status"] == "open" and row.data["expires_at"] <= billing.now():
            expire(row)
        session = row.data
        if session["status"] != "open":
            gone = (
                "You have already subscribed with this Checkout page."
                if session["status"] == "complete"
                else "This Checkout page has expired."
            )
            return render(request, TEMPLATE, {"gone": gone}, status=410)
        customer = None
        if session["customer"]:
            customer = billing.row_of(row.account, "customer", session["customer"]).data
        email = (customer or {}).get("email") or session["customer_email"] or ""
        items = line_items(row.account, session)["data"]
        for item in items:
            item["shown"] = billing.money(item["amount_total"], item["currency"])
        context = {
            "session": session,
            "items": items,
            "total": billing.money(session["amount_total"], session["currency"]),
            "email": request.POST.get("email", email).strip(),
            "email_fixed": bool((customer or {}).get("email") or session["customer_email"]),
            "card": request.POST.get("card", TEST_CARD),
        }
        if request.method == "GET":
            return render(request, TEMPLATE, context)
        chosen = email if context["email_fixed"] else context["email"]
        problem = card_problem(context["card"])
        if not chosen or "@" not in chosen:
            problem = "Enter your email address."
        if problem:
            return render(request, TEMPLATE, {**context, "error": problem}, status=402)
        done = complete(row, chosen)
    if not done["success_url"]:
        return render(request, TEMPLATE, {"gone": "Thanks for subscribing."})
    return HttpResponseRedirect(done["success_url"].replace("{CHECKOUT_SESSION_ID}", done["id"]))
