"""Audit rows for what people do to a workspace's integrations (see ``clianta.audit``)."""

from __future__ import annotations

from clianta import audit

from . import registry


def label(credential) -> str:
    provider = registry.PROVIDERS.get(credential.provider)
    name = provider.name if provider is not None else credential.provider
    return f"{name} ({credential.account})" if credential.account else name


def record(action: str, credential, *, actor=None, request=None, **details):
    """One audit row about ``credential``: its provider and account go into the details."""
    return audit.record(
        action,
        workspace=credential.workspace,
        actor=actor,
        request=request,
        target=credential,
        target_label=label(credential),
        provider=credential.provider,
        account=credential.account or None,
        **details,
    )


def connected(sender, credential, user, request=None, **kwargs) -> None:
    """The ``credential_connected`` receiver: every connect path sends that signal (OAuth
    callback, IMAP/SMTP login, Notion token), so each connect is recorded here once."""
    record(audit.INTEGRATION_CONNECTED, credential, actor=user, request=request)
