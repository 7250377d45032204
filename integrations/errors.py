"""The one error tree. Clients map provider answers into it once; tasks decide whether to retry
from the class alone; the API's exception handler turns it into the one error format."""

from __future__ import annotations

from clianta.errors import ApiError

#: What people see when a credential needs to be connected again.
RECONNECT_MESSAGE = "Integration token expired. Please reconnect."


class IntegrationError(ApiError):
    """Base of every integration failure. ``message`` is fit to show a person."""

    status_code = 502
    code = "integration_error"

    def __init__(self, message: str, *, provider: str = "", code: str | None = None):
        super().__init__(message, code=code)
        self.provider = provider


class ConfigurationError(IntegrationError):
    """The integration is not set up for the workspace (not connected, no key): the client can
    fix it, so it answers 409, not a server error."""

    status_code = 409
    code = "not_configured"


class AccountTaken(IntegrationError):
    """The provider account being connected is linked to another workspace (a Slack team): the
    connection is refused and nothing is stored until that workspace releases it."""

    status_code = 409
    code = "account_taken"


class WebhookVerificationError(IntegrationError):
    """A webhook's signature, timestamp or headers did not verify."""

    status_code = 403
    code = "invalid_signature"


class ProviderError(IntegrationError):
    """The provider answered with an error. Carries its HTTP status and error code."""

    code = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status: int | None = None,
        provider_code: str = "",
        code: str | None = None,
    ):
        super().__init__(message, provider=provider, code=code)
        self.status = status
        self.provider_code = provider_code


class AuthExpired(ProviderError):
    """The grant is gone (revoked, expired): the user must reconnect. Never retried."""

    status_code = 401
    code = "reconnect_required"


class Transient(ProviderError):
    """Timeouts, connection failures and 5xx: retried with backoff."""

    status_code = 503
    code = "provider_unavailable"


class RateLimited(Transient):
    """429 (or 503 with Retry-After): retried after ``retry_after`` seconds when given."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def retry_after_seconds(header) -> float | None:
    """A Retry-After header's delay in whole seconds; None without one (or for the HTTP-date
    form)."""
    value = str(header or "")
    return float(value) if value.isdigit() else None


def retry_delay(exc: Exception, delay: float) -> float:
    """``delay``, or longer when ``exc`` is a 429 whose Retry-After asks for more."""
    if isinstance(exc, RateLimited) and exc.retry_after:
        return max(delay, exc.retry_after)
    return delay
