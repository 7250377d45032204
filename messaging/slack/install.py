"""A Slack install completed through the OAuth callback becomes the workspace's SlackIntegration,
with the default notification rules. A team linked to another workspace is refused (AccountTaken:
the callback stores nothing) until that workspace releases it."""

from __future__ import annotations

import logging

from django.db import transaction
from django.views.decorators.http import require_http_methods

from integrations.errors import AccountTaken
from integrations.oauth import tokens
from integrations.oauth import views as oauth_views
from integrations.providers.slack.oauth import take_incoming_webhook
from integrations.signals import credential_connected

from .models import NotificationRule, SlackIntegration

logger = logging.getLogger("integrations.slack")


def connected(sender, credential, user, **kwargs) -> SlackIntegration | None:
    if sender != "slack":
        return None
    metadata = credential.metadata
    webhook = take_incoming_webhook() or {}
    channel_id = webhook.get("channel_id", "")
    with transaction.atomic():
        integration, created = SlackIntegration.objects.select_for_update().get_or_create(
            team_id=credential.account,
            defaults={"workspace": credential.workspace, "credential": credential},
        )
        if integration.workspace_id != credential.workspace_id:
            # One workspace per team: another workspace's team never moves; its owners or admins
            # release it first (POST /api/slack/integrations/{id}/release).
            logger.warning("slack.team_taken", extra={"team_id": integration.team_id})
            raise AccountTaken(
                "This Slack team is connected to another Clianta workspace.", provider="slack"
            )
        integration.credential = credential
        integration.team_name = metadata.get("team_name", "")
        integration.bot_user_id = metadata.get("bot_user_id", "")
        integration.app_id = metadata.get("app_id", "")
        if webhook.get("url"):
            integration.incoming_webhook_url = webhook["url"]
        if channel_id:
            integration.default_channel = channel_id
            if channel_id not in integration.linked_channels:
                integration.linked_channels = [*integration.linked_channels, channel_id]
        integration.save()
        for name, event_type, channel, template in NotificationRule.DEFAULTS:
            NotificationRule.objects.get_or_create(
                workspace=credential.workspace,
                name=name,
                defaults={"event_type": event_type, "channel": channel, "template": template},
            )
    logger.info("slack.installed", extra={"team_id": integration.team_id, "new_install": created})
    return integration


def release(integration: SlackIntegration, request=None) -> None:
    """Give the team up: the bot token is revoked at Slack and the credential removed (the
    install with it), so that another workspace may connect the team; the audit trail records
    both with the request's user."""
    logger.info("slack.team_released", extra={"team_id": integration.team_id})
    tokens.disconnect(integration.credential, request=request)


def connect_receiver() -> None:
    credential_connected.connect(connected, dispatch_uid="slack.install")


@require_http_methods(["GET", "POST"])
def oauth_callback(request):
    """The original service's callback route. Slack redirects browsers here with a GET; a front
    end may instead POST the ``code`` and ``state`` it received. Either way the framework's
    callback checks the state and completes the install."""
    if request.method == "POST":
        request.GET = request.POST
        request.method = "GET"
    return oauth_views.callback(request, provider="slack")
