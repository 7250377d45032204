"""Microsoft Graph over HTTP (requests): Outlook mail, failures mapped into the error tree once.
https://learn.microsoft.com/graph/api/resources/mail-api-overview
"""

from __future__ import annotations

import requests
from django.conf import settings

from integrations.errors import ProviderError, RateLimited, Transient, retry_after_seconds
from integrations.providers.http import BearerSession

from .oauth import SLUG


def session(credential) -> BearerSession:
    """A requests session on Graph sending the credential's current access token."""
    return BearerSession(settings.MICROSOFT_GRAPH_URL, credential)


def raise_for_graph(response: requests.Response) -> None:
    """Map a Graph error answer into the error tree (once, for every Graph call).
    https://learn.microsoft.com/graph/errors, https://learn.microsoft.com/graph/throttling"""
    status = response.status_code
    if status < 400:
        return
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    error = error if isinstance(error, dict) else {}
    message = error.get("message") or f"Microsoft Graph answered {status}."
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 429 or (status == 503 and wait is not None):
        raise RateLimited(message, provider=SLUG, status=status, retry_after=wait)
    if status >= 500:
        raise Transient(message, provider=SLUG, status=status)
    raise ProviderError(
        message, provider=SLUG, status=status, provider_code=str(error.get("code", ""))
    )


class GraphClient:
    """One credential's Graph: the access token checked before each call, a 401 refreshes once
    (unless another worker already did), failures mapped into the error tree."""

    def __init__(self, credential):
        self.credential = credential
        self.session = session(credential)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        from integrations.oauth.tokens import access_token

        response = self._send(method, url, **kwargs)
        if response.status_code == 401:
            sent = response.request.headers.get("Authorization", "").removeprefix("Bearer ")
            access_token(self.credential, rejected=sent)
            response = self._send(method, url, **kwargs)
        raise_for_graph(response)
        return response

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            return self.session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            raise Transient("Microsoft Graph did not answer.", provider=SLUG) from exc

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def get_json(self, url: str, **kwargs) -> dict:
        """A GET's JSON object; an answer cut off mid-way is Transient, retried like a 5xx."""
        try:
            body = self.get(url, **kwargs).json()
        except ValueError as exc:
            raise Transient(
                "Microsoft Graph's answer is not complete JSON.", provider=SLUG
            ) from exc
        if not isinstance(body, dict):
            raise Transient("Microsoft Graph's answer is not a JSON object.", provider=SLUG)
        return body

    def post(self, url: str, **kwargs) -> requests.Response:
        return self.request("POST", url, **kwargs)
