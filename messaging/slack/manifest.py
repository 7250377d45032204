"""The Slack app's manifest for "Create New App → From a manifest"
(https://docs.slack.dev/reference/app-manifest), from the current settings and the code: the
scopes our install asks for, the events our Events API endpoint handles, the slash command and
the redirect URL, all under PUBLIC_URL."""

from django.conf import settings
from django.urls import reverse

from integrations import registry

from . import channel_messages, commands
from .webhooks import PROVIDER

DESCRIPTION = "Clianta CRM: notifications, channel messages linked to contacts, contact lookup."


def _url(name: str, *args) -> str:
    return settings.PUBLIC_URL + reverse(name, args=args)


def manifest(name: str = "Clianta") -> dict:
    scopes = list(registry.get(PROVIDER).scopes)
    app_settings = {
        "event_subscriptions": {
            "request_url": _url("slack-events"),
            "bot_events": list(channel_messages.BOT_EVENTS),
        },
        "org_deploy_enabled": False,
        "socket_mode_enabled": False,
        "token_rotation_enabled": False,
    }
    if "incoming-webhook" in scopes:
        app_settings["incoming_webhooks"] = {"incoming_webhooks_enabled": True}
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": name, "description": DESCRIPTION},
        "features": {
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [
                {
                    "command": commands.COMMAND,
                    "url": _url("slack-commands"),
                    "description": commands.DESCRIPTION,
                    "usage_hint": commands.USAGE_HINT,
                    "should_escape": False,
                }
            ],
        },
        "oauth_config": {
            "redirect_urls": [_url("oauth-callback", PROVIDER)],
            "scopes": {"bot": scopes},
        },
        "settings": app_settings,
    }
