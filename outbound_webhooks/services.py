"""What members do with webhook endpoints: register, change, rotate the secret, disable and
enable, replay a delivery, send a sample event. Who may do it is the API's business."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clianta import events
from integrations import public_net

from . import catalogue, delivery, fan_out, signing
from .models import Delivery, Endpoint


class Refused(ValueError):
    """Input that cannot be accepted; the message is for a person."""


def check_url(url: str) -> str:
    """``url`` if an endpoint may have it: public HTTPS (plain http and local addresses only with
    ``OUTBOUND_WEBHOOKS_ALLOW_LOCAL``), no credentials, a name that resolves to public
    addresses. Delivery checks the addresses again on every connection."""
    local_ok = settings.OUTBOUND_WEBHOOKS_ALLOW_LOCAL
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise Refused("The URL may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused("This is not a valid URL.") from exc
    if parts.scheme != "https" and not (local_ok and parts.scheme == "http"):
        raise Refused("The URL must start with https://.")
    if not parts.hostname:
        raise Refused("The URL has no host.")
    if parts.username or parts.password:
        raise Refused("The URL may not contain a user name or password.")
    if parts.fragment:
        raise Refused("The URL may not contain a fragment (#…).")
    try:
        public_net.resolve(parts.hostname, port or 443, allow_internal=local_ok)
    except public_net.NotPublic as exc:
        raise Refused(str(exc)) from exc
    return url


def check_event_types(types: list[str]) -> list[str]:
    unknown = sorted(set(types) - set(events.EVENT_TYPES) - {"*"})
    if unknown:
        raise Refused(f"Unknown event types: {', '.join(unknown)}.")
    if not types:
        raise Refused("Name at least one event type, or * for all.")
    return sorted(set(types))


def create(workspace, user, *, url: str, event_types: list[str], description="") -> Endpoint:
    if Endpoint.objects.filter(workspace=workspace).count() >= (
        limit := settings.OUTBOUND_WEBHOOKS_PER_WORKSPACE
    ):
        raise Refused(f"A workspace has at most {limit} webhook endpoints.")
    return Endpoint.objects.create(
        workspace=workspace,
        created_by=user,
        url=check_url(url),
        event_types=check_event_types(event_types),
        description=description,
        secret=signing.new_secret(),
    )


def rotate_secret(endpoint: Endpoint) -> Endpoint:
    """A new secret; the current one keeps signing (both signatures are sent) for
    ``OUTBOUND_WEBHOOKS_ROTATION_HOURS``."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(
        hours=settings.OUTBOUND_WEBHOOKS_ROTATION_HOURS
    )
    endpoint.secret = signing.new_secret()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    return endpoint


def disable(endpoint: Endpoint) -> Endpoint:
    if endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_reason = Endpoint.Disabled.BY_ADMIN
        endpoint.disabled_at = timezone.now()
        endpoint.save(update_fields=["enabled", "disabled_reason", "disabled_at", "updated_at"])
    return endpoint


@transaction.atomic
def enable(endpoint: Endpoint) -> Endpoint:
    """Enabled again with a clean slate; its pending deliveries are due at once."""
    endpoint.enabled = True
    endpoint.disabled_reason = ""
    endpoint.disabled_at = endpoint.failing_since = endpoint.paused_until = None
    endpoint.consecutive_failures = 0
    endpoint.save()
    endpoint.deliveries.filter(status=Delivery.Status.PENDING).update(
        next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: fan_out.request_drain(endpoint.pk))
    return endpoint


@transaction.atomic
def replay(original: Delivery) -> Delivery:
    """The same message again (same ``webhook-id`` and body), as a new delivery due now."""
    copy = Delivery.objects.create(
        endpoint=original.endpoint,
        event=original.event,
        message_id=original.message_id,
        event_type=original.event_type,
        body=original.body,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: fan_out.request_drain(original.endpoint_id))
    return copy


def send_test(endpoint: Endpoint, event_type: str) -> Delivery:
    """A sample event of ``event_type``, sent now, once: the delivery records the answer; the
    endpoint's health is left as it was."""
    now = timezone.now()
    data = {"workspace_id": str(endpoint.workspace_id), "test": True}
    data.update(catalogue.SAMPLES[event_type])
    test = Delivery.objects.create(
        endpoint=endpoint,
        message_id=f"evt_test_{uuid.uuid4().hex}",
        event_type=event_type,
        body=fan_out.body(event_type, now, data),
    )
    with delivery.session() as http:
        status, error, snippet, _, latency_ms = delivery.send(endpoint, test, http)
    delivery.record(test, status, error, snippet, latency_ms)
    ok = delivery.succeeded(status, error)
    test.status = Delivery.Status.SUCCEEDED if ok else Delivery.Status.FAILED
    test.attempts = 1
    test.last_status_code = status
    test.last_error = "" if ok else (error or f"HTTP {status}")[:300]
    test.delivered_at = timezone.now() if ok else None
    test.save()
    return test


def disabled_notices(workspace) -> list[str]:
    """The settings page's lines about the workspace's disabled endpoints."""
    return [
        f"Webhook endpoint {endpoint.url} was disabled on {endpoint.disabled_at:%Y-%m-%d}: "
        f"{Endpoint.Disabled(endpoint.disabled_reason).label.lower()}."
        for endpoint in Endpoint.objects.filter(workspace=workspace, enabled=False).exclude(
            disabled_reason=Endpoint.Disabled.BY_ADMIN
        )
    ]
