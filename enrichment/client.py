"""Apollo.io over requests (Apollo has no official Python SDK), with the workspace's stored key
or, failing that, the APOLLO_API_KEY setting. https://docs.apollo.io/reference"""

from __future__ import annotations

import logging

import requests
from django.conf import settings

from integrations import health, registry
from integrations.errors import (
    AuthExpired,
    ConfigurationError,
    ProviderError,
    RateLimited,
    Transient,
    retry_after_seconds,
)
from integrations.models import IntegrationCredential

from . import credits

logger = logging.getLogger("integrations.apollo")
# Apollo's daily figures on every answer (docs.apollo.io/reference/rate-limits): field of
# ApolloUsage -> header.
DAILY_HEADERS = {
    "daily_requests_limit": "x-rate-limit-daily",
    "daily_requests_used": "x-daily-usage",
    "daily_requests_left": "x-daily-requests-left",
}


class ApolloClient:
    def __init__(self, workspace_id):
        credential = IntegrationCredential.objects.filter(
            workspace_id=workspace_id,
            provider="apollo",
            status=IntegrationCredential.Status.ACTIVE,
        ).first()
        if not (credential and credential.api_key) and not settings.APOLLO_API_KEY:
            raise ConfigurationError(
                "Apollo is not set up: store the workspace's API key or set APOLLO_API_KEY."
            )
        self.workspace_id = workspace_id
        self.credential = credential
        self.session = registry.get("apollo").client(credential)

    def match_person(self, **identity) -> dict | None:
        """People enrichment; None when Apollo has no match (a 200 that costs no credit)."""
        return self._call("POST", "people/match", json=identity).get("person")

    def enrich_organization(self, domain: str) -> dict | None:
        return self._call("GET", "organizations/enrich", params={"domain": domain}).get(
            "organization"
        )

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, path, **kwargs)
        except requests.RequestException as exc:
            raise Transient(
                f"Apollo did not answer: {type(exc).__name__}", provider="apollo"
            ) from exc
        daily = {
            field: int(response.headers[name])
            for field, name in DAILY_HEADERS.items()
            if response.headers.get(name, "").isdigit()
        }
        if daily:
            credits.note_daily_requests(self.workspace_id, daily)
        status = response.status_code
        if status == 429:
            raise RateLimited(
                "Apollo's rate limit was reached.",
                provider="apollo",
                status=429,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status == 401:
            raise self._refused(_message(response))
        if status >= 500:
            raise Transient(f"Apollo answered {status}.", provider="apollo", status=status)
        if status >= 400:
            raise ProviderError(_message(response), provider="apollo", status=status)
        try:
            return response.json()
        except ValueError as exc:
            raise Transient("Apollo's answer was cut short.", provider="apollo") from exc

    def _refused(self, message: str) -> AuthExpired:
        """The key was deleted or replaced at Apollo: the workspace's credential (if the key was
        its own, not the setting's) needs a new key."""
        if self.credential is not None and self.credential.api_key:
            message = f"{message} Reconnect Apollo with a new key (Settings → Integrations)."
            health.mark_needs_reconnect(self.credential, message)
        return AuthExpired(message, provider="apollo", status=401)


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
