"""A requests session bound to one provider base URL, for providers without an official Python
SDK (Microsoft Graph, Apollo.io)."""

from __future__ import annotations

import requests
from django.conf import settings


class ProviderSession(requests.Session):
    """Relative paths join the base URL; every request has a timeout."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.headers.update(headers or {})

    def request(self, method, url, *args, **kwargs):
        if not url.startswith(("http://", "https://")):
            url = f"{self.base_url}/{url.lstrip('/')}"
        kwargs.setdefault("timeout", settings.PROVIDER_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


class BearerSession(ProviderSession):
    """Sends the credential's current access token (refreshed through access_token())."""

    def __init__(self, base_url: str, credential):
        super().__init__(base_url)
        self.credential = credential

    def request(self, method, url, *args, **kwargs):
        from integrations.oauth.tokens import access_token

        headers = {**(kwargs.pop("headers", None) or {})}
        headers["Authorization"] = f"Bearer {access_token(self.credential)}"
        return super().request(method, url, *args, headers=headers, **kwargs)
