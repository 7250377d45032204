"""Valid access tokens, refreshed once however many workers ask, and stored grants."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clianta.audit import INTEGRATION_DISCONNECTED, INTEGRATION_REVOKED
from integrations import audit, health, metrics, push, registry
from integrations.errors import RECONNECT_MESSAGE, AuthExpired, IntegrationError, Transient
from integrations.locks import Lock
from integrations.models import IntegrationCredential

from .base import TokenSet

logger = logging.getLogger("integrations.oauth")
# Refresh this long before expiry, so a token never expires in the middle of a request.
REFRESH_MARGIN = timedelta(minutes=5)
Status = IntegrationCredential.Status


def _usable(credential: IntegrationCredential, rejected: str | None) -> bool:
    if not credential.access_token or credential.access_token == rejected:
        return False
    return credential.expires_at is None or credential.expires_at > timezone.now() + REFRESH_MARGIN


def access_token(credential: IntegrationCredential, *, rejected: str | None = None) -> str:
    """A valid access token for ``credential``, refreshed if it expires within the margin or if
    the provider just rejected ``rejected``.

    One refresh per credential at a time: concurrent callers wait for the lock, re-read the row
    and use the token the first one stored, so the provider is asked once. No database
    transaction stays open during the provider call. ``invalid_grant`` marks the credential
    ``needs_reconnect`` and raises ``AuthExpired``; timeouts and 5xx raise ``Transient`` and
    change nothing.
    """
    if credential.status != Status.ACTIVE:
        raise AuthExpired(RECONNECT_MESSAGE, provider=credential.provider)
    if _usable(credential, rejected):
        return credential.access_token
    lock = Lock(f"refresh:{credential.pk}", timedelta(seconds=2 * settings.PROVIDER_TIMEOUT + 5))
    if not lock.wait(timeout=settings.PROVIDER_TIMEOUT + 5):
        raise Transient("Another refresh of this credential is still running.")
    try:
        current = IntegrationCredential.objects.get(pk=credential.pk)
        if current.status == Status.ACTIVE and not _usable(current, rejected):
            _refresh(current)
    finally:
        lock.release()
    _copy_grant(current, credential)
    if current.status != Status.ACTIVE:
        raise AuthExpired(RECONNECT_MESSAGE, provider=credential.provider)
    return current.access_token


def _refresh(credential: IntegrationCredential) -> None:
    provider = registry.get(credential.provider)
    context = {"provider": provider.slug, "credential": str(credential.pk)}
    try:
        tokens = provider.oauth.refresh(provider, credential.refresh_token, credential)
    except AuthExpired as exc:
        health.mark_needs_reconnect(credential, exc.message)
        logger.warning("oauth.refresh_revoked", extra=context)
        metrics.TOKEN_REFUSALS.labels(provider.slug).inc()
        return
    _apply(credential, tokens)
    credential.save(update_fields=[*IntegrationCredential.GRANT_FIELDS, "updated_at"])
    logger.info("oauth.refreshed", extra=context)
    metrics.TOKEN_REFRESHES.labels(provider.slug).inc()


def _apply(credential: IntegrationCredential, tokens: TokenSet) -> None:
    credential.access_token = tokens.access_token
    if tokens.refresh_token:  # a refresh answer without one keeps the stored one
        credential.refresh_token = tokens.refresh_token
    credential.expires_at = tokens.expires_at


def _copy_grant(source: IntegrationCredential, target: IntegrationCredential) -> None:
    for name in (*IntegrationCredential.GRANT_FIELDS, "status", "last_error"):
        setattr(target, name, getattr(source, name))
    target.remember_grant()


def store_grant(
    workspace, provider: registry.Provider, tokens: TokenSet, user=None
) -> IntegrationCredential:
    """Save a new or renewed grant; a reconnect restores the credential and its syncs. ``user``
    (who connected it) becomes its owner unless it already has one."""
    with transaction.atomic():
        credential, _ = IntegrationCredential.objects.select_for_update().get_or_create(
            workspace=workspace, provider=provider.slug, account=tokens.account
        )
        credential.connected_by_id = credential.connected_by_id or getattr(user, "pk", None)
        _apply(credential, tokens)
        credential.scopes = tokens.scopes or list(provider.scopes)
        credential.metadata = {**credential.metadata, **tokens.metadata}
        credential.status = Status.ACTIVE
        credential.last_error = ""
        credential.sync_enabled = True
        credential.consecutive_failures = 0
        credential.consecutive_auth_failures = 0
        credential.save()
    return credential


def disconnect(credential: IntegrationCredential, *, actor=None, request=None) -> None:
    """Revoke the grant at the provider where it supports revocation, then delete the credential.
    A failed revocation is logged and does not keep the credential. Both steps go into the audit
    trail with ``actor`` (default: the request's user)."""
    provider = registry.get(credential.provider)
    push.close_all(credential)  # while the grant still lets us stop them
    token = credential.refresh_token or credential.access_token
    if provider.oauth is not None and token:
        try:
            revoked = provider.oauth.revoke(provider, token, credential)
        except IntegrationError as exc:
            revoked = False
            logger.warning(
                "oauth.revoke_failed", extra={"provider": provider.slug, "reason": exc.message}
            )
        if revoked:
            audit.record(INTEGRATION_REVOKED, credential, actor=actor, request=request)
    for attempt in range(3):
        try:
            with transaction.atomic():
                audit.record(INTEGRATION_DISCONNECTED, credential, actor=actor, request=request)
                credential.delete()
            return
        except IntegrityError:
            # A sync that was running wrote a log pointing at the credential meanwhile; the
            # next attempt detaches that log too.
            if attempt == 2:
                raise
