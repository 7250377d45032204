"""Slack: the Web API through slack-sdk. https://docs.slack.dev/reference/methods"""

from django.conf import settings

from integrations.registry import AuthKind, Provider


def client(credential):
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    # slack-sdk retries only connection errors by default; 429s wait for Retry-After too.
    return WebClient(
        token=credential.access_token,
        base_url=settings.SLACK_API_URL,
        timeout=settings.PROVIDER_TIMEOUT,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )


SLACK = Provider(
    slug="slack",
    name="Slack",
    category="messaging",
    auth=AuthKind.OAUTH2,
    endpoints=("SLACK_AUTHORIZE_URL", "SLACK_API_URL"),
    scopes=("chat:write", "commands", "channels:history", "users:read", "users:read.email"),
    client=client,
    description="Notifications on CRM events, channel messages and the /clianta command.",
)
