"""The Microsoft identity platform (v2.0) as msal uses it: the OpenID configuration document,
the authorize (consent) page and the token endpoint.

https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow. msal reads
``{authority}/v2.0/.well-known/openid-configuration``; the token endpoint it announces is https
on the authority's host (msal refuses anything else, see tls.py). The authorize page is the one
a person's browser opens, so it is announced on the sandbox's own address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from urllib.parse import unquote, urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sandbox.faults import sandbox_endpoint

from . import tokens
from .models import MicrosoftAuthCode, MicrosoftGrant

CODE_LIFETIME = timedelta(minutes=10)
DEFAULT_EMAIL = "me@outlook.example"
# AADSTS codes of the errors answered here
# (learn.microsoft.com/entra/identity-platform/reference-error-codes).
AADSTS = {"invalid_grant": 70000, "invalid_client": 7000215, "invalid_request": 900144}


def oauth_error_body(status: int, error: str = "", description: str = "") -> dict:
    error = error or ("temporarily_unavailable" if status >= 500 else "invalid_request")
    code = AADSTS.get(error, 90000)
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {description or error}",
        "error_codes": [code],
        "timestamp": timezone.now().strftime("%Y-%m-%d %H:%M:%SZ"),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }


def _error(status: int, error: str, description: str) -> JsonResponse:
    return JsonResponse(oauth_error_body(status, error, description), status=status)


def _https_origin() -> str:
    parts = urlsplit(settings.MICROSOFT_AUTHORITY)
    return f"{parts.scheme}://{parts.netloc}"


@sandbox_endpoint("microsoft", oauth_error_body)
@require_GET
def openid_configuration(request: HttpRequest, tenant: str) -> JsonResponse:
    """``/{tenant}/v2.0/.well-known/openid-configuration``."""
    token_path = reverse("sandbox:microsoft-token", args=[tenant])
    authorize_path = reverse("sandbox:microsoft-authorize", args=[tenant])
    sandbox = urlsplit(settings.SANDBOX_URL)
    return JsonResponse(
        {
            "issuer": tokens.issuer(),
            "authorization_endpoint": f"{sandbox.scheme}://{sandbox.netloc}{authorize_path}",
            "token_endpoint": _https_origin() + token_path,
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "response_types_supported": ["code", "id_token", "code id_token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "tenant_region_scope": None,
        }
    )


def _problem(params) -> str | None:
    """Why Microsoft would show its own error page instead of the sign-in page."""
    if not hmac.compare_digest(params.get("client_id", "").encode(), _client_id().encode()):
        return "AADSTS700016: Application not found in the directory."
    redirect = urlsplit(params.get("redirect_uri", ""))
    if redirect.scheme not in ("http", "https") or not redirect.netloc:
        return "AADSTS50011: The redirect URI is not a valid absolute URL."
    if params.get("response_type") != "code":
        return "AADSTS900144: response_type must be code here."
    return None


def _client_id() -> str:
    return settings.MICROSOFT_CLIENT_ID


def _redirect(uri: str, **params: str) -> HttpResponseRedirect:
    separator = "&" if urlsplit(uri).query else "?"
    query = urlencode({name: value for name, value in params.items() if value})
    return HttpResponseRedirect(f"{uri}{separator}{query}")


@sandbox_endpoint("microsoft", oauth_error_body)
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest, tenant: str) -> HttpResponse:
    """``/{tenant}/oauth2/v2.0/authorize``: sign-in and consent; the form posts back here."""
    params = request.GET
    problem = _problem(params)
    if problem:
        return render(request, "sandbox/microsoft_consent.html", {"error": problem}, status=400)
    context = {
        "client_id": params["client_id"],
        "redirect_uri": params["redirect_uri"],
        "scopes": params.get("scope", "").split(),
        "email": request.POST.get("email", DEFAULT_EMAIL).strip().lower(),
    }
    if request.method == "GET":
        return render(request, "sandbox/microsoft_consent.html", context)
    state = params.get("state", "")
    if request.POST.get("decision") == "deny":
        return _redirect(
            params["redirect_uri"],
            error="access_denied",
            error_description="AADSTS65004: User declined to consent to access the app.",
            state=state,
        )
    if request.POST.get("decision") != "allow" or "@" not in context["email"]:
        context["email_error"] = "Enter the account's email address."
        return render(request, "sandbox/microsoft_consent.html", context, status=400)
    code = MicrosoftAuthCode.objects.create(
        code="M." + secrets.token_urlsafe(40),
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        scopes=params.get("scope", ""),
        email=context["email"],
        code_challenge=params.get("code_challenge", ""),
        code_challenge_method=params.get("code_challenge_method", ""),
        nonce=params.get("nonce", ""),
    )
    return _redirect(
        params["redirect_uri"], code=code.code, state=state, session_state=str(uuid.uuid4())
    )


def _client(request: HttpRequest) -> tuple[str, str]:
    """The client id and secret, from the form (msal's way) or HTTP Basic."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
            return unquote(client_id), unquote(secret)
        except ValueError:
            return "", ""
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@sandbox_endpoint("microsoft", oauth_error_body)
@require_POST
def token(request: HttpRequest, tenant: str) -> JsonResponse:
    """``/{tenant}/oauth2/v2.0/token``: the code exchange (PKCE checked) and refreshes, which
    rotate the refresh token."""
    client_id, secret = _client(request)
    if not (
        hmac.compare_digest(client_id.encode(), _client_id().encode())
        and hmac.compare_digest(secret.encode(), settings.MICROSOFT_CLIENT_SECRET.encode())
    ):
        return _error(401, "invalid_client", "Invalid client secret provided.")
    grant_type = request.POST.get("grant_type")
    if grant_type == "authorization_code":
        return _exchange(request, client_id)
    if grant_type == "refresh_token":
        return _refresh(request, client_id)
    return _error(400, "unsupported_grant_type", f"The grant type {grant_type} is not supported.")


def _pkce_matches(code: MicrosoftAuthCode, verifier: str) -> bool:
    if not code.code_challenge:
        return True
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return bool(verifier) and hmac.compare_digest(verifier.encode(), code.code_challenge.encode())


def _exchange(request: HttpRequest, client_id: str) -> JsonResponse:
    now = timezone.now()
    given = request.POST.get("code", "")
    code = MicrosoftAuthCode.objects.filter(code=given, client_id=client_id).first()
    if code is None or now - code.created_at > CODE_LIFETIME:
        return _error(400, "invalid_grant", "The provided authorization code is invalid.")
    if not MicrosoftAuthCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now):
        return _error(400, "invalid_grant", "The authorization code was already redeemed.")
    if request.POST.get("redirect_uri", "") != code.redirect_uri:
        return _error(400, "invalid_grant", "The redirect URI does not match the one authorized.")
    if not _pkce_matches(code, request.POST.get("code_verifier", "")):
        return _error(400, "invalid_grant", "The code_verifier does not match the challenge.")
    grant = tokens.create_grant(code.email, code.scopes or tokens.DEFAULT_SCOPES)
    return JsonResponse(tokens.issue(grant, code.nonce))


def _refresh(request: HttpRequest, client_id: str) -> JsonResponse:
    given = request.POST.get("refresh_token", "")
    grant = MicrosoftGrant.objects.filter(refresh_token=given, client_id=client_id).first()
    grant = tokens.rotate(grant, given) if given and grant is not None else None
    if grant is None:
        return _error(
            400, "invalid_grant", "The refresh token has expired, was revoked or was already used."
        )
    return JsonResponse(tokens.issue(grant))
