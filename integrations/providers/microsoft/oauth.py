"""Microsoft's sign-in through msal (authorization code flow).
https://learn.microsoft.com/entra/msal/python/

The grant is msal's own serialized token cache: the credential's ``refresh_token`` column (an
encrypted field) holds it, and it holds the refresh token. Every refresh goes through msal with
that cache and hands the framework the cache again, with the refresh token Microsoft rotated, so
the new one is stored each time.
"""

from __future__ import annotations

import json
from datetime import timedelta

import requests
from django.conf import settings
from django.utils import timezone

from clianta import scrub
from integrations.errors import AuthExpired, ProviderError, Transient
from integrations.oauth.base import TokenSet

SLUG = "outlook"
# Errors of the token endpoint that mean the grant is gone: the user must sign in again.
# https://learn.microsoft.com/entra/identity-platform/reference-error-codes
RECONNECT_ERRORS = {"invalid_grant", "interaction_required"}
RETRYABLE_ERRORS = {"temporarily_unavailable", "server_error"}


class _AuthoritySession(requests.Session):
    """msal's HTTP client: the authority's CA bundle and the timeout on every request. (Set on
    the session only, ``verify`` would lose to REQUESTS_CA_BUNDLE: psf/requests#3829.)"""

    def __init__(self):
        super().__init__()
        self.verify = settings.MICROSOFT_CA_BUNDLE

    def request(self, *args, **kwargs):
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("timeout", settings.PROVIDER_TIMEOUT)
        return super().request(*args, **kwargs)


class MicrosoftOAuth:
    """msal's ConfidentialClientApplication behind the framework's connect, callback and refresh.

    The framework's state is handed to ``initiate_auth_code_flow``; msal's flow (its PKCE
    verifier and nonce) is kept where the framework keeps a verifier: encrypted with the state,
    so the callback's state check happens before msal sees anything.
    """

    pkce = True

    def _app(self, cache=None):
        import msal
        from msal.exceptions import MsalServiceError

        try:
            return msal.ConfidentialClientApplication(
                settings.MICROSOFT_CLIENT_ID,
                client_credential=settings.MICROSOFT_CLIENT_SECRET,
                authority=settings.MICROSOFT_AUTHORITY,
                # Instance discovery would ask login.microsoftonline.com about any other host;
                # the configured authority is trusted as it is (msal/authority.py).
                instance_discovery=False,
                http_client=_AuthoritySession(),
                token_cache=cache,
            )
        except (requests.RequestException, MsalServiceError) as exc:
            raise Transient("Microsoft's sign-in service did not answer.", provider=SLUG) from exc
        except ValueError as exc:
            raise ProviderError(
                "Microsoft's sign-in configuration could not be read.", provider=SLUG
            ) from exc

    def authorization_url(self, provider, state, redirect_uri):
        flow = _call(
            lambda: self._app().initiate_auth_code_flow(
                list(provider.scopes), redirect_uri=redirect_uri, state=state
            )
        )
        return flow["auth_uri"], json.dumps(flow)

    def exchange(self, provider, code, redirect_uri, code_verifier):
        import msal

        flow = json.loads(code_verifier or "{}")
        cache = msal.SerializableTokenCache()
        app = self._app(cache)
        # The framework already checked the state; msal checks it again with its nonce.
        answer = {"code": code, "state": flow.get("state", "")}
        result = _call(lambda: app.acquire_token_by_auth_code_flow(flow, answer))
        claims = result.get("id_token_claims") or {}
        return _tokens(
            provider,
            result,
            cache,
            account=(claims.get("preferred_username") or claims.get("email") or "").lower(),
        )

    def refresh(self, provider, refresh_token, credential):
        import msal

        cache = msal.SerializableTokenCache()
        try:
            cache.deserialize(refresh_token)
        except ValueError as exc:
            raise AuthExpired("The stored Microsoft grant is unreadable.", provider=SLUG) from exc
        app = self._app(cache)
        accounts = app.get_accounts()
        if not accounts:
            raise AuthExpired("No Microsoft account in the stored grant.", provider=SLUG)
        result = _call(
            lambda: app.acquire_token_silent_with_error(
                list(provider.scopes), accounts[0], force_refresh=True
            )
        )
        if result is None:  # msal found no refresh token to use
            raise AuthExpired("The stored Microsoft grant has no refresh token.", provider=SLUG)
        return _tokens(provider, result, cache)

    def revoke(self, provider, token, credential):
        """The identity platform has no endpoint revoking one app's refresh token (Graph's
        revokeSignInSessions signs the user out everywhere): the user removes the app at
        https://myapps.microsoft.com."""
        return False


def _call(request):
    """Run an msal call; its error dicts and transport failures as errors of the tree."""
    from msal.exceptions import MsalServiceError

    try:
        result = request()
    except (requests.RequestException, MsalServiceError) as exc:
        # msal raises MsalServiceError for 5xx answers (oauth2cli/oauth2.py,
        # throttled_http_client.py) and lets timeouts through.
        raise Transient("Microsoft's sign-in service did not answer.", provider=SLUG) from exc
    except (ValueError, RuntimeError) as exc:
        # A state or nonce that does not match the flow.
        raise ProviderError("Microsoft's sign-in answer did not match.", provider=SLUG) from exc
    if result and "error" in result:
        error = result["error"]
        if error in RECONNECT_ERRORS:
            raise AuthExpired(
                "Microsoft revoked or expired the grant.",
                provider=SLUG,
                status=400,
                provider_code=error,
            )
        kind = Transient if error in RETRYABLE_ERRORS else ProviderError
        raise kind(f"Microsoft refused: {error}", provider=SLUG, provider_code=error)
    return result


def _tokens(provider, result: dict, cache, account: str = "") -> TokenSet:
    for secret in (result.get("access_token"), result.get("refresh_token")):
        scrub.remember(secret)
    expires_in = int(result.get("expires_in") or 3600)
    granted = [s for s in str(result.get("scope", "")).split() if s]
    return TokenSet(
        access_token=result["access_token"],
        refresh_token=cache.serialize(),
        expires_at=timezone.now() + timedelta(seconds=expires_in),
        scopes=sorted(granted) or list(provider.scopes),
        account=account,
    )
