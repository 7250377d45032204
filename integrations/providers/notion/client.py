"""Notion's API through notion-client, failures mapped into the error tree once.
https://developers.notion.com/reference/status-codes
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from integrations.errors import (
    RECONNECT_MESSAGE,
    AuthExpired,
    ProviderError,
    RateLimited,
    Transient,
    retry_after_seconds,
)

# Pinned: 2025-09-03 moved database rows to data sources (PROVIDERS.md, section 8).
NOTION_VERSION = "2022-06-28"


def client(credential):
    """The credential's integration (its OAuth access token, or its internal integration
    token); an unauthenticated client for None."""
    return _sdk((credential.access_token or credential.api_key) if credential else None)


def _sdk(auth: str | None):
    from notion_client import Client

    return Client(
        auth=auth,
        base_url=settings.NOTION_API_URL,
        notion_version=NOTION_VERSION,
        timeout_ms=int(settings.PROVIDER_TIMEOUT * 1000),
    )


@contextmanager
def api_errors() -> Iterator[None]:
    """Map what a notion-client call raises onto the error tree."""
    import httpx
    from notion_client import APIResponseError
    from notion_client.errors import HTTPResponseError, RequestTimeoutError

    try:
        yield
    except APIResponseError as exc:
        code = str(exc.code)
        if exc.status == 429:
            raise RateLimited(
                "Notion's rate limit was reached.",
                provider="notion",
                status=429,
                retry_after=retry_after_seconds(
                    exc.headers.get("retry-after") if exc.headers else None
                ),
            ) from exc
        if exc.status == 401:
            # The token no longer works: the integration was removed from the Notion workspace.
            raise AuthExpired(
                RECONNECT_MESSAGE, provider="notion", status=401, provider_code=code
            ) from exc
        error = Transient if exc.status >= 500 else ProviderError
        raise error(
            f"Notion: {exc}", provider="notion", status=exc.status, provider_code=code
        ) from exc
    except (RequestTimeoutError, HTTPResponseError, httpx.TransportError) as exc:
        raise Transient(f"Notion did not answer: {type(exc).__name__}", provider="notion") from exc
    except json.JSONDecodeError as exc:  # a body cut short: the connection dropped
        raise Transient("Notion's answer was cut short.", provider="notion") from exc


def token_works(token: str) -> bool:
    """Whether Notion accepts an internal integration token (a one-result search)."""
    from notion_client import APIResponseError

    try:
        _sdk(token).search(page_size=1)
    except APIResponseError as exc:
        if exc.status in (401, 403):
            return False
        raise
    return True
