"""Google's APIs (Gmail, Calendar, Sheets) through google-api-python-client: one client per
credential and API, failures mapped into the error tree once.
https://developers.google.com/workspace/gmail/api/guides/handle-errors
"""

from __future__ import annotations

import functools
import urllib.parse

from django.conf import settings

from integrations import registry
from integrations.errors import ProviderError, Transient


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
