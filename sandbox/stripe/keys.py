"""Keys other than an account's own secret key: restricted keys (``rk_test_…``) and the OAuth
tokens of connected accounts, and how they stop working (revoked, or rolled into a new key).
A key that no longer works answers 401 ``Invalid API Key provided: rk_test_****…`` as Stripe
does. https://docs.stripe.com/keys#limit-access, https://docs.stripe.com/keys#rolling-keys

Control routes (JSON, for tests and people under ``make run``):

- ``POST /sandbox/stripe/_keys`` ``{"account": "acct_…"?}`` → 201 ``{"key", "account"}``: a new
  restricted key of that account (a new account when none is named).
- ``DELETE /sandbox/stripe/_keys/<key>`` → ``{"key", "revoked": true}``.
- ``POST /sandbox/stripe/_keys/<key>/roll`` → ``{"key": <new key>, "account"}``; the old key
  is revoked.
"""

from __future__ import annotations

import json
import secrets

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import store
from .models import StripeAccount, StripeKey

#: Kinds of key that authenticate API requests (a refresh token only gets new access tokens).
AUTHENTICATING = (StripeKey.RESTRICTED, StripeKey.ACCESS)


def make_key(account: StripeAccount, kind: str, platform: StripeAccount | None = None) -> str:
    prefix = {StripeKey.RESTRICTED: "rk_test_", StripeKey.ACCESS: "sk_test_"}.get(kind, "rt_")
    key = prefix + secrets.token_urlsafe(36).replace("-", "x").replace("_", "y")
    StripeKey.objects.create(account=account, key=key, kind=kind, platform=platform)
    return key


def restricted_key(account: StripeAccount) -> str:
    """A new restricted key that authenticates as ``account``."""
    return make_key(account, StripeKey.RESTRICTED)


def account_of(key: str) -> StripeAccount | None:
    """The account a restricted key or an access token authenticates as (None once revoked)."""
    found = (
        StripeKey.objects.filter(key=key, kind__in=AUTHENTICATING, revoked_at__isnull=True)
        .select_related("account")
        .first()
    )
    return found.account if found else None


def revoke(key: str) -> bool:
    """Revoke a key; False when there is no such key still working."""
    return bool(
        StripeKey.objects.filter(key=key, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def roll(key: str) -> str | None:
    """A new key of the same kind and account; the old one is revoked. None if unknown."""
    with transaction.atomic():
        found = StripeKey.objects.select_for_update().filter(key=key, revoked_at=None).first()
        if found is None:
            return None
        revoke(key)
        return make_key(found.account, found.kind, found.platform)


# Control routes ------------------------------------------------------------------------------


def _missing(what: str) -> JsonResponse:
    return JsonResponse({"error": f"no such {what}"}, status=404)


@csrf_exempt
@require_POST
def keys_view(request: HttpRequest) -> JsonResponse:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return JsonResponse({"error": "send a JSON object"}, status=400)
    if data.get("account"):
        account = StripeAccount.objects.filter(account_id=data["account"]).first()
        if account is None:
            return _missing("account")
    else:
        account = store.create_account()
    return JsonResponse({"key": restricted_key(account), "account": account.account_id}, status=201)


@csrf_exempt
@require_http_methods(["DELETE"])
def key_view(request: HttpRequest, key: str) -> JsonResponse:
    if not revoke(key):
        return _missing("key")
    return JsonResponse({"key": key, "revoked": True})


@csrf_exempt
@require_POST
def roll_view(request: HttpRequest, key: str) -> JsonResponse:
    fresh = roll(key)
    if fresh is None:
        return _missing("key")
    return JsonResponse({"key": fresh, "account": account_of(fresh).account_id})


def acting_as(account: StripeAccount, target: str, shown: str) -> StripeAccount:
    """The account a request acts on: its key's, or with ``Stripe-Account: acct_…`` a standard
    account connected to it (403 ``account_invalid`` otherwise).
    https://docs.stripe.com/connect/authentication#stripe-account-header"""
    from .models import StripeConnection

    if not target or target == account.account_id:
        return account
    connection = (
        StripeConnection.objects.filter(
            platform=account, account__account_id=target, deauthorized_at=None
        )
        .select_related("account")
        .first()
    )
    if connection is None:
        raise store.StripeError(
            403,
            "invalid_request_error",
            f"The provided key '{shown}' does not have access to account '{target}' (or that "
            "account does not exist). Application access may have been revoked.",
            code="account_invalid",
        )
    return connection.account
