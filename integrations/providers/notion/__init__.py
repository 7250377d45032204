"""Notion: pages and databases.

``oauth``: the public integration's OAuth; ``client``: the API through notion-client, errors
mapped into the error tree. Internal integration tokens are stored as the credential's API key.
"""

from integrations.base import AuthKind, Provider

from . import client
from .oauth import NotionOAuth

NOTION_PROVIDER = Provider(
    slug="notion",
    name="Notion",
    workspace_wide=True,
    category="productivity",
    auth=AuthKind.OAUTH2,
    endpoints=("NOTION_API_URL",),
    oauth=NotionOAuth(),
    required_settings=("NOTION_CLIENT_ID", "NOTION_CLIENT_SECRET"),
    sync_schedule="productivity.sync_notion_all",
    client=client.client,
    description="Pull shared pages into the knowledge store; export notes and reports.",
)
