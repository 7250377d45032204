"""Slack: the Web API and its installs.

``oauth``: installing the app through OAuth v2; ``client``: the Web API through slack-sdk, errors
mapped into the error tree.
"""

from integrations.base import AuthKind, Provider

from . import client
from .oauth import SlackOAuth

SLACK_PROVIDER = Provider(
    slug="slack",
    name="Slack",
    workspace_wide=True,
    category="messaging",
    auth=AuthKind.OAUTH2,
    endpoints=("SLACK_AUTHORIZE_URL", "SLACK_API_URL"),
    scopes=(
        "chat:write",
        "commands",
        "channels:history",
        "channels:read",
        "users:read",
        "users:read.email",
        "incoming-webhook",
    ),
    oauth=SlackOAuth(),
    required_settings=("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET"),
    console_urls=(
        ("Event Subscriptions: Request URL", "slack-events"),
        ("Slash command /clianta: Request URL", "slack-commands"),
    ),
    client=client.client,
    description="Notifications on CRM events, channel messages and the /clianta command.",
)
