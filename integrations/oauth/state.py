"""OAuth ``state``: bound to the browser session and workspace that began the flow, valid for
ten minutes, used once; it carries the PKCE verifier server-side."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from integrations.models import OAuthState

LIFETIME = timedelta(minutes=10)


def _session_hash(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return hashlib.sha256(request.session.session_key.encode()).hexdigest()


def begin(request, workspace, provider: str, authorize, options: dict | None = None) -> str:
    """Create a state; ``authorize(state)`` returns (consent URL, PKCE verifier or None).
    ``options`` (the connect page's choices) are kept with it for the callback."""
    state = secrets.token_urlsafe(32)
    url, verifier = authorize(state)
    OAuthState.objects.create(
        state=state,
        session_key_hash=_session_hash(request),
        user=request.user,
        workspace=workspace,
        provider=provider,
        code_verifier=verifier,
        options=options or {},
    )
    return url


def claim(request, provider: str, state: str | None) -> OAuthState | None:
    """The state row if ``state`` is this session's, for this provider, fresh and unused; it is
    marked used in the same step, so a second claim of the same state fails."""
    if not state or not request.user.is_authenticated:
        return None
    now = timezone.now()
    row = OAuthState.objects.filter(
        state=state,
        provider=provider,
        session_key_hash=_session_hash(request),
        user=request.user,
        used_at__isnull=True,
        created_at__gte=now - LIFETIME,
    ).first()
    if row is None:
        return None
    if not OAuthState.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        return None
    return row
