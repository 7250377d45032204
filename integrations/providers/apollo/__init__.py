"""Apollo.io: enrichment over HTTP with an API key (no official Python SDK).
https://docs.apollo.io/reference/authentication

``client``: the REST API over requests, errors mapped into the error tree. A workspace without its
own key uses the APOLLO_API_KEY setting's.
"""

from integrations.base import AuthKind, Provider

from .client import Apollo

APOLLO_PROVIDER = Provider(
    slug="apollo",
    name="Apollo.io",
    workspace_wide=True,
    category="enrichment",
    auth=AuthKind.API_KEY,
    endpoints=("APOLLO_BASE_URL",),
    client=Apollo,
    fallback_settings=("APOLLO_API_KEY",),
    description="Enrich contacts and companies, within the workspace's credits.",
)
