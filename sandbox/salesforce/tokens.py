"""Salesforce's grants and sessions: issuing them as the token endpoint answers, checking a
session on API calls, and the helpers tests use.

Tests get a connected org without the browser with :func:`connect` (the default org and user,
a grant and the token endpoint's answer), and age or end sessions with :func:`expire_sessions`
and :func:`revoke_grant`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from . import store
from .errors import invalid_session
from .models import SalesforceGrant, SalesforceOrg, SalesforceSession, SalesforceUser

DEFAULT_SCOPES = "api refresh_token"
# Scopes that make Salesforce hand out a refresh token with the access token.
OFFLINE_SCOPES = {"refresh_token", "offline_access"}


def instance_url() -> str:
    """Where every org of the sandbox is served: its https front (simple-salesforce calls
    ``https://<instance>`` whatever the scheme it is given)."""
    return settings.SANDBOX_TLS_URL + "/salesforce"


def identity_url(user: SalesforceUser) -> str:
    return f"{settings.SALESFORCE_LOGIN_URL}/id/{user.org.org_id}/{user.user_id}"


def create_grant(user: SalesforceUser, scopes: str, client_id: str | None = None):
    """A user's approval of a client (settings.SALESFORCE_CLIENT_ID by default); with the
    ``refresh_token`` or ``offline_access`` scope it has a refresh token."""
    scope_list = scopes.split()
    return SalesforceGrant.objects.create(
        user=user,
        client_id=client_id or settings.SALESFORCE_CLIENT_ID,
        scopes=" ".join(dict.fromkeys(scope_list)),
        refresh_token="5Aep861" + secrets.token_urlsafe(48)
        if OFFLINE_SCOPES & set(scope_list)
        else None,
    )


def signature(identity: str, issued_at: str, client_secret: str) -> str:
    """The token answer's ``signature``: HMAC-SHA256 of the identity URL and ``issued_at``,
    keyed with the client secret, base64-encoded."""
    digest = hmac.new(client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def issue(grant: SalesforceGrant, *, with_refresh_token: bool = True) -> dict:
    """A new session of the grant, as the token endpoint answers it. ``issued_at`` is in
    milliseconds since the epoch, as Salesforce's answers carry it; a refresh's answer has no
    refresh token (the client keeps its own).
    https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
    """
    user = grant.user
    org = user.org
    session = SalesforceSession.objects.create(
        grant=grant,
        token=f"{org.org_id[:15]}!" + secrets.token_urlsafe(72),
        expires_at=timezone.now() + timedelta(seconds=org.session_seconds),
    )
    identity = identity_url(user)
    issued_at = str(int(time.time() * 1000))
    answer = {"access_token": session.token}
    if with_refresh_token and grant.refresh_token:
        answer["refresh_token"] = grant.refresh_token
    answer.update(
        signature=signature(identity, issued_at, settings.SALESFORCE_CLIENT_SECRET),
        scope=grant.scopes,
        instance_url=instance_url(),
        id=identity,
        token_type="Bearer",
        issued_at=issued_at,
    )
    return answer


def connect(
    org: SalesforceOrg | None = None,
    username: str = store.DEFAULT_USERNAME,
    scopes: str = DEFAULT_SCOPES,
) -> dict:
    """The token endpoint's answer for a user of ``org`` (the default org) who approved
    Clianta's client, without the consent page."""
    user = store.user_for(org or store.default_org(), username)
    return issue(create_grant(user, scopes))


def session_for(token: str) -> SalesforceSession | None:
    """The live session of an access token: known, unexpired, neither it nor its grant
    revoked."""
    if not token:
        return None
    return (
        SalesforceSession.objects.select_related("grant__user__org")
        .filter(
            token=token,
            expires_at__gt=timezone.now(),
            revoked_at__isnull=True,
            grant__revoked_at__isnull=True,
        )
        .first()
    )


def authenticate(request: HttpRequest) -> SalesforceSession:
    """The session behind an API call's ``Authorization: Bearer <token>`` (Salesforce also
    takes the older ``OAuth <token>``); 401 INVALID_SESSION_ID otherwise."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    session = session_for(token.strip()) if scheme.lower() in ("bearer", "oauth") else None
    if session is None:
        raise invalid_session()
    return session


def expire_sessions(org: SalesforceOrg | None = None, token: str | None = None) -> int:
    """End the live sessions (of one org, or the one with ``token``) now, as when they time
    out; returns how many."""
    sessions = SalesforceSession.objects.filter(expires_at__gt=timezone.now())
    if org is not None:
        sessions = sessions.filter(grant__user__org=org)
    if token is not None:
        sessions = sessions.filter(token=token)
    return sessions.update(expires_at=timezone.now())


def revoke_grant(grant: SalesforceGrant) -> None:
    """Revoke a grant: its refresh token and every session issued from it stop working."""
    moment = timezone.now()
    SalesforceGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(revoked_at=moment)
    grant.sessions.filter(revoked_at__isnull=True).update(revoked_at=moment)
