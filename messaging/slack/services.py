"""Slack operations: the only module that talks to Slack (through slack-sdk's WebClient).

Failures come out as the error tree: ``channel_not_found`` and ``not_in_channel`` as a
ProviderError saying what to fix; ``invalid_auth`` and ``token_revoked`` as AuthExpired, with the
credential marked ``needs_reconnect``; 429 (after slack-sdk's own Retry-After waits) as
RateLimited; 5xx and connection failures as Transient.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from clianta.models import Contact
from integrations import health
from integrations.errors import AuthExpired, ConfigurationError, ProviderError
from integrations.models import IntegrationCredential
from integrations.oauth.tokens import access_token
from integrations.providers.slack import client as provider

from .models import SlackIntegration, SlackMember

logger = logging.getLogger("integrations.slack")
#: How long a member's profile from users.info is used before Slack is asked again.
PROFILE_MAX_AGE = timedelta(hours=1)
TEST_MESSAGE = "Clianta is connected to this channel. CRM notifications will appear here."
CHANNEL_ERRORS = {
    "channel_not_found": "Slack has no channel {channel} that the app can see.",
    "not_in_channel": "The Clianta app is not a member of {channel}: invite it there first.",
}


def integration_of(workspace) -> SlackIntegration:
    found = (
        SlackIntegration.objects.select_related("credential").filter(workspace=workspace).first()
    )
    if found is None:
        raise ConfigurationError("Slack is not connected to this workspace.", provider="slack")
    return found


def _call(integration: SlackIntegration, method: str, **arguments) -> dict:
    from slack_sdk.errors import SlackClientError

    credential = integration.credential
    client = provider.client(credential, access_token(credential))
    try:
        return getattr(client, method)(**arguments).data
    except (SlackClientError, OSError) as exc:
        error = provider.mapped_error(exc)
        if isinstance(error, AuthExpired):
            _needs_reconnect(credential, error)
        raise error from exc


def _needs_reconnect(credential: IntegrationCredential, error: AuthExpired) -> None:
    health.mark_needs_reconnect(credential, error.message)
    logger.warning(
        "slack.needs_reconnect",
        extra={"credential": str(credential.pk), "reason": error.provider_code},
    )


def post_message(
    integration: SlackIntegration, channel: str, text: str, blocks: list | None = None
) -> dict:
    """Post in ``channel`` (an id or #name); Slack's answer (``channel``, ``ts``, ``message``)."""
    try:
        return _call(integration, "chat_postMessage", channel=channel, text=text, blocks=blocks)
    except ProviderError as exc:
        template = CHANNEL_ERRORS.get(exc.provider_code)
        if template is None:
            raise
        raise ProviderError(
            template.format(channel=channel),
            provider="slack",
            status=exc.status,
            provider_code=exc.provider_code,
            code=exc.provider_code,
        ) from exc


def test(integration: SlackIntegration) -> dict:
    """auth.test, then a test message in the default channel: what Slack answered to each."""
    auth = _call(integration, "auth_test")
    channel = integration.default_channel or "#general"
    posted = post_message(integration, channel, TEST_MESSAGE)
    return {
        "auth": {key: auth.get(key) for key in ("team", "team_id", "user", "user_id", "url")},
        "message": {"channel": posted.get("channel"), "ts": posted.get("ts"), "text": TEST_MESSAGE},
    }


def user_profile(integration: SlackIntegration, user_id: str) -> dict:
    """A member's ``email`` (with the users:read.email scope) and ``name``: as Slack's
    ``users.info`` gave them within PROFILE_MAX_AGE, else asked again (Slack allows about 100
    calls a minute, https://docs.slack.dev/reference/methods/users.info)."""
    fresh_since = timezone.now() - PROFILE_MAX_AGE
    known = SlackMember.objects.filter(
        integration=integration, user_id=user_id, checked_at__gte=fresh_since
    ).first()
    if known is not None:
        return {"email": known.email, "name": known.name}
    user = _call(integration, "users_info", user=user_id).get("user") or {}
    profile = user.get("profile") or {}
    found = {
        "email": (profile.get("email") or "").lower(),
        "name": (user.get("real_name") or profile.get("real_name") or user.get("name") or "")[:200],
    }
    SlackMember.objects.update_or_create(
        integration=integration,
        user_id=user_id,
        defaults={**found, "checked_at": timezone.now()},
    )
    return found


def find_contacts(workspace_id, query: str, limit: int = 10) -> list[Contact]:
    """The workspace's contacts whose email is ``query``, or whose name contains it."""
    query = query.strip()
    if not query:
        return []
    contacts = Contact.objects.filter(workspace_id=workspace_id).select_related("company")
    if "@" in query:
        return list(contacts.filter(email__iexact=query)[:limit])
    matches = Q()
    for word in query.split():
        matches &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return list(contacts.filter(matches).order_by("first_name", "last_name")[:limit])
