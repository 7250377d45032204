"""Slack: the Web API through slack-sdk; installs through OAuth v2 (oauth.v2.access).
https://docs.slack.dev/reference/methods, https://docs.slack.dev/authentication/installing-with-oauth
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.errors import (
    AuthExpired,
    ProviderError,
    RateLimited,
    Transient,
    retry_after_seconds,
)
from integrations.oauth.base import TokenSet
from integrations.registry import AuthKind, Provider

#: Errors meaning the token is gone: the app was uninstalled, or the token revoked or invalid.
AUTH_ERRORS = ("invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired")
#: OAuth errors meaning the code or refresh token cannot be used again.
GRANT_ERRORS = ("invalid_code", "invalid_grant", "invalid_refresh_token", "code_already_used")

#: The incoming webhook URL of the install being completed in this request: a secret, so it
#: travels neither in TokenSet.metadata nor in the credential; the app's ``credential_connected``
#: receiver takes it (see :func:`take_incoming_webhook`).
_incoming_webhook: ContextVar[dict | None] = ContextVar("slack_incoming_webhook", default=None)


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


def take_incoming_webhook() -> dict | None:
    """The incoming webhook (``url``, ``channel``, ``channel_id``) of the install just
    exchanged in this context, once."""
    value = _incoming_webhook.get()
    _incoming_webhook.set(None)
    return value


def _tokens(answer: dict) -> TokenSet:
    team = answer.get("team") or {}
    webhook = answer.get("incoming_webhook") or {}
    _incoming_webhook.set(dict(webhook) if webhook.get("url") else None)
    expires_in = answer.get("expires_in")
    return TokenSet(
        access_token=answer["access_token"],
        refresh_token=answer.get("refresh_token"),
        expires_at=timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None,
        scopes=[s for s in (answer.get("scope") or "").split(",") if s],
        account=team.get("id", ""),
        metadata={
            "team_name": team.get("name", ""),
            "bot_user_id": answer.get("bot_user_id", ""),
            "app_id": answer.get("app_id", ""),
            "incoming_webhook_channel": webhook.get("channel", ""),
            "incoming_webhook_channel_id": webhook.get("channel_id", ""),
        },
    )


class SlackOAuth:
    """Slack's OAuth v2 for a bot token: no PKCE for confidential clients; the client
    credentials go by HTTP Basic (as WebClient.oauth_v2_access sends them)."""

    pkce = False

    def authorization_url(self, provider, state, redirect_uri):
        from slack_sdk.oauth import AuthorizeUrlGenerator

        generator = AuthorizeUrlGenerator(
            client_id=settings.SLACK_CLIENT_ID,
            scopes=list(provider.scopes),
            redirect_uri=redirect_uri,
            authorization_url=settings.SLACK_AUTHORIZE_URL,
        )
        return generator.generate(state), None

    def _access(self, provider, **arguments) -> dict:
        from slack_sdk.errors import SlackClientError

        try:
            answer = client(None, token="").oauth_v2_access(
                client_id=settings.SLACK_CLIENT_ID,
                client_secret=settings.SLACK_CLIENT_SECRET,
                **arguments,
            )
        except (SlackClientError, OSError) as exc:
            raise mapped_error(exc, provider.slug) from exc
        return answer.data

    def exchange(self, provider, code, redirect_uri, code_verifier):
        return _tokens(self._access(provider, code=code, redirect_uri=redirect_uri))

    def refresh(self, provider, refresh_token):
        """Only for apps with token rotation on; Slack's bot tokens otherwise never expire."""
        answer = self._access(provider, grant_type="refresh_token", refresh_token=refresh_token)
        return _tokens(answer)

    def revoke(self, provider, token):
        from slack_sdk.errors import SlackClientError

        try:
            return bool(client(None, token=token).auth_revoke().get("revoked"))
        except (SlackClientError, OSError) as exc:
            raise mapped_error(exc, provider.slug) from exc


SLACK = Provider(
    slug="slack",
    name="Slack",
    workspace_wide=True,
    category="messaging",
    auth=AuthKind.OAUTH2,
    endpoints=("SLACK_AUTHORIZE_URL", "SLACK_API_URL"),
    scopes=(
        "chat:write",
        "commands",
        "channels:history",
        "channels:read",
        "users:read",
        "users:read.email",
        "incoming-webhook",
    ),
    oauth=SlackOAuth(),
    client=client,
    description="Notifications on CRM events, channel messages and the /clianta command.",
)
