"""The one rule for "the credential workspace W uses for provider P".

1. Its active credential (the first in the model's order, should it have several).
2. Else its credential that needs reconnecting: ``find`` answers it (the sync runner then records
   the skip), ``use`` raises ``AuthExpired``, which the API answers 401 ``reconnect_required``.
   Another account, or the settings' shared one, is never picked silently in its place.
3. Else none: ``use`` answers None when the provider declares ``fallback_settings`` and all of
   them are set (``provider.client(None)`` then uses them), and raises ``ConfigurationError``
   (409 ``not_configured``) otherwise.

A credential holding no secret (no access token, no API key: a row added in the admin without its
key) counts as none.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from . import registry
from .errors import RECONNECT_MESSAGE, AuthExpired, ConfigurationError
from .models import IntegrationCredential
from .signals import credential_connected

ACTIVE = IntegrationCredential.Status.ACTIVE


def find(workspace_id, provider: str) -> IntegrationCredential | None:
    """The workspace's credential for ``provider`` (rules 1 and 2), whatever its status; None
    when it has none."""
    rows = IntegrationCredential.objects.filter(workspace_id=workspace_id, provider=provider)
    holding_a_secret = [row for row in rows if row.access_token or row.api_key]
    return next((row for row in holding_a_secret if row.status == ACTIVE), None) or next(
        iter(holding_a_secret), None
    )


def use(workspace_id, provider: str) -> IntegrationCredential | None:
    """The credential to call ``provider`` with for the workspace: its active credential, or
    None for the provider's shared account of the settings; AuthExpired when the workspace's
    credential needs reconnecting, ConfigurationError when there is neither."""
    credential = find(workspace_id, provider)
    if credential is not None:
        if credential.status != ACTIVE:
            raise AuthExpired(RECONNECT_MESSAGE, provider=provider)
        return credential
    declared = registry.get(provider)
    if declared.fallback_settings and all(
        getattr(settings, name, "") for name in declared.fallback_settings
    ):
        return None
    raise ConfigurationError(
        f"Connect {declared.name} first (Settings → Integrations).", provider=provider
    )


def active(provider: str, **filters):
    """Every active credential of ``provider`` (of every workspace), narrowed by ``filters``: for
    fan-outs over the workspaces, and for routing a provider's callbacks to their workspace."""
    return IntegrationCredential.objects.filter(provider=provider, status=ACTIVE, **filters)


def save_key(
    workspace, user, provider: str, account: str, api_key: str, metadata: dict, request=None
):
    """Store a key a person gave (checked with the provider first) as the workspace's active
    credential for ``account``, encrypted, and announce the connect (``credential_connected``,
    whose receivers may refuse it: the caller's transaction then stores nothing)."""
    values = {
        "api_key": api_key,
        "access_token": "",
        "refresh_token": "",
        "metadata": metadata,
        "status": ACTIVE,
        "last_error": "",
        "consecutive_failures": 0,
        "consecutive_auth_failures": 0,
    }
    with transaction.atomic():
        credential, _ = IntegrationCredential.objects.update_or_create(
            workspace=workspace,
            provider=provider,
            account=account,
            defaults=values,
            create_defaults={**values, "connected_by": user},
        )
        credential_connected.send(
            sender=provider, credential=credential, user=user, request=request
        )
    return credential
