"""Apollo.io's REST API over requests (Apollo has no official Python SDK), with the credential's
key or, failing that, the APOLLO_API_KEY setting's; failures mapped into the error tree once.
https://docs.apollo.io/reference
"""

from __future__ import annotations

import requests
from django.conf import settings

from integrations.errors import (
    AuthExpired,
    ProviderError,
    RateLimited,
    Transient,
    retry_after_seconds,
)
from integrations.providers.http import ProviderSession

# Apollo's daily figures on every answer (docs.apollo.io/reference/rate-limits): name -> header.
DAILY_HEADERS = {
    "daily_requests_limit": "x-rate-limit-daily",
    "daily_requests_used": "x-daily-usage",
    "daily_requests_left": "x-daily-requests-left",
}


class Apollo:
    """One key's Apollo. ``daily`` holds the daily request figures of the last answer (sent
    with errors too)."""

    def __init__(self, credential):
        key = (credential.api_key if credential is not None else None) or settings.APOLLO_API_KEY
        self.session = ProviderSession(settings.APOLLO_BASE_URL, headers={"X-Api-Key": key})
        self.daily: dict[str, int] = {}

    def request(self, method: str, path: str, **kwargs) -> dict:
        """The JSON answer of a call; Apollo's refusals raised as errors of the tree."""
        self.daily = {}
        try:
            response = self.session.request(method, path, **kwargs)
        except requests.RequestException as exc:
            raise Transient(
                f"Apollo did not answer: {type(exc).__name__}", provider="apollo"
            ) from exc
        self.daily = {
            field: int(response.headers[name])
            for field, name in DAILY_HEADERS.items()
            if response.headers.get(name, "").isdigit()
        }
        raise_for_apollo(response)
        try:
            return response.json()
        except ValueError as exc:
            raise Transient("Apollo's answer was cut short.", provider="apollo") from exc


def raise_for_apollo(response: requests.Response) -> None:
    """Map an Apollo error answer into the error tree; a refused key (401) is AuthExpired."""
    status = response.status_code
    if status == 429:
        raise RateLimited(
            "Apollo's rate limit was reached.",
            provider="apollo",
            status=429,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if status == 401:
        raise AuthExpired(_message(response), provider="apollo", status=401)
    if status >= 500:
        raise Transient(f"Apollo answered {status}.", provider="apollo", status=status)
    if status >= 400:
        raise ProviderError(_message(response), provider="apollo", status=status)


def _message(response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("error") or body.get("message") if isinstance(body, dict) else None
    reasons = {
        401: "Apollo refused the API key.",
        402: "The Apollo account has no credits left.",
        403: "The Apollo plan or key does not allow this call.",
        422: "Apollo could not use the request.",
    }
    return reasons.get(response.status_code, f"Apollo answered {response.status_code}.") + (
        f" ({detail})" if detail else ""
    )
