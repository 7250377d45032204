"""Stripe Connect OAuth for standard accounts, played by the sandbox: the consent page a person
clicks through (``/oauth/authorize``), the code exchange and refresh (``/oauth/token``) and the
disconnection (``/oauth/deauthorize``), under ``STRIPE_CONNECT_URL`` (<SANDBOX_URL>/stripe/connect).
https://docs.stripe.com/connect/oauth-reference, https://docs.stripe.com/connect/oauth-standard-accounts

The only Connect client is ``STRIPE_CONNECT_CLIENT_ID``, Clianta's platform account (the one of
``STRIPE_SECRET_KEY``), whose key authenticates the token and deauthorize calls. A connected
account's access token is a secret key of that account; after a deauthorization its tokens
answer 401 and ``account.application.deauthorized`` goes to the platform's Connect endpoints.
Errors have OAuth's shape ``{"error", "error_description"}``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sandbox.faults import sandbox_endpoint
from sandbox.oauth_pages import same, with_query

from . import keys, store
from .api import error_body
from .models import StripeAccount, StripeAuthCode, StripeConnection, StripeKey
from .platform import platform_account

CODE_LIFETIME = timedelta(minutes=5)
SCOPES = ("read_only", "read_write")
TEMPLATE = "sandbox/stripe/connect_consent.html"


def connect(platform: StripeAccount, account: StripeAccount, scope: str) -> StripeConnection:
    """``account`` connected to ``platform`` (again, if it was disconnected)."""
    connection, _ = StripeConnection.objects.get_or_create(
        platform=platform,
        account=account,
        defaults={"scope": scope, "publishable_key": "pk_test_" + secrets.token_hex(24)},
    )
    if connection.deauthorized_at or connection.scope != scope:
        connection.deauthorized_at, connection.scope = None, scope
        connection.save(update_fields=["deauthorized_at", "scope"])
    return connection


# The consent page ----------------------------------------------------------------------------


def _problem(params) -> str | None:
    """Why Stripe would show an error page rather than redirect back."""
    if not same(params.get("client_id", ""), settings.STRIPE_CONNECT_CLIENT_ID):
        return "No application matches the supplied client identifier."
    redirect = urlsplit(params.get("redirect_uri", ""))
    if redirect.scheme not in ("http", "https") or not redirect.netloc or redirect.fragment:
        return "Missing or invalid redirect_uri: it must be an absolute http(s) URL."
    return None


def _back(params, **answer: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        with_query(params["redirect_uri"], **answer, state=params.get("state", ""))
    )


@sandbox_endpoint("stripe", error_body)
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """The consent page (its form posts back here): a new standard account, or an existing
    sandbox account named by its id, connects to the platform."""
    params = request.GET
    problem = _problem(params)
    if problem:
        return render(request, TEMPLATE, {"error": problem}, status=400)
    if params.get("response_type", "code") != "code":
        return _back(
            params,
            error="unsupported_response_type",
            error_description=f"Unsupported response_type: {params['response_type']}",
        )
    scope = params.get("scope") or "read_only"
    if scope not in SCOPES:
        return _back(params, error="invalid_scope", error_description=f"Invalid scope: {scope}")
    context = {
        "client_id": params["client_id"],
        "redirect_uri": params["redirect_uri"],
        "scope": scope,
        "account": request.POST.get("account", "").strip(),
    }
    if request.method == "GET":
        return render(request, TEMPLATE, context)
    decision = request.POST.get("decision")
    if decision == "deny":
        return _back(
            params, error="access_denied", error_description="The user denied your request"
        )
    platform = platform_account()
    account = None
    if context["account"]:
        account = StripeAccount.objects.filter(account_id=context["account"]).first()
        if account is None or account == platform:
            context["account_error"] = "No such account in the sandbox."
    if decision != "allow" or "account_error" in context or platform is None:
        return render(request, TEMPLATE, context, status=400)
    code = StripeAuthCode.objects.create(
        code="ac_" + secrets.token_urlsafe(24),
        platform=platform,
        account=account or store.create_account(),
        scope=scope,
        redirect_uri=params["redirect_uri"],
    )
    return _back(params, code=code.code, scope=scope)


# Token and deauthorize -----------------------------------------------------------------------


def _oauth_error(status: int, error: str, description: str) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _platform(request: HttpRequest, params: dict) -> StripeAccount | None:
    kind, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip() if kind.lower() == "bearer" else params.get("client_secret", "")
    platform = platform_account()
    if platform is None or store.account_for_key(key) != platform:
        return None
    return platform


def _answer(connection: StripeConnection, access: str, refresh: str) -> JsonResponse:
    return JsonResponse(
        {
            "access_token": access,
            "livemode": False,
            "refresh_token": refresh,
            "scope": connection.scope,
            "stripe_publishable_key": connection.publishable_key,
            "stripe_user_id": connection.account.account_id,
            "token_type": "bearer",
        }
    )


@sandbox_endpoint("stripe", error_body)
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    params = store.parse_form(request.body.decode())
    platform = _platform(request, params)
    if platform is None:
        return _oauth_error(401, "invalid_client", "Invalid API key or client credentials.")
    grant_type = params.get("grant_type")
    if not grant_type:
        return _oauth_error(400, "invalid_request", "No grant type specified")
    if grant_type == "authorization_code":
        return _exchange(platform, str(params.get("code") or ""))
    if grant_type == "refresh_token":
        return _refresh(platform, str(params.get("refresh_token") or ""), params.get("scope"))
    return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")


def _exchange(platform: StripeAccount, given: str) -> JsonResponse:
    if not given:
        return _oauth_error(400, "invalid_request", "No authorization code provided")
    now = timezone.now()
    with transaction.atomic():
        code = (
            StripeAuthCode.objects.select_for_update()
            .select_related("account")
            .filter(code=given, platform=platform)
            .first()
        )
        if code is None or now - code.created_at > CODE_LIFETIME:
            return _oauth_error(400, "invalid_grant", f"Authorization code does not exist: {given}")
        if code.used_at:
            return _oauth_error(400, "invalid_grant", f"Authorization code already used: {given}")
        code.used_at = now
        code.save(update_fields=["used_at"])
        connection = connect(platform, code.account, code.scope)
        access = keys.make_key(code.account, StripeKey.ACCESS, platform)
        refresh = keys.make_key(code.account, StripeKey.REFRESH, platform)
    return _answer(connection, access, refresh)


def _refresh(platform: StripeAccount, given: str, scope) -> JsonResponse:
    with transaction.atomic():
        found = (
            StripeKey.objects.select_for_update()
            .filter(key=given, kind=StripeKey.REFRESH, platform=platform, revoked_at=None)
            .first()
        )
        connection = (
            StripeConnection.objects.filter(
                platform=platform, account_id=found.account_id, deauthorized_at=None
            )
            .select_related("account")
            .first()
            if found and given
            else None
        )
        if connection is None:
            return _oauth_error(400, "invalid_grant", f"Invalid refresh token: {given}")
        if scope and (scope not in SCOPES or (scope, connection.scope) == SCOPES[::-1]):
            return _oauth_error(400, "invalid_scope", f"Invalid scope: {scope}")
        # The access token is rolled: the previous ones stop working.
        StripeKey.objects.filter(
            account=connection.account, platform=platform, kind=StripeKey.ACCESS, revoked_at=None
        ).update(revoked_at=timezone.now())
        access = keys.make_key(connection.account, StripeKey.ACCESS, platform)
    return _answer(connection, access, given)


@sandbox_endpoint("stripe", error_body)
@require_POST
def deauthorize(request: HttpRequest) -> JsonResponse:
    params = store.parse_form(request.body.decode())
    platform = _platform(request, params)
    if platform is None:
        return _oauth_error(401, "invalid_client", "Invalid API key or client credentials.")
    for name in ("client_id", "stripe_user_id"):
        if not params.get(name):
            return _oauth_error(400, "invalid_request", f"No {name} provided")
    if not same(params["client_id"], settings.STRIPE_CONNECT_CLIENT_ID):
        return _oauth_error(401, "invalid_client", f"No such application: {params['client_id']}")
    user = params["stripe_user_id"]
    with transaction.atomic():
        connection = (
            StripeConnection.objects.select_for_update()
            .filter(platform=platform, account__account_id=user, deauthorized_at=None)
            .select_related("account")
            .first()
        )
        if connection is None:
            return _oauth_error(
                401,
                "invalid_client",
                f"This application is not connected to stripe account {user}, or that account "
                "does not exist.",
            )
        application = {"id": params["client_id"], "object": "application", "name": "Clianta"}
        # Recorded while still connected, so it goes to the platform's Connect endpoints.
        store.record_event(connection.account, "account.application.deauthorized", application)
        now = timezone.now()
        StripeKey.objects.filter(
            account=connection.account, platform=platform, revoked_at=None
        ).update(revoked_at=now)
        connection.deauthorized_at = now
        connection.save(update_fields=["deauthorized_at"])
    return JsonResponse({"stripe_user_id": user})
