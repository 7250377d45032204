"""The account a key authenticates as (``GET /v1/account``), as Stripe describes a standard
account: its profile, capabilities, requirements and settings.
https://docs.stripe.com/api/accounts/retrieve"""

from __future__ import annotations

from django.http import JsonResponse

from .api import route, stripe_api
from .models import StripeAccount


def _address() -> dict:
    return dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))


def _requirements() -> dict:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": [],
        "disabled_reason": None,
        "errors": [],
        "eventually_due": [],
        "past_due": [],
        "pending_verification": [],
    }


def account_body(account: StripeAccount) -> dict:
    name = f"Sandbox {account.account_id[-6:]}"
    return {
        "id": account.account_id,
        "object": "account",
        "business_profile": {
            "annual_revenue": {"amount": None, "currency": None, "fiscal_year_end": None},
            "estimated_worker_count": None,
            "mcc": None,
            "name": name,
            "product_description": None,
            "support_address": _address(),
            "support_email": None,
            "support_phone": None,
            "support_url": None,
            "url": None,
            "minority_owned_business_designation": None,
        },
        "business_type": None,
        "capabilities": {"card_payments": "active", "transfers": "active"},
        "charges_enabled": True,
        "controller": {"type": "account"},
        "country": "US",
        "created": int(account.created_at.timestamp()),
        "default_currency": "usd",
        "details_submitted": True,
        "email": None,
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/accounts/{account.account_id}/external_accounts",
        },
        "future_requirements": _requirements(),
        "metadata": {},
        "payouts_enabled": True,
        "requirements": _requirements(),
        "settings": {
            "dashboard": {"display_name": name, "timezone": "Etc/UTC"},
            "payments": {
                "statement_descriptor": None,
                "statement_descriptor_kana": None,
                "statement_descriptor_kanji": None,
                "statement_descriptor_prefix_kana": None,
                "statement_descriptor_prefix_kanji": None,
            },
            "payouts": {
                "debit_negative_balances": True,
                "schedule": {"delay_days": 2, "interval": "daily"},
                "statement_descriptor": None,
            },
        },
        "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        "type": "standard",
    }


@stripe_api
def get_account(request, account, params):
    return JsonResponse(account_body(account))


current = route(GET=get_account)
