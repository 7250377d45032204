"""Every CRM event becomes one delivery per endpoint that wants it, written in the transaction
that records the event (``clianta.events.recorded``): an event committed always has its
deliveries, a rolled-back one has none. Once committed, a drain is requested for each of those
endpoints."""

from __future__ import annotations

import json
import logging

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from clianta import celery_app, events
from clianta.models import CrmEvent

from .models import Delivery, Endpoint

logger = logging.getLogger(__name__)

DRAIN_TASK = "outbound_webhooks.deliver"
# A requested drain that never started (a lost message) is requested again after this long.
REQUEST_TTL = 60


def message_id(event: CrmEvent) -> str:
    return f"evt_{event.pk.hex}"


def body(event_type: str, occurred_at, data: dict) -> str:
    """The payload Standard Webhooks recommends: ``type``, ``timestamp`` and ``data``."""
    payload = {
        "type": event_type,
        "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


def event_data(event: CrmEvent) -> dict:
    return {"workspace_id": str(event.workspace_id), **event.data}


def record(sender, event: CrmEvent, **kwargs) -> list[Delivery]:
    """``recorded`` receiver: one pending delivery per enabled endpoint of the event's workspace
    that wants its type."""
    enabled = Endpoint.objects.filter(workspace_id=event.workspace_id, enabled=True)
    # Not the secrets: nothing is decrypted here.
    endpoints = [e for e in enabled.only("pk", "event_types") if e.wants(event.type)]
    if not endpoints:
        return []
    text = body(event.type, event.occurred_at, event_data(event))
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event=event,
            message_id=message_id(event),
            event_type=event.type,
            body=text,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )
    transaction.on_commit(lambda: [request_drain(e.pk) for e in endpoints])
    return deliveries


def requested_key(endpoint_id) -> str:
    return f"outbound-webhooks:drain-requested:{connection.settings_dict['NAME']}:{endpoint_id}"


def request_drain(endpoint_id, at=None) -> None:
    """Make sure a task will deliver the endpoint's due deliveries: publish one unless one is
    already waiting (or, with ``at``, one that starts then). Never raises:
    the deliveries are committed, and if the cache or the broker is down, the every-minute sweep
    requests the drain."""
    try:
        if at is not None:
            celery_app.send_task(DRAIN_TASK, args=[str(endpoint_id)], eta=at)
        elif cache.add(requested_key(endpoint_id), 1, REQUEST_TTL):
            celery_app.send_task(DRAIN_TASK, args=[str(endpoint_id)])
    except Exception:
        logger.exception("outbound_webhook.enqueue_failed", extra={"endpoint": str(endpoint_id)})
        cache.delete(requested_key(endpoint_id))


def connect_receiver() -> None:
    events.recorded.connect(record, dispatch_uid="outbound_webhooks.fan_out")
