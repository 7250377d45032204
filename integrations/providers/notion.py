"""Notion: pages and databases through notion-client. https://developers.notion.com/reference"""

from django.conf import settings

from integrations.registry import AuthKind, Provider

# Pinned: 2025-09-03 moved database rows to data sources (PROVIDERS.md, section 8).
NOTION_VERSION = "2022-06-28"


def client(credential):
    from notion_client import Client

    return Client(
        auth=credential.access_token or credential.api_key,
        base_url=settings.NOTION_API_URL,
        notion_version=NOTION_VERSION,
        timeout_ms=int(settings.PROVIDER_TIMEOUT * 1000),
    )


NOTION = Provider(
    slug="notion",
    name="Notion",
    category="productivity",
    auth=AuthKind.OAUTH2,
    endpoints=("NOTION_API_URL",),
    client=client,
    description="Pull shared pages into the knowledge store; export notes and reports.",
)
