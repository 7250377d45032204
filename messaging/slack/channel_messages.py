"""Events API deliveries, in the worker: messages people post in linked channels are stored,
linked to the contact whose email is the sender's (https://docs.slack.dev/reference/events/message).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial

from clianta.models import Contact
from integrations import webhooks
from integrations.errors import IntegrationError, Transient
from integrations.models import WebhookDelivery

from . import services
from .models import SlackIntegration, SlackMessage

logger = logging.getLogger("integrations.slack")
# Message subtypes that are still a person's message; others (joins, edits, bot posts) are not.
PERSON_SUBTYPES = ("", "thread_broadcast", "file_share")
UNKNOWN_SENDER = {"email": "", "name": ""}
#: The Events API subscriptions (bot events) that deliver them; Slack sends each as an event of
#: type "message" (https://docs.slack.dev/reference/events/message.channels).
BOT_EVENTS = ("message.channels",)


def _integration(payload: dict) -> SlackIntegration | None:
    team_id = payload.get("team_id", "")
    if not (isinstance(team_id, str) and team_id):
        return None
    return SlackIntegration.objects.filter(team_id=team_id).first()


def _linked_message(
    payload: dict, integration: SlackIntegration | None
) -> tuple[SlackIntegration, dict] | None:
    """The integration and event of a person's message in a channel the (payload's team's)
    integration links, else None."""
    event = payload.get("event")
    if payload.get("type") != "event_callback" or not isinstance(event, dict):
        return None
    if event.get("type") != "message":
        return None
    if event.get("subtype", "") not in PERSON_SUBTYPES or event.get("bot_id"):
        return None
    if not (event.get("user") and event.get("ts")):
        return None
    if integration is None or event.get("channel", "") not in integration.linked_channels:
        return None
    return integration, event


def process(delivery_pk: str) -> str:
    """Process one recorded delivery once. The sender's profile is asked of Slack before
    process_delivery's transaction opens, so no transaction stays open across an HTTP call."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_pk, processed_at__isnull=True).first()
    integration = _integration(delivery.payload) if delivery else None
    found = _linked_message(delivery.payload, integration) if delivery else None
    sender = UNKNOWN_SENDER
    if found is not None:
        try:
            sender = services.user_profile(found[0], found[1]["user"])
        except Transient as exc:
            webhooks.record_failure(delivery.pk, exc)
            raise  # retried with backoff
        except IntegrationError as exc:
            # Kept without a contact: the message matters more than who sent it.
            logger.warning(
                "slack.sender_unknown",
                extra={"delivery_id": delivery.delivery_id, "error": exc.code},
            )
    handler = partial(store, integration=integration, sender=sender)
    return webhooks.process_delivery(delivery_pk, handler)


def store(delivery: WebhookDelivery, integration: SlackIntegration | None, sender: dict) -> None:
    """Store the message, if it is one; either way the delivery gets the workspace of its
    team's ``integration``."""
    if integration is not None:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(workspace_id=integration.workspace_id)
    found = _linked_message(delivery.payload, integration)
    log = {"delivery_id": delivery.delivery_id}
    if found is None:
        logger.info("slack.event_ignored", extra=log)
        return
    integration, event = found
    contact = None
    if sender["email"]:
        contact = Contact.objects.filter(
            workspace_id=integration.workspace_id, email__iexact=sender["email"]
        ).first()
    SlackMessage.objects.update_or_create(
        integration=integration,
        channel_id=event["channel"],
        ts=event["ts"],
        defaults={
            "workspace_id": integration.workspace_id,
            "thread_ts": event.get("thread_ts", ""),
            "user_id": event["user"],
            "user_email": sender["email"],
            "user_name": sender["name"][:200],
            "text": event.get("text", ""),
            "posted_at": _posted_at(event["ts"]),
            "contact": contact,
        },
    )
    logger.info("slack.message_stored", extra={**log, "contact": bool(contact)})


def _posted_at(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC)
    except (ValueError, OverflowError):
        return datetime.now(tz=UTC)
