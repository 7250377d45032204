"""Google's grants and tokens: issuing them, checking them on API calls, and test helpers.

Other sandbox modules authenticate Google API calls with :func:`authenticate`. Tests get a
connected account without the browser dance with ``issue(create_grant(email, scopes))``, and age
or kill tokens with :func:`expire_access_tokens` and :func:`revoke_grants`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .errors import api_error
from .models import GoogleAccessToken, GoogleGrant

ISSUER = "https://accounts.google.com"
# Google answers expires_in 3599 for a one-hour token.
ACCESS_TOKEN_SECONDS = 3599
USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
# Google grants and reports the short OpenID scope names as their full URLs, so a client that
# asked for "email" gets "https://www.googleapis.com/auth/userinfo.email" back (oauthlib then
# warns "Scope has changed" unless OAUTHLIB_RELAX_TOKEN_SCOPE is set).
# https://developers.google.com/identity/protocols/oauth2/scopes#oauth2
SCOPE_ALIASES = {
    "email": USERINFO_EMAIL,
    "profile": "https://www.googleapis.com/auth/userinfo.profile",
}


def normalize_scopes(scopes: str | Iterable[str]) -> list[str]:
    """Scopes as Google grants them: aliases expanded, duplicates dropped, order kept."""
    names = scopes.split() if isinstance(scopes, str) else scopes
    return list(dict.fromkeys(SCOPE_ALIASES.get(name, name) for name in names))


def subject(email: str) -> str:
    """The user's stable numeric Google id (the id_token's ``sub``), derived from the email."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return str(int(digest, 16))[:21]


def new_token(prefix: str) -> str:
    """A fresh opaque token, with the prefix Google's of that kind have (``ya29.``, ``1//``)."""
    return prefix + secrets.token_urlsafe(32)


def create_grant(
    email: str,
    scopes: str | Iterable[str],
    *,
    offline: bool = True,
    client_id: str | None = None,
) -> GoogleGrant:
    """A user's consent to the client (settings.GOOGLE_CLIENT_ID by default); with ``offline``
    it has a refresh token. Pass it to :func:`issue` for a token response."""
    return GoogleGrant.objects.create(
        client_id=client_id or settings.GOOGLE_CLIENT_ID,
        email=email,
        scopes=" ".join(normalize_scopes(scopes)),
        refresh_token=new_token("1//") if offline else None,
    )


def issue(grant: GoogleGrant, *, with_refresh_token: bool = True, nonce: str = "") -> dict:
    """A new access token of the grant, as the token endpoint's JSON answer.

    ``refresh_token`` is in it when asked and the grant has one; ``id_token`` when the grant
    has the ``openid`` scope, as Google does on code exchange and refresh alike.
    """
    access = GoogleAccessToken.objects.create(
        grant=grant,
        token=new_token("ya29."),
        expires_at=timezone.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS),
    )
    answer = {
        "access_token": access.token,
        "expires_in": ACCESS_TOKEN_SECONDS,
        "scope": grant.scopes,
        "token_type": "Bearer",
    }
    if with_refresh_token and grant.refresh_token:
        answer["refresh_token"] = grant.refresh_token
    if "openid" in grant.scope_list:
        answer["id_token"] = id_token(grant, nonce)
    return answer


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token(grant: GoogleGrant, nonce: str = "") -> str:
    """An OpenID Connect ID token (a JWT signed HS256 with the client secret; Google signs RS256
    with its published keys). Email claims need the email scope, as with Google.
    https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
    """
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "azp": grant.client_id,
        "aud": grant.client_id,
        "sub": subject(grant.email),
        "iat": now,
        "exp": now + 3600,
    }
    if USERINFO_EMAIL in grant.scope_list:
        claims.update(email=grant.email, email_verified=True)
    if nonce:
        claims["nonce"] = nonce
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = ".".join(_b64url(json.dumps(part).encode()) for part in (header, claims))
    key = settings.GOOGLE_CLIENT_SECRET.encode()
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def authenticate(request: HttpRequest, accepted_scopes: Iterable[str] = ()):
    """The grant behind a Google API call's ``Authorization: Bearer <access token>``.

    Returns the :class:`GoogleGrant` (``.email``, ``.scope_list``) when the token is known,
    unexpired and not revoked, and, if ``accepted_scopes`` is given, the grant has at least one
    of them (Google methods each accept several scopes). Otherwise returns the error response to
    send: 401 UNAUTHENTICATED, or 403 for insufficient scopes. Callers do::

        grant = authenticate(request, ["https://www.googleapis.com/auth/gmail.readonly"])
        if isinstance(grant, HttpResponse):
            return grant
    """
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    access = None
    if scheme.lower() == "bearer" and token.strip():
        access = (
            GoogleAccessToken.objects.select_related("grant")
            .filter(
                token=token.strip(),
                expires_at__gt=timezone.now(),
                grant__revoked_at__isnull=True,
            )
            .first()
        )
    if access is None:
        response = api_error(401, reason="authError")
        response["WWW-Authenticate"] = f'Bearer realm="{ISSUER}/"'
        return response
    accepted = set(normalize_scopes(accepted_scopes))
    if accepted and not accepted & set(access.grant.scope_list):
        return api_error(
            403, "Request had insufficient authentication scopes.", "insufficientPermissions"
        )
    return access.grant


def expire_access_tokens(email: str | None = None) -> int:
    """Expire the access tokens (of one user, when given) now; returns how many."""
    tokens = GoogleAccessToken.objects.filter(expires_at__gt=timezone.now())
    if email:
        tokens = tokens.filter(grant__email=email)
    return tokens.update(expires_at=timezone.now())


def revoke_grants(email: str | None = None, *, pk: int | None = None) -> int:
    """Revoke active grants (of one user, or the one with ``pk``), as when a user removes the
    app's access: their refresh and access tokens stop working. Returns how many."""
    grants = GoogleGrant.objects.filter(revoked_at__isnull=True)
    if email:
        grants = grants.filter(email=email)
    if pk is not None:
        grants = grants.filter(pk=pk)
    return grants.update(revoked_at=timezone.now())
