"""What every OAuth 2.0 provider backend offers the generic connect, callback and refresh code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from integrations.base import Provider
    from integrations.models import IntegrationCredential


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
    #: Optional: a Django form class of choices a person makes before the consent page (which
    #: login host a Salesforce org uses). The connect page shows its fields; its cleaned data
    #: is kept with the state and passed to ``authorization_url`` and ``exchange`` as keyword
    #: arguments. Without it they get none.
    options_form: type | None

    def authorization_url(
        self, provider: Provider, state: str, redirect_uri: str, **options
    ) -> tuple[str, str | None]:
        """The consent page URL, and the PKCE code verifier to keep (or None)."""

    def exchange(
        self,
        provider: Provider,
        code: str,
        redirect_uri: str,
        code_verifier: str | None,
        **options,
    ) -> TokenSet: ...

    def refresh(
        self, provider: Provider, refresh_token: str, credential: IntegrationCredential
    ) -> TokenSet:
        """A new access token for ``refresh_token``, the stored grant of ``credential`` (whose
        metadata says where the account lives, for providers with one host per account)."""

    def revoke(self, provider: Provider, token: str, credential: IntegrationCredential) -> bool:
        """Revoke the grant (``token``, of ``credential``; Stripe names the credential's account
        rather than a token) at the provider, where the provider supports it: true when the
        provider confirmed it (the audit trail records a revocation then), false when it offers
        no revocation."""
