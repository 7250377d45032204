"""An org's REST and Bulk 2.0 APIs through simple-salesforce, at the org's instance; what it
raises mapped into the error tree once.

simple-salesforce calls ``https://{instance}/services/…`` and keeps only the host of an
``instance_url`` (PROVIDERS.md, section 11), so it is given the instance URL without its scheme,
path kept. It never refreshes a session: ``Org.call`` refreshes the access token once when the
org answers ``INVALID_SESSION_ID``, and calls again. Every answer's ``Sforce-Limit-Info`` (the
org's API requests used today, of its daily limit) is kept in ``Org.usage``.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import requests
from django.conf import settings

from integrations.errors import (
    AuthExpired,
    ConfigurationError,
    ProviderError,
    RateLimited,
    Transient,
)

SLUG = "salesforce"
T = TypeVar("T")


def moment(value: str) -> datetime:
    """A Salesforce datetime as REST (``2024-01-31T10:00:00.000+0000``) or Bulk CSV (``…000Z``)
    writes it, as an aware datetime."""
    return datetime.fromisoformat(value.replace("+0000", "+00:00").replace("Z", "+00:00"))


class DailyLimitReached(RateLimited):
    """The org's daily API requests are used up (``REQUEST_LIMIT_EXCEEDED``): nothing more until
    Salesforce's 24-hour window frees some."""

    code = "salesforce_limit_reached"


class Session(requests.Session):
    """Every request to Salesforce (its API and its OAuth endpoints) with a timeout, verified
    against SALESFORCE_CA_BUNDLE (passed per request: a session's ``verify`` loses to
    REQUESTS_CA_BUNDLE, psf/requests#3829)."""

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", settings.PROVIDER_TIMEOUT)
        kwargs.setdefault("verify", settings.SALESFORCE_CA_BUNDLE)
        return super().request(method, url, *args, **kwargs)


def sdk(instance_url: str, access_token: str):
    from simple_salesforce import Salesforce

    return Salesforce(
        instance=instance_url.split("://", 1)[-1].rstrip("/"),
        session_id=access_token,
        version=settings.SALESFORCE_API_VERSION,
        session=Session(),
    )


def client(credential):
    """The credential's org (an ``Org``)."""
    if credential is None:
        raise ConfigurationError("Salesforce is not connected.", provider=SLUG)
    return Org(credential)


class Org:
    """One connected org: ``call(lambda sf: sf.query(soql))`` runs a simple-salesforce call
    with the credential's current access token."""

    def __init__(self, credential):
        from integrations.oauth.tokens import access_token

        self.credential = credential
        self.instance_url = credential.metadata.get("instance_url", "")
        if not self.instance_url:
            raise AuthExpired("The Salesforce grant names no instance.", provider=SLUG)
        self.sf = sdk(self.instance_url, access_token(credential))
        #: (used, limit) of the org's daily API requests, from the last answer that said.
        self.usage: tuple[int, int] | None = None

    def call(self, request: Callable[..., T]) -> T:
        from integrations.oauth.tokens import access_token

        try:
            return self._mapped(request)
        except _Expired as expired:
            token = access_token(self.credential, rejected=self.sf.session_id)
            self.sf = sdk(self.instance_url, token)
            try:
                return self._mapped(request)
            except _Expired:
                raise AuthExpired(
                    "Salesforce refused a freshly refreshed session.", provider=SLUG, status=401
                ) from expired.__cause__

    def _mapped(self, request: Callable[..., T]) -> T:
        from simple_salesforce.exceptions import SalesforceError, SalesforceOperationError

        try:
            answer = request(self.sf)
        except SalesforceError as exc:
            raise mapped_error(exc) from exc
        except SalesforceOperationError as exc:  # a bulk job that failed or was aborted
            raise ProviderError(f"Salesforce's job failed: {exc}", provider=SLUG) from exc
        except requests.RequestException as exc:  # timeouts, refused connections, cut bodies
            raise Transient(
                f"Salesforce did not answer: {type(exc).__name__}", provider=SLUG
            ) from exc
        except ValueError as exc:  # an answer cut short: not JSON
            raise Transient("Salesforce's answer was cut short.", provider=SLUG) from exc
        usage = self.sf.api_usage.get("api-usage")
        if usage is not None:
            self.usage = (usage.used, usage.total)
        return answer


class _Expired(Exception):
    """INVALID_SESSION_ID: the access token expired or was revoked."""


def error_code(exc) -> tuple[str, str]:
    """The first ``errorCode`` and ``message`` of a Salesforce error body."""
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode", "")), str(content[0].get("message", ""))
    if isinstance(content, dict):
        return str(content.get("errorCode", content.get("error", ""))), ""
    return "", ""


def mapped_error(exc) -> Exception:
    """The error tree's class for what simple-salesforce raised (a ``SalesforceError`` with the
    answer's status and parsed body)."""
    code, message = error_code(exc)
    status = exc.status
    text = f"Salesforce: {message or code or status}"[:500]
    if status == 401:
        return _Expired()
    if code == "REQUEST_LIMIT_EXCEEDED":
        return DailyLimitReached(text, provider=SLUG, status=status, provider_code=code)
    if status == 429:
        return RateLimited(text, provider=SLUG, status=status, provider_code=code)
    if status >= 500 or code in ("SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"):
        return Transient(text, provider=SLUG, status=status, provider_code=code)
    return ProviderError(text, provider=SLUG, status=status, provider_code=code)
