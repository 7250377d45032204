"""Issuing and revoking API tokens, each recorded in the audit trail."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from clianta import audit

from .models import ApiToken


def issue(
    user,
    name: str,
    *,
    days: int | None = None,
    workspace=None,
    read_only: bool = False,
    request=None,
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret exists only in this answer."""
    with transaction.atomic():
        token, secret = ApiToken.objects.create(
            user=user,
            expiry=timedelta(days=days or settings.API_TOKEN_TTL_DAYS),
            name=name,
            workspace=workspace,
            read_only=read_only,
        )
        _record(audit.TOKEN_CREATED, token, request, actor=user)
    return token, secret


def revoke(token: ApiToken, *, request=None, **details) -> None:
    with transaction.atomic():
        _record(audit.TOKEN_REVOKED, token, request, **details)
        token.delete()


def _record(action: str, token: ApiToken, request, **details) -> None:
    audit.record(
        action,
        workspace=token.workspace,
        request=request,
        target=token,
        target_label=token.name,
        prefix=token.token_key,
        read_only=token.read_only,
        **details,
    )
