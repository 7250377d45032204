"""Google's OAuth 2.0 through google-auth-oauthlib and google-auth.
https://developers.google.com/identity/protocols/oauth2/web-server
"""

from __future__ import annotations

import functools
from datetime import UTC

from django.conf import settings

from integrations.base import Provider
from integrations.errors import AuthExpired, ProviderError, Transient
from integrations.oauth.base import TokenSet


class GoogleOAuth:
    pkce = True

    def _flow(self, provider: Provider, redirect_uri: str, **kwargs):
        from google_auth_oauthlib.flow import Flow

        config = {
            "web": {
                "client_id": settings.GOOGLE_CLIENT_ID,
                "client_secret": settings.GOOGLE_CLIENT_SECRET,
                "auth_uri": settings.GOOGLE_AUTH_URI,
                "token_uri": settings.GOOGLE_TOKEN_URI,
            }
        }
        return Flow.from_client_config(
            config, scopes=list(provider.scopes), redirect_uri=redirect_uri, **kwargs
        )

    def authorization_url(self, provider, state, redirect_uri):
        flow = self._flow(provider, redirect_uri)
        # offline + consent: Google issues a refresh token on every consent, reconnects included.
        url, _ = flow.authorization_url(
            state=state, access_type="offline", prompt="consent", include_granted_scopes="true"
        )
        return url, flow.code_verifier

    def exchange(self, provider, code, redirect_uri, code_verifier):
        import requests
        from google.auth import jwt
        from oauthlib.oauth2 import OAuth2Error

        flow = self._flow(provider, redirect_uri, code_verifier=code_verifier)
        try:
            token = flow.fetch_token(code=code, timeout=settings.PROVIDER_TIMEOUT)
        except OAuth2Error as exc:
            raise ProviderError(
                f"Google refused the authorization code: {exc.error}",
                provider=provider.slug,
                status=exc.status_code,
                provider_code=exc.error or "",
            ) from exc
        except requests.RequestException as exc:
            raise Transient(
                "Google did not answer the token request.", provider=provider.slug
            ) from exc
        # The id_token came straight from Google's token endpoint over TLS, so its claims can be
        # read without checking the signature (OpenID Connect Core 3.1.3.7).
        claims = jwt.decode(token["id_token"], verify=False) if token.get("id_token") else {}
        credentials = flow.credentials
        return TokenSet(
            access_token=credentials.token,
            refresh_token=credentials.refresh_token,
            expires_at=_aware(credentials.expiry),
            scopes=sorted(token.get("scope") or provider.scopes),
            account=claims.get("email", ""),
        )

    def refresh(self, provider, refresh_token, credential):
        import google.auth.exceptions
        import google.auth.transport.requests
        from google.oauth2.credentials import Credentials

        credentials = Credentials(
            None,
            refresh_token=refresh_token,
            token_uri=settings.GOOGLE_TOKEN_URI,
            client_id=settings.GOOGLE_CLIENT_ID,
            client_secret=settings.GOOGLE_CLIENT_SECRET,
        )
        request = functools.partial(
            google.auth.transport.requests.Request(), timeout=settings.PROVIDER_TIMEOUT
        )
        try:
            credentials.refresh(request)
        except google.auth.exceptions.RefreshError as exc:
            if "invalid_grant" in str(exc):
                raise AuthExpired(
                    "Google revoked or expired the grant.",
                    provider=provider.slug,
                    status=400,
                    provider_code="invalid_grant",
                ) from exc
            error = Transient if getattr(exc, "retryable", False) else ProviderError
            raise error("Google refused to refresh the token.", provider=provider.slug) from exc
        except google.auth.exceptions.TransportError as exc:
            raise Transient("Google did not answer the refresh.", provider=provider.slug) from exc
        # google-auth keeps the old refresh token when the answer carries none.
        return TokenSet(
            access_token=credentials.token,
            refresh_token=credentials.refresh_token,
            expires_at=_aware(credentials.expiry),
        )

    def revoke(self, provider, token, credential):
        import requests

        try:
            answer = requests.post(
                settings.GOOGLE_REVOKE_URI, data={"token": token}, timeout=settings.PROVIDER_TIMEOUT
            )
        except requests.RequestException as exc:
            raise Transient(
                "Google did not answer the revocation.", provider=provider.slug
            ) from exc
        # 400 (invalid_token): the grant was already gone; nothing was revoked now.
        return answer.ok


def _aware(expiry):
    """google-auth reports expiry as naive UTC."""
    return expiry.replace(tzinfo=UTC) if expiry is not None else None
