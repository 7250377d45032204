"""Notion's public-integration OAuth through its token endpoint, with notion-client.
https://developers.notion.com/docs/authorization"""

from urllib.parse import urlencode

from django.conf import settings

from integrations.errors import AuthExpired, ProviderError, Transient
from integrations.oauth.base import TokenSet

from .client import NOTION_VERSION


def _token_call(provider, **body) -> dict:
    from notion_client import APIResponseError, Client
    from notion_client.errors import HTTPResponseError, RequestTimeoutError

    try:
        return Client(base_url=settings.NOTION_API_URL, notion_version=NOTION_VERSION).oauth.token(
            client_id=settings.NOTION_CLIENT_ID, client_secret=settings.NOTION_CLIENT_SECRET, **body
        )
    except APIResponseError as exc:
        if str(exc.code) == "invalid_grant":
            raise AuthExpired("Notion refused the grant.", provider=provider.slug) from exc
        error = Transient if exc.status >= 500 else ProviderError
        raise error(
            f"Notion refused: {exc.code}", provider=provider.slug, status=exc.status
        ) from exc
    except HTTPResponseError as exc:
        # OAuth errors carry codes outside the API's list (invalid_grant), so notion-client
        # raises them as plain HTTP errors.
        if "invalid_grant" in str(exc.body):
            raise AuthExpired("Notion refused the grant.", provider=provider.slug) from exc
        error = Transient if exc.status >= 500 else ProviderError
        raise error(
            "Notion refused the token request.", provider=provider.slug, status=exc.status
        ) from exc
    except RequestTimeoutError as exc:
        raise Transient("Notion did not answer.", provider=provider.slug) from exc


def _tokens(answer: dict) -> TokenSet:
    return TokenSet(
        access_token=answer["access_token"],
        refresh_token=answer.get("refresh_token"),
        account=answer.get("workspace_id", ""),
        metadata={
            "workspace_name": answer.get("workspace_name", ""),
            "bot_id": answer.get("bot_id", ""),
        },
    )


class NotionOAuth:
    """Notion's public-integration OAuth: no PKCE, client credentials by HTTP Basic."""

    pkce = False

    def authorization_url(self, provider, state, redirect_uri):
        query = urlencode(
            {
                "client_id": settings.NOTION_CLIENT_ID,
                "response_type": "code",
                "owner": "user",
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{settings.NOTION_API_URL}/v1/oauth/authorize?{query}", None

    def exchange(self, provider, code, redirect_uri, code_verifier):
        answer = _token_call(
            provider, grant_type="authorization_code", code=code, redirect_uri=redirect_uri
        )
        return _tokens(answer)

    def refresh(self, provider, refresh_token, credential):
        return _tokens(
            _token_call(provider, grant_type="refresh_token", refresh_token=refresh_token)
        )

    def revoke(self, provider, token, credential):
        """Notion offers no revocation to public integrations: the user removes access there."""
        return False
