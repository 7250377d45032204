"""Google: OAuth 2.0 through google-auth-oauthlib and google-auth; Gmail, Calendar and Sheets
clients through google-api-python-client. https://developers.google.com/identity/protocols/oauth2/web-server
"""

from __future__ import annotations

import functools
import urllib.parse
from datetime import UTC

from django.conf import settings

from integrations import registry
from integrations.errors import AuthExpired, ProviderError, Transient
from integrations.oauth.base import TokenSet
from integrations.registry import AuthKind, Provider

IDENTITY_SCOPES = ("openid", "https://www.googleapis.com/auth/userinfo.email")
OAUTH_ENDPOINTS = ("GOOGLE_AUTH_URI", "GOOGLE_TOKEN_URI", "GOOGLE_REVOKE_URI")


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

    def refresh(self, provider, refresh_token):
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

    def revoke(self, provider, token):
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


def raise_for_http_error(exc, provider: str):
    """Map google-api-python-client's HttpError into the error tree (once, for every Google API).
    https://developers.google.com/workspace/gmail/api/guides/handle-errors"""
    import json

    from integrations.errors import RateLimited

    status = exc.resp.status
    try:
        error = json.loads(exc.content or b"{}").get("error", {})
    except ValueError:
        error = {}
    reasons = {e.get("reason", "") for e in error.get("errors", []) if isinstance(e, dict)}
    message = error.get("message") or f"Google answered {status}."
    retry_after = exc.resp.get("retry-after")
    if status == 429 or (
        status == 403 and reasons & {"rateLimitExceeded", "userRateLimitExceeded"}
    ):
        raise RateLimited(
            message,
            provider=provider,
            status=status,
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
        ) from exc
    if status >= 500:
        raise Transient(message, provider=provider, status=status) from exc
    raise ProviderError(
        message, provider=provider, status=status, provider_code=",".join(reasons)
    ) from exc


def mapped_error(exc: Exception, provider: str) -> Exception:
    """Any failure of a google-api-python-client call as an error of the tree."""
    from googleapiclient.errors import HttpError

    if isinstance(exc, HttpError):
        try:
            raise_for_http_error(exc, provider)
        except ProviderError as mapped:
            return mapped
    return Transient(f"Google did not answer: {type(exc).__name__}", provider=provider)


class GoogleApi:
    """One credential's client for one Google API: the access token checked before each use
    (the client rebuilt only when the token changed: building parses the discovery document),
    a 401 refreshes once, failures mapped into the error tree."""

    def __init__(self, provider: str, credential):
        self.provider = provider
        self.credential = credential
        self.service = None
        self.token = None

    def connect(self) -> None:
        from integrations.oauth.tokens import access_token

        token = access_token(self.credential)
        if self.service is None or token != self.token:
            self.service = registry.get(self.provider).client(self.credential)
            self.token = token

    def reconnect(self) -> None:
        """After a 401: a new token, unless another worker already got one."""
        from integrations.oauth.tokens import access_token

        access_token(self.credential, rejected=self.token)
        self.connect()

    def call(self, request):
        """``request(service)`` builds the call; it is executed, once more after a 401."""
        self.connect()
        for attempt in (1, 2):
            try:
                return request(self.service).execute()
            except Exception as exc:
                if attempt == 1 and getattr(getattr(exc, "resp", None), "status", None) == 401:
                    self.reconnect()
                    continue
                raise mapped_error(exc, self.provider) from exc


def _aware(expiry):
    """google-auth reports expiry as naive UTC."""
    return expiry.replace(tzinfo=UTC) if expiry is not None else None


def _complete_json_model():
    """google-api-python-client hands a body that is not JSON (an answer cut off mid-way) to the
    caller as a plain string; this model raises instead, and the caller's mapping makes it a
    Transient error, retried like a 5xx."""
    from googleapiclient.model import JsonModel

    class CompleteJsonModel(JsonModel):
        def deserialize(self, content):
            body = super().deserialize(content)
            if isinstance(body, str | bytes):
                raise ValueError("Google's answer is not complete JSON.")
            return body

    return CompleteJsonModel()


@functools.cache
def _batch_class():
    from googleapiclient import _auth
    from googleapiclient.http import BatchHttpRequest

    class Batch(BatchHttpRequest):
        def _refresh_and_apply_credentials(self, request, http):
            """No refresh inside the batch (the credentials have no refresh token, as in
            ``api_client``): an inner call's 401 reaches the caller, which refreshes through
            access_token() and its lock and sends the batch again."""

        def _serialize_request(self, request):
            """A call without a body is written directly, as the same text the library's
            ``email`` generator writes; the others go through the library."""
            if request.body is not None:
                return super()._serialize_request(request)
            headers = dict(request.headers)
            credentials = _auth.get_credentials_from_http(request.http)
            if credentials is not None:
                _auth.apply_credentials(credentials, headers)
            uri = urllib.parse.urlsplit(request.uri)
            lines = [
                f"{request.method} {uri.path}{'?' if uri.query else ''}{uri.query} HTTP/1.1",
                f"Content-Type: {headers.pop('content-type', 'application/json')}",
                "MIME-Version: 1.0",
                *(f"{name}: {value}" for name, value in headers.items()),
                f"Host: {uri.netloc}",
            ]
            return "\n".join(lines) + "\n\n"

    return Batch


def batch_request(callback, batch_uri: str):
    """google-api-python-client's ``BatchHttpRequest``, but for refreshing (left to the caller)
    and for how it writes each inner call without a body: the library builds a MIME message
    per call and folds every header through the ``email`` generator, which cost a seventh of a
    Gmail sync's CPU (bench/README.md).
    https://developers.google.com/workspace/gmail/api/guides/batch"""
    return _batch_class()(callback=callback, batch_uri=batch_uri)


def api_client(api: str, version: str, endpoint_setting: str):
    """A google-api-python-client builder for one API, pointed at its configured endpoint."""

    def build(credential):
        import google_auth_httplib2
        import httplib2
        from google.oauth2.credentials import Credentials
        from googleapiclient.discovery import build as discovery_build

        from integrations.oauth.tokens import access_token

        # No refresh token and no refresh on 401 here: a 401 reaches the caller, which
        # refreshes through access_token() and its lock.
        http = google_auth_httplib2.AuthorizedHttp(
            Credentials(access_token(credential)),
            http=httplib2.Http(timeout=settings.PROVIDER_TIMEOUT),
            refresh_status_codes=(),
        )
        return discovery_build(
            api,
            version,
            http=http,
            client_options={"api_endpoint": getattr(settings, endpoint_setting)},
            cache_discovery=False,
            model=_complete_json_model(),
        )

    return build


OAUTH = GoogleOAuth()

GMAIL = Provider(
    slug="gmail",
    name="Gmail",
    category="email",
    auth=AuthKind.OAUTH2,
    endpoints=(*OAUTH_ENDPOINTS, "GMAIL_API_URL"),
    scopes=(*IDENTITY_SCOPES, "https://www.googleapis.com/auth/gmail.modify"),
    oauth=OAUTH,
    client=api_client("gmail", "v1", "GMAIL_API_URL"),
    sync_task="email_accounts.sync_credential",
    description="Read, send and thread email through a Google account.",
)
CALENDAR = Provider(
    slug="google_calendar",
    name="Google Calendar",
    category="calendar",
    auth=AuthKind.OAUTH2,
    endpoints=(*OAUTH_ENDPOINTS, "GOOGLE_CALENDAR_API_URL"),
    scopes=(*IDENTITY_SCOPES, "https://www.googleapis.com/auth/calendar"),
    oauth=OAUTH,
    client=api_client("calendar", "v3", "GOOGLE_CALENDAR_API_URL"),
    sync_task="calendars.sync_credential",
    description="Sync events, check availability and book meetings.",
)
SHEETS = Provider(
    slug="google_sheets",
    name="Google Sheets",
    category="productivity",
    auth=AuthKind.OAUTH2,
    endpoints=(*OAUTH_ENDPOINTS, "GOOGLE_SHEETS_API_URL"),
    scopes=(*IDENTITY_SCOPES, "https://www.googleapis.com/auth/spreadsheets"),
    oauth=OAUTH,
    client=api_client("sheets", "v4", "GOOGLE_SHEETS_API_URL"),
    description="Import contacts from sheets and export reports to them.",
)
