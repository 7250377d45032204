"""Slack's installs through OAuth v2 (oauth.v2.access), with slack-sdk.
https://docs.slack.dev/authentication/installing-with-oauth
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.oauth.base import TokenSet

from .client import client, mapped_error

#: The incoming webhook URL of the install being completed in this request: a secret, so it
#: travels neither in TokenSet.metadata nor in the credential; the app's ``credential_connected``
#: receiver takes it (see :func:`take_incoming_webhook`).
_incoming_webhook: ContextVar[dict | None] = ContextVar("slack_incoming_webhook", default=None)


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

    def refresh(self, provider, refresh_token, credential):
        """Only for apps with token rotation on; Slack's bot tokens otherwise never expire."""
        answer = self._access(provider, grant_type="refresh_token", refresh_token=refresh_token)
        return _tokens(answer)

    def revoke(self, provider, token, credential):
        from slack_sdk.errors import SlackClientError

        try:
            return bool(client(None, token=token).auth_revoke().get("revoked"))
        except (SlackClientError, OSError) as exc:
            raise mapped_error(exc, provider.slug) from exc
