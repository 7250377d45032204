"""What every OAuth 2.0 provider backend offers the generic connect, callback and refresh code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from integrations.base import Provider


@dataclass
class TokenSet:
    """A provider's answer to a code exchange or a refresh."""

    access_token: str
    refresh_token: str | None = None  # None: keep the stored one
    expires_at: datetime | None = None
    scopes: list[str] = field(default_factory=list)
    account: str = ""  # the provider's name for the account (email, team id); on exchange
    metadata: dict = field(default_factory=dict)  # never secrets


class OAuthBackend(Protocol):
    """A provider's OAuth 2.0 dialect, spoken through its official library.

    Raise ``AuthExpired`` when the grant is gone (``invalid_grant``), ``Transient`` for timeouts
    and 5xx, ``ProviderError`` for anything else.
    """

    #: Whether authorization uses PKCE (the verifier is kept server-side with the state).
    pkce: bool

    def authorization_url(
        self, provider: Provider, state: str, redirect_uri: str
    ) -> tuple[str, str | None]:
        """The consent page URL, and the PKCE code verifier to keep (or None)."""

    def exchange(
        self, provider: Provider, code: str, redirect_uri: str, code_verifier: str | None
    ) -> TokenSet: ...

    def refresh(self, provider: Provider, refresh_token: str) -> TokenSet: ...

    def revoke(self, provider: Provider, token: str, account: str) -> bool:
        """Revoke the grant (``token``, of the credential's ``account``; Stripe names the
        account rather than a token) at the provider, where the provider supports it: true when the
        provider confirmed it (the audit trail records a revocation then), false when it offers
        no revocation."""
