"""The bodies of payment intents, charges and refunds, with the fields of Stripe's published
examples of those objects (stripe/openapi, openapi/fixtures3.json) and values of the sandbox's
own. https://docs.stripe.com/api/payment_intents/object, https://docs.stripe.com/api/charges/object,
https://docs.stripe.com/api/refunds/object, https://docs.stripe.com/testing#cards"""

from __future__ import annotations

import secrets
import time

from . import store
from .models import StripeObject

#: Stripe's test payment methods: the card each stands for and, when declined, the reason.
TEST_METHODS = {
    "pm_card_visa": {"brand": "visa", "last4": "4242", "funding": "credit"},
    "pm_card_mastercard": {"brand": "mastercard", "last4": "4444", "funding": "credit"},
    "pm_card_amex": {"brand": "amex", "last4": "8431", "funding": "credit"},
    "pm_card_chargeDeclined": {
        "brand": "visa",
        "last4": "0002",
        "funding": "credit",
        "decline": "generic_decline",
    },
    "pm_card_chargeDeclinedInsufficientFunds": {
        "brand": "visa",
        "last4": "9995",
        "funding": "credit",
        "decline": "insufficient_funds",
    },
}
DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}
#: The id fields ``expand[]`` can replace with their object, and the object's kind.
EXPANDABLE = {
    "latest_charge": "charge",
    "customer": "customer",
    "payment_intent": "payment_intent",
    "charge": "charge",
}
ADDRESS = {key: None for key in ("city", "country", "line1", "line2", "postal_code", "state")}


def intent(object_id: str, amount: int, currency: str, created: int | None = None) -> dict:
    return {
        "id": object_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{object_id}_secret_{secrets.token_urlsafe(18)}",
        "confirmation_method": "automatic",
        "created": int(time.time()) if created is None else created,
        "currency": currency,
        "customer": None,
        "customer_account": None,
        "description": None,
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }


def _card_details(card: dict, amount: int) -> dict:
    return {
        "card": {
            "amount_authorized": None if card.get("decline") else amount,
            "authorization_code": None,
            "brand": card["brand"],
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": "pass",
            },
            "country": "US",
            "exp_month": 12,
            "exp_year": 2034,
            "extended_authorization": {"status": "disabled"},
            "fingerprint": "sbx" + card["last4"] + card["brand"][:4],
            "funding": card["funding"],
            "incremental_authorization": {"status": "unavailable"},
            "installments": None,
            "last4": card["last4"],
            "mandate": None,
            "multicapture": {"status": "unavailable"},
            "network": card["brand"],
            "network_token": {"used": False},
            "network_transaction_id": None,
            "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
            "regulated_status": None,
            "three_d_secure": None,
            "transaction_link_id": None,
            "wallet": None,
        },
        "type": "card",
    }


def charge(object_id: str, intent: dict, method_id: str, card: dict) -> dict:
    declined = card.get("decline")
    amount = intent["amount"]
    outcome = {
        "advice_code": "try_again_later" if declined else None,
        "network_advice_code": None,
        "network_decline_code": None,
        "network_status": "declined_by_network" if declined else "approved_by_network",
        "reason": declined or None,
        "seller_message": (
            "The bank did not return any further details with this decline."
            if declined
            else "Payment complete."
        ),
        "type": "issuer_declined" if declined else "authorized",
    }
    return {
        "id": object_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": 0 if declined else amount,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": None if declined else store.new_id("balance_transaction"),
        "billing_details": {
            "address": dict(ADDRESS),
            "email": None,
            "name": None,
            "phone": None,
            "tax_id": None,
        },
        "calculated_statement_descriptor": "CLIANTA SANDBOX",
        "captured": not declined,
        "created": intent["created"],
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": "card_declined" if declined else None,
        "failure_message": DECLINE_MESSAGES[declined] if declined else None,
        "fraud_details": {},
        "livemode": False,
        "metadata": dict(intent["metadata"]),
        "on_behalf_of": None,
        "outcome": outcome,
        "paid": not declined,
        "payment_intent": intent["id"],
        "payment_method": method_id,
        "payment_method_details": _card_details(card, amount),
        "receipt_email": intent["receipt_email"],
        "receipt_number": None,
        "receipt_url": None if declined else f"https://pay.stripe.com/receipts/sandbox/{object_id}",
        "refunded": False,
        "refunds": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/charges/{object_id}/refunds",
        },
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "failed" if declined else "succeeded",
        "transfer_data": None,
        "transfer_group": None,
    }


def payment_error(charge: dict, card: dict, method_id: str) -> dict:
    """An intent's ``last_payment_error`` after a decline (the API's error object)."""
    return {
        "charge": charge["id"],
        "code": "card_declined",
        "decline_code": card["decline"],
        "doc_url": "https://docs.stripe.com/error-codes/card-declined",
        "message": charge["failure_message"],
        "payment_method": {"id": method_id, "object": "payment_method", "type": "card"},
        "type": "card_error",
    }


def refund(object_id: str, charge: dict, amount: int) -> dict:
    return {
        "id": object_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": store.new_id("balance_transaction"),
        "charge": charge["id"],
        "created": int(time.time()),
        "currency": charge["currency"],
        "customer": charge["customer"],
        "customer_account": None,
        "destination_details": {"card": {"type": "refund"}, "type": "card"},
        "metadata": {},
        "payment_intent": charge["payment_intent"],
        "payment_method": charge["payment_method"],
        "reason": None,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }


def expand(account, body: dict, params: dict) -> dict:
    """``expand[]`` of the id fields of ``body`` itself (``latest_charge``, ``customer``,
    ``payment_intent``, ``charge``); other paths are accepted and left as they are."""
    wanted = params.get("expand") or []
    body = dict(body)
    for name in wanted if isinstance(wanted, list) else [wanted]:
        kind = EXPANDABLE.get(name)
        if kind and isinstance(body.get(name), str):
            found = StripeObject.objects.filter(
                account=account, kind=kind, object_id=body[name]
            ).first()
            body[name] = found.data if found else body[name]
    return body
