"""Apollo.io: enrichment over HTTP with an API key (no official Python SDK).
https://docs.apollo.io/reference/authentication
"""

from django.conf import settings

from integrations.registry import AuthKind, Provider

from .http import ProviderSession


def client(credential):
    """The workspace's stored key, else the APOLLO_API_KEY setting."""
    key = (credential.api_key if credential is not None else None) or settings.APOLLO_API_KEY
    return ProviderSession(settings.APOLLO_BASE_URL, headers={"X-Api-Key": key})


APOLLO = Provider(
    slug="apollo",
    name="Apollo.io",
    workspace_wide=True,
    category="enrichment",
    auth=AuthKind.API_KEY,
    endpoints=("APOLLO_BASE_URL",),
    client=client,
    description="Enrich contacts and companies, within the workspace's credits.",
)
