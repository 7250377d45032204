"""Slack's Web API through slack-sdk, failures mapped into the error tree once.
https://docs.slack.dev/reference/methods
"""

from __future__ import annotations

from django.conf import settings

from integrations.errors import (
    AuthExpired,
    ProviderError,
    RateLimited,
    Transient,
    retry_after_seconds,
)

#: Errors meaning the token is gone: the app was uninstalled, or the token revoked or invalid.
AUTH_ERRORS = ("invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired")
#: OAuth errors meaning the code or refresh token cannot be used again.
GRANT_ERRORS = ("invalid_code", "invalid_grant", "invalid_refresh_token", "code_already_used")


def client(credential, token: str | None = None):
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    # slack-sdk retries only connection errors by default; 429s wait for Retry-After too.
    return WebClient(
        token=token if token is not None else credential.access_token,
        base_url=settings.SLACK_API_URL,
        timeout=settings.PROVIDER_TIMEOUT,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )


def mapped_error(exc: Exception, provider: str = "slack"):
    """The error-tree exception for a slack-sdk failure (SlackApiError or a connection error).
    Slack answers most errors with HTTP 200 and ``{"ok": false, "error": ...}``."""
    from slack_sdk.errors import SlackApiError

    if not isinstance(exc, SlackApiError):
        return Transient(f"Slack did not answer: {type(exc).__name__}.", provider=provider)
    status = exc.response.status_code
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    code = str(data.get("error") or f"http_{status}")
    context = {"provider": provider, "status": status, "provider_code": code}
    if status == 429 or code == "ratelimited":
        retry_after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
            "retry-after"
        )
        retry_after = retry_after[0] if isinstance(retry_after, list) else retry_after
        return RateLimited(
            "Slack is rate limiting requests.",
            retry_after=retry_after_seconds(retry_after),
            **context,
        )
    if status >= 500 or code in ("fatal_error", "internal_error", "service_unavailable"):
        return Transient(f"Slack failed: {code}.", **context)
    if code in AUTH_ERRORS + GRANT_ERRORS:
        return AuthExpired(f"Slack no longer accepts the app's grant ({code}).", **context)
    return ProviderError(f"Slack refused: {code}.", code=code, **context)
