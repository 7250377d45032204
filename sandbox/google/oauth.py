"""Google's OAuth 2.0 web-server flow: the consent page, the token endpoint and revocation.

Behaviour follows https://developers.google.com/identity/protocols/oauth2/web-server; the only
client it knows is settings.GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET, read at request time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import timedelta
from urllib.parse import unquote_plus, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sandbox.faults import sandbox_endpoint
from sandbox.oauth_pages import same, with_query

from .errors import oauth_error, oauth_error_body
from .models import GoogleAccessToken, GoogleAuthCode, GoogleGrant
from .tokens import create_grant, issue, new_token, normalize_scopes, revoke_grants

DEFAULT_EMAIL = "sandbox.user@example.com"
CODE_LIFETIME = timedelta(minutes=10)
PKCE_METHODS = ("S256", "plain")


def _auth_request_problem(params: QueryDict) -> tuple[str, str] | None:
    """Why Google would show its error page instead of the consent screen (no redirect then)."""
    if not same(params.get("client_id", ""), settings.GOOGLE_CLIENT_ID):
        return "invalid_client", "The OAuth client was not found."
    for name in ("redirect_uri", "response_type", "scope"):
        if not params.get(name, "").strip():
            return "invalid_request", f"Missing required parameter: {name}"
    redirect = urlsplit(params["redirect_uri"])
    if redirect.scheme not in ("http", "https") or not redirect.netloc or redirect.fragment:
        return "redirect_uri_mismatch", "The redirect URI must be an absolute http(s) URL."
    if params["response_type"] != "code":
        return "unsupported_response_type", f"Invalid response_type: {params['response_type']}"
    if params.get("access_type", "online") not in ("online", "offline"):
        return "invalid_request", f"Invalid access_type: {params['access_type']}"
    method = params.get("code_challenge_method")
    if method and not params.get("code_challenge"):
        return "invalid_request", "Missing required parameter: code_challenge"
    if method and method not in PKCE_METHODS:
        return "invalid_request", f"Invalid code_challenge_method: {method}"
    return None


def _consent_scopes(params: QueryDict, email: str) -> list[str]:
    scopes = normalize_scopes(params["scope"])
    # Incremental authorization: the new grant also carries every scope the user granted the
    # client before.
    # https://developers.google.com/identity/protocols/oauth2/web-server#incrementalAuth
    if params.get("include_granted_scopes") == "true":
        earlier = GoogleGrant.objects.filter(
            client_id=params["client_id"], email=email, revoked_at__isnull=True
        ).values_list("scopes", flat=True)
        scopes = normalize_scopes(scopes + " ".join(earlier).split())
    return scopes


@sandbox_endpoint("google", oauth_error_body)
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """``/o/oauth2/v2/auth``: the consent screen; its form posts back to the same URL."""
    params = request.GET
    problem = _auth_request_problem(params)
    if problem:
        error, description = problem
        context = {"error": error, "description": description}
        return render(request, "sandbox/google_error.html", context, status=400)
    context = {
        "client_id": params["client_id"],
        "redirect_uri": params["redirect_uri"],
        "scopes": normalize_scopes(params["scope"]),
        "offline": params.get("access_type") == "offline",
        "email": request.POST.get("email", params.get("login_hint") or DEFAULT_EMAIL),
    }
    if request.method == "GET":
        return render(request, "sandbox/google_consent.html", context)
    state = params.get("state", "")
    decision = request.POST.get("decision")
    if decision == "deny":
        return HttpResponseRedirect(
            with_query(params["redirect_uri"], error="access_denied", state=state)
        )
    email = context["email"].strip()
    try:
        validate_email(email)
    except ValidationError:
        context["email_error"] = "Enter a valid email address."
    if decision != "allow" or "email_error" in context:
        return render(request, "sandbox/google_consent.html", context, status=400)
    scopes = _consent_scopes(params, email)
    code = GoogleAuthCode.objects.create(
        code=new_token("4/0A"),
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        email=email,
        scopes=" ".join(scopes),
        offline=context["offline"],
        prompt=params.get("prompt", ""),
        nonce=params.get("nonce", ""),
        code_challenge=params.get("code_challenge", ""),
        # Without a method the challenge is "plain" (RFC 7636 section 4.3).
        code_challenge_method=params.get("code_challenge_method", ""),
    )
    return HttpResponseRedirect(
        with_query(params["redirect_uri"], state=state, code=code.code, scope=" ".join(scopes))
    )


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    """The client id and secret, from HTTP Basic (form-encoded, RFC 6749 2.3.1) or the body."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@sandbox_endpoint("google", oauth_error_body)
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """``/token``: exchanges an authorization code, or refreshes an access token."""
    client_id, secret = _client_credentials(request)
    if not client_id:
        return oauth_error("invalid_request", "Could not determine client ID from request.")
    if not same(client_id, settings.GOOGLE_CLIENT_ID):
        return oauth_error("invalid_client", "The OAuth client was not found.", status=401)
    if not same(secret, settings.GOOGLE_CLIENT_SECRET):
        return oauth_error("invalid_client", "Unauthorized", status=401)
    grant_type = request.POST.get("grant_type", "")
    if grant_type == "authorization_code":
        return _exchange_code(request.POST, client_id)
    if grant_type == "refresh_token":
        return _refresh(request.POST, client_id)
    return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")


def _bad_code() -> JsonResponse:
    return oauth_error("invalid_grant", "Bad Request")


def _pkce_problem(code: GoogleAuthCode, verifier: str) -> JsonResponse | None:
    """RFC 7636 section 4.6, with Google's answers."""
    if not code.code_challenge:
        if verifier:
            return oauth_error("invalid_request", "code_verifier or verifier is not needed.")
        return None
    if not verifier:
        return oauth_error("invalid_grant", "Missing code verifier.")
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return None if same(verifier, code.code_challenge) else _bad_code()


def _exchange_code(form: QueryDict, client_id: str) -> JsonResponse:
    now = timezone.now()
    code = GoogleAuthCode.objects.filter(code=form.get("code", ""), client_id=client_id).first()
    if code is None:
        return _bad_code()
    # Single use, even between concurrent exchanges: only one conditional UPDATE finds it unused.
    if not GoogleAuthCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now):
        # A code presented twice was likely stolen: the tokens issued from it are revoked
        # (RFC 6749 section 4.1.2), as Google does.
        issued = GoogleAuthCode.objects.filter(pk=code.pk).values_list("grant_id", flat=True)
        grant_id = issued.first()
        if grant_id is not None:
            revoke_grants(pk=grant_id)
        return _bad_code()
    if now - code.created_at > CODE_LIFETIME:
        return _bad_code()
    if form.get("redirect_uri", "") != code.redirect_uri:
        return oauth_error("redirect_uri_mismatch", "Bad Request")
    problem = _pkce_problem(code, form.get("code_verifier", ""))
    if problem:
        return problem
    # Google returns a refresh token only on the user's first offline consent to the client,
    # or when prompt=consent asked for consent again.
    # https://developers.google.com/identity/protocols/oauth2/web-server#offline
    has_one = GoogleGrant.objects.filter(
        client_id=client_id, email=code.email, revoked_at__isnull=True, refresh_token__isnull=False
    ).exists()
    forced = "consent" in code.prompt.split()
    grant = create_grant(
        code.email,
        code.scopes,
        offline=code.offline and (forced or not has_one),
        client_id=client_id,
    )
    GoogleAuthCode.objects.filter(pk=code.pk).update(grant=grant)
    return JsonResponse(issue(grant, nonce=code.nonce))


def _refresh(form: QueryDict, client_id: str) -> JsonResponse:
    expired = oauth_error("invalid_grant", "Token has been expired or revoked.")
    grant = GoogleGrant.objects.filter(
        client_id=client_id, refresh_token=form.get("refresh_token") or None, revoked_at=None
    ).first()
    if grant is None:
        return expired
    # A refresh may name scopes (google-auth sends the credentials' scopes); all must be granted.
    if not set(normalize_scopes(form.get("scope", ""))) <= set(grant.scope_list):
        return oauth_error("invalid_scope", "Bad Request")
    if not getattr(settings, "SANDBOX_GOOGLE_ROTATE_REFRESH_TOKENS", False):
        # Google keeps the refresh token: the answer has none, and google-auth keeps the old one.
        return JsonResponse(issue(grant, with_refresh_token=False))
    rotated = new_token("1//")
    if not GoogleGrant.objects.filter(
        pk=grant.pk, refresh_token=grant.refresh_token, revoked_at=None
    ).update(refresh_token=rotated):
        return expired  # a concurrent refresh rotated it first
    grant.refresh_token = rotated
    return JsonResponse(issue(grant))


@sandbox_endpoint("google", oauth_error_body)
@require_POST
def revoke(request: HttpRequest) -> JsonResponse:
    """``/revoke``: an access or refresh token revokes its whole grant.
    https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
    """
    value = request.POST.get("token") or request.GET.get("token")
    grant_id = None
    if value:
        grant_id = (
            GoogleGrant.objects.filter(refresh_token=value, revoked_at=None)
            .values_list("pk", flat=True)
            .first()
        ) or (
            GoogleAccessToken.objects.filter(
                token=value, expires_at__gt=timezone.now(), grant__revoked_at=None
            )
            .values_list("grant_id", flat=True)
            .first()
        )
    if grant_id is None or not revoke_grants(pk=grant_id):
        return oauth_error("invalid_token", "Token expired or revoked")
    return JsonResponse({})
