"""Salesforce's OAuth 2.0 web server flow with PKCE: the consent page, the token endpoint
(authorization code and refresh token grants) and revocation.
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm

The only client is settings.SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET, read at request
time; any absolute http(s) redirect URI is taken as registered. People consent as a user of the
sandbox's default org (made on first use), named by the username they type.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sandbox.faults import sandbox_endpoint
from sandbox.oauth_pages import basic_credentials, same, with_query

from . import store, tokens
from .models import SalesforceAuthCode, SalesforceGrant, SalesforceSession

CODE_LIFETIME = timedelta(minutes=15)
SCOPES = {
    "address", "api", "cdp_api", "chatter_api", "content", "custom_permissions", "email",
    "full", "id", "lightning", "offline_access", "openid", "phone", "profile",
    "refresh_token", "visualforce", "web",
}  # fmt: skip
# What an authorization without scope is granted: the scopes of the sandbox's connected app.
APP_SCOPES = "api id refresh_token"


def oauth_error_body(status: int) -> dict:
    """An injected fault's body: Salesforce's answer when it cannot serve the request."""
    return {"error": "unknown_error", "error_description": "retry your request"}


def oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _page_problem(params: QueryDict) -> str | None:
    """Why Salesforce would show an error page instead of the consent page (no redirect)."""
    if not same(params.get("client_id", ""), settings.SALESFORCE_CLIENT_ID):
        return "invalid_client_id: client identifier invalid"
    redirect = urlsplit(params.get("redirect_uri", ""))
    if redirect.scheme not in ("http", "https") or not redirect.netloc or redirect.fragment:
        return "redirect_uri_mismatch: redirect_uri must match configuration"
    return None


def _redirect_problem(params: QueryDict) -> tuple[str, str] | None:
    """An error Salesforce sends back to the redirect URI."""
    if params.get("response_type") != "code":
        return "unsupported_response_type", "response type not supported"
    if params.get("code_challenge_method", "S256") != "S256":
        return "invalid_request", "invalid code_challenge_method"
    if not set(params.get("scope", "").split()) <= SCOPES:
        return "invalid_scope", "the requested scope is not allowed"
    return None


@sandbox_endpoint("salesforce", oauth_error_body)
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """``/services/oauth2/authorize``: the consent page; its form posts back to the same URL."""
    params = request.GET
    problem = _page_problem(params)
    if problem:
        return render(request, "sandbox/salesforce_consent.html", {"error": problem}, status=400)
    redirect_uri, state = params["redirect_uri"], params.get("state", "")
    answer_error = _redirect_problem(params)
    if answer_error:
        error, description = answer_error
        return HttpResponseRedirect(
            with_query(redirect_uri, error=error, error_description=description, state=state)
        )
    scopes = " ".join(dict.fromkeys(params.get("scope", "").split())) or APP_SCOPES
    context = {
        "client_id": params["client_id"],
        "redirect_uri": redirect_uri,
        "scopes": scopes.split(),
        "username": request.POST.get("username", store.DEFAULT_USERNAME),
    }
    if request.method == "GET":
        return render(request, "sandbox/salesforce_consent.html", context)
    decision = request.POST.get("decision")
    if decision == "deny":
        return HttpResponseRedirect(
            with_query(
                redirect_uri,
                error="access_denied",
                error_description="end-user denied authorization",
                state=state,
            )
        )
    username = context["username"].strip()
    try:
        validate_email(username)
        user = store.user_for(store.default_org(), username)
    except (ValidationError, ValueError):
        context["username_error"] = "Enter the username of a user of this org (an email)."
        return render(request, "sandbox/salesforce_consent.html", context, status=400)
    if decision != "allow":
        return render(request, "sandbox/salesforce_consent.html", context, status=400)
    code = SalesforceAuthCode.objects.create(
        code="aPrx" + secrets.token_urlsafe(48),
        user=user,
        client_id=params["client_id"],
        redirect_uri=redirect_uri,
        scopes=scopes,
        code_challenge=params.get("code_challenge", ""),
    )
    return HttpResponseRedirect(with_query(redirect_uri, code=code.code, state=state))


@sandbox_endpoint("salesforce", oauth_error_body)
@require_http_methods(["POST"])
def token(request: HttpRequest) -> JsonResponse:
    """``/services/oauth2/token``: exchange a code, or refresh a session."""
    form = request.POST
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id:
        client_id, secret = basic_credentials(request)
    grant_type = form.get("grant_type", "")
    if grant_type not in ("authorization_code", "refresh_token"):
        return oauth_error("unsupported_grant_type", "grant type not supported")
    if not same(client_id, settings.SALESFORCE_CLIENT_ID):
        return oauth_error("invalid_client_id", "client identifier invalid")
    if not same(secret, settings.SALESFORCE_CLIENT_SECRET):
        return oauth_error("invalid_client", "invalid client credentials")
    if grant_type == "authorization_code":
        return _exchange(form, client_id)
    return _refresh(form, client_id)


def _challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _exchange(form: QueryDict, client_id: str) -> JsonResponse:
    now = timezone.now()
    code = SalesforceAuthCode.objects.filter(code=form.get("code", ""), client_id=client_id)
    code = code.select_related("user__org").first()
    if code is None:
        return oauth_error("invalid_grant", "invalid authorization code")
    # Single use, even between concurrent exchanges: one conditional UPDATE finds it unused.
    taken = SalesforceAuthCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now)
    if not taken or now - code.created_at > CODE_LIFETIME:
        return oauth_error("invalid_grant", "expired authorization code")
    if form.get("redirect_uri", "") != code.redirect_uri:
        return oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration")
    # A wrong or missing verifier for a code issued with a challenge; Salesforce answers
    # invalid_grant "invalid code verifier" (its help pages show no other error for it).
    verifier = form.get("code_verifier", "")
    if code.code_challenge and not same(_challenge_of(verifier), code.code_challenge):
        return oauth_error("invalid_grant", "invalid code verifier")
    grant = tokens.create_grant(code.user, code.scopes, client_id)
    return JsonResponse(tokens.issue(grant))


def _refresh(form: QueryDict, client_id: str) -> JsonResponse:
    """A new session of the grant; the answer has no refresh token (Salesforce keeps the one
    the client has unless the app rotates them)."""
    grant = SalesforceGrant.objects.select_related("user__org").filter(
        client_id=client_id, refresh_token=form.get("refresh_token") or None, revoked_at=None
    )
    grant = grant.first()
    if grant is None:
        return oauth_error("invalid_grant", "expired access/refresh token")
    return JsonResponse(tokens.issue(grant, with_refresh_token=False))


@sandbox_endpoint("salesforce", oauth_error_body)
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest) -> HttpResponse:
    """``/services/oauth2/revoke``: a refresh token revokes its grant and every session of it;
    an access token, that session."""
    value = request.POST.get("token") or request.GET.get("token") or ""
    grant = SalesforceGrant.objects.filter(refresh_token=value or None, revoked_at=None).first()
    if grant is not None:
        tokens.revoke_grant(grant)
        return HttpResponse(status=200)
    session = tokens.session_for(value)
    if session is None:
        return oauth_error("invalid_token", "invalid token")
    SalesforceSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now())
    return HttpResponse(status=200)
