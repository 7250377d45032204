"""Stripe's API through the official stripe SDK, pointed at STRIPE_API_URL and
STRIPE_CONNECT_URL; what it raises mapped into the error tree once.
https://docs.stripe.com/api, https://docs.stripe.com/error-handling
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import stripe
from django.conf import settings

from integrations.errors import (
    AuthExpired,
    ConfigurationError,
    IntegrationError,
    ProviderError,
    RateLimited,
    Transient,
)

#: The SDK's own retries of a request that failed on the network, a 409 or a 5xx (with the same
#: idempotency key, which it adds to every POST). https://docs.stripe.com/rate-limits
NETWORK_RETRIES = 2


def moment(stamp: int | None) -> datetime | None:
    """A Stripe timestamp (Unix seconds) as an aware datetime; None for none."""
    return datetime.fromtimestamp(stamp, UTC) if stamp else None


def client_for(key: str, account: str | None = None) -> stripe.StripeClient:
    """A client authenticated with ``key``; ``account`` (``acct_…``) makes the platform's key
    act on a connected account (the ``Stripe-Account`` header)."""
    return stripe.StripeClient(
        key,
        stripe_account=account,
        client_id=settings.STRIPE_CONNECT_CLIENT_ID or None,
        base_addresses={"api": settings.STRIPE_API_URL, "connect": settings.STRIPE_CONNECT_URL},
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.PROVIDER_TIMEOUT),
    )


def platform() -> stripe.StripeClient:
    """Clianta's own account (the Connect platform): its plans, customers and subscriptions."""
    return client_for(platform_key())


@contextmanager
def provider_errors() -> Iterator[None]:
    """Map what the stripe SDK raises onto the error tree, once for every call."""
    try:
        yield
    except stripe.StripeError as exc:
        raise mapped_error(exc) from exc


def mapped_error(exc: stripe.StripeError) -> IntegrationError:
    status = exc.http_status
    code = exc.code or ""
    fields = {"provider": "stripe", "status": status, "provider_code": code}
    message = exc.user_message or "Stripe refused the request."
    if isinstance(exc, stripe.AuthenticationError):
        return AuthExpired("Stripe refused the account's API key: reconnect it.", **fields)
    if code == "account_invalid":
        # The platform's key may no longer act on the account: it disconnected Clianta.
        return AuthExpired(
            "Stripe no longer lets Clianta reach the account: reconnect it.", **fields
        )
    if isinstance(exc, stripe.RateLimitError):
        return RateLimited("Stripe's rate limit was reached.", **fields)
    # APIError covers a 5xx and an answer the SDK could not read (cut, not JSON);
    # APIConnectionError a timeout or a refused connection.
    if isinstance(exc, stripe.APIError | stripe.APIConnectionError) or (status or 0) >= 500:
        return Transient(f"Stripe did not answer: {type(exc).__name__}", **fields)
    return ProviderError(message, **fields)


def client(credential) -> stripe.StripeClient:
    """A workspace's own Stripe account: its restricted key, or the platform's key acting on the
    account it connected through Connect."""
    if credential.api_key:
        return client_for(credential.api_key)
    return client_for(platform_key(), account=credential.account)


def platform_key() -> str:
    if not settings.STRIPE_SECRET_KEY:
        raise ConfigurationError(
            "Stripe is not set up: STRIPE_SECRET_KEY is empty.", provider="stripe"
        )
    return settings.STRIPE_SECRET_KEY


def check_key(key: str) -> tuple[str, str]:
    """The account id and name behind a key, once Stripe has taken it; KeyRefused otherwise."""
    try:
        with provider_errors():
            account = client_for(key).v1.accounts.retrieve_current().to_dict()
    except AuthExpired as exc:
        raise KeyRefused("Stripe refused this key.") from exc
    except ProviderError as exc:
        if exc.status == 403:
            raise KeyRefused(
                "This key may not read the account: allow it to (see docs/providers/stripe.md)."
            ) from exc
        raise
    profile = account.get("business_profile") or {}
    settings_ = account.get("settings") or {}
    name = profile.get("name") or (settings_.get("dashboard") or {}).get("display_name") or ""
    return account["id"], name


class KeyRefused(ProviderError):
    """The API key given to connect was refused: the client's mistake, answered 400."""

    status_code = 400
    code = "key_refused"

    def __init__(self, message: str):
        super().__init__(message, provider="stripe")
        self.extra = {"fields": {"api_key": [message]}}
