"""Microsoft's grants and tokens: issuing them (with an id_token), checking them on Graph calls,
and test helpers.

Tests get a connected account without the browser with ``issue(create_grant(email))``, and age
or kill tokens with :func:`expire_access_tokens` and :func:`revoke_grants`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from .models import MicrosoftGrant

ACCESS_TOKEN_SECONDS = 3599
# The tenant every sandbox account belongs to (Microsoft's id for personal accounts' tenant).
TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
DEFAULT_SCOPES = "User.Read Mail.ReadWrite Mail.Send openid profile offline_access"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def object_id(email: str) -> str:
    """The user's stable object id (``oid``), derived from the email."""
    return str(uuid.UUID(hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]))


def issuer() -> str:
    """The issuer the OpenID configuration announces: the authority's host, the tenant id."""
    parts = urlsplit(settings.MICROSOFT_AUTHORITY)
    base = parts.path.rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{base}/{TENANT_ID}/v2.0"


def create_grant(email: str, scopes: str = DEFAULT_SCOPES) -> MicrosoftGrant:
    return MicrosoftGrant.objects.create(
        email=email.strip().lower(),
        client_id=settings.MICROSOFT_CLIENT_ID,
        scopes=scopes,
        access_token=_new("EwA"),
        access_expires_at=timezone.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS),
        refresh_token=_new("M.C5"),
    )


def _new(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(48)


def id_token(grant: MicrosoftGrant, nonce: str = "") -> str:
    """An unsigned JWT with the claims msal reads; msal does not check the signature
    (msal/oauth2cli/oidc.py) and compares ``nonce`` with the hash it sent."""
    now = int(time.time())
    claims = {
        "ver": "2.0",
        "iss": issuer(),
        "aud": grant.client_id,
        "sub": object_id(grant.email + grant.client_id),
        "oid": object_id(grant.email),
        "tid": TENANT_ID,
        "preferred_username": grant.email,
        "email": grant.email,
        "name": grant.email.split("@")[0],
        "iat": now,
        "nbf": now,
        "exp": now + ACCESS_TOKEN_SECONDS,
    }
    if nonce:
        claims["nonce"] = nonce
    header = b64url(json.dumps({"typ": "JWT", "alg": "none"}).encode())
    return f"{header}.{b64url(json.dumps(claims).encode())}."


def issue(grant: MicrosoftGrant, nonce: str = "") -> dict:
    """The token endpoint's answer for ``grant``.
    https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response-2
    """
    client_info = {"uid": object_id(grant.email), "utid": TENANT_ID}
    return {
        "token_type": "Bearer",
        "scope": grant.scopes,
        "expires_in": ACCESS_TOKEN_SECONDS,
        "ext_expires_in": ACCESS_TOKEN_SECONDS,
        "access_token": grant.access_token,
        "refresh_token": grant.refresh_token,
        "id_token": id_token(grant, nonce),
        "client_info": b64url(json.dumps(client_info).encode()),
    }


def rotate(grant: MicrosoftGrant, given_refresh_token: str) -> MicrosoftGrant | None:
    """New access and refresh tokens, once per refresh token: of two refreshes racing with the
    same token, one wins and the other gets None (invalid_grant)."""
    fresh = {
        "access_token": _new("EwA"),
        "refresh_token": _new("M.C5"),
        "access_expires_at": timezone.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS),
    }
    won = MicrosoftGrant.objects.filter(
        pk=grant.pk, refresh_token=given_refresh_token, revoked=False
    ).update(**fresh)
    if not won:
        return None
    for name, value in fresh.items():
        setattr(grant, name, value)
    return grant


def graph_error(status: int, code: str, message: str) -> JsonResponse:
    """Graph's error body. https://learn.microsoft.com/graph/errors"""
    return JsonResponse(graph_error_body(status, code, message), status=status)


def graph_error_body(status: int, code: str = "", message: str = "") -> dict:
    codes = {401: "InvalidAuthenticationToken", 429: "TooManyRequests", 503: "ServiceNotAvailable"}
    return {
        "error": {
            "code": code or codes.get(status, "generalException"),
            "message": message or f"The request failed with status {status}.",
            "innerError": {"request-id": str(uuid.uuid4()), "date": timezone.now().isoformat()},
        }
    }


def authenticate(request: HttpRequest) -> MicrosoftGrant | JsonResponse:
    """The grant of the request's bearer token, or Graph's 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
    grant = MicrosoftGrant.objects.filter(access_token=token.strip(), revoked=False).first()
    if grant is None or grant.access_expires_at <= timezone.now():
        return graph_error(
            401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
        )
    return grant


def expire_access_tokens(email: str) -> int:
    """Make the mailbox's access tokens expired at Microsoft (Graph answers 401 to them)."""
    return MicrosoftGrant.objects.filter(email=email.lower()).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )


def revoke_grants(email: str) -> int:
    """Revoke the mailbox's grants: refreshing answers invalid_grant from now on."""
    return MicrosoftGrant.objects.filter(email=email.lower()).update(revoked=True)
