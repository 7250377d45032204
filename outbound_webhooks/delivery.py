"""Delivering an endpoint's due deliveries: one drain per endpoint at a time, so a slow or dead
endpoint holds at most one worker and never delays another endpoint's deliveries.

- A 2xx within ``OUTBOUND_WEBHOOKS_TIMEOUT`` seconds is delivered; anything else (3xx: redirects
  are not followed, 4xx, 5xx, a timeout, an address that is not public) is a failed attempt.
- A failed delivery is tried again on ``RETRY_SCHEDULE`` (about a day, with jitter), then given
  up; a 429, 502 or 503 with ``Retry-After`` is not tried before that time.
- A failure also pauses the endpoint (its breaker): nothing more is sent to it until the pause
  ends, growing with the failures in a row; then the oldest due delivery probes it.
- 410 Gone disables the endpoint at once; an endpoint that has failed for
  ``OUTBOUND_WEBHOOKS_DISABLE_AFTER_DAYS`` days is disabled. Either way the workspace's owners
  and admins get an email, and the settings page says so. A disabled endpoint keeps its pending
  deliveries, which resume when it is enabled again.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clianta.models import Membership
from integrations import public_net
from integrations.locks import Lock

from . import fan_out, metrics, signing
from .models import Attempt, Delivery, Endpoint

logger = logging.getLogger(__name__)

# After the first attempt fails: about a day in all (Standard Webhooks' own example schedule
# runs to three days; the first steps are its own).
RETRY_SCHEDULE = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=6),
    timedelta(hours=10),
]
# A delivery that could not even be tried in that time (its endpoint paused or disabled) is
# given up when it comes due.
GIVE_UP_AFTER = sum(RETRY_SCHEDULE, timedelta()) + timedelta(hours=2)
JITTER = 0.2
PAUSE_FIRST = timedelta(seconds=5)
PAUSE_LONGEST = timedelta(minutes=10)
RETRY_AFTER_LONGEST = timedelta(hours=1)
THROTTLED = {429, 502, 503}
GONE = 410
BATCH = 100
# A drain hands over to a fresh task after this long, so queued work is interleaved.
SLICE_SECONDS = 60
LOCK_TTL = timedelta(seconds=60)
# Longer than the longest attempt (the timeout), well within the lock's life.
LOCK_EXTEND_SECONDS = 20
SNIPPET = 500


def jittered(delay: timedelta) -> timedelta:
    return delay * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 - spread, not a secret


def due(endpoint: Endpoint):
    return Delivery.objects.filter(
        endpoint=endpoint, status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "created_at")


def session() -> requests.Session:
    return public_net.public_session(allow_internal=settings.OUTBOUND_WEBHOOKS_ALLOW_LOCAL)


def drain(endpoint_id) -> int:
    """Deliver the endpoint's due deliveries until none is due, the endpoint fails or the slice
    ends; returns how many were attempted. Another drain of the endpoint running: returns 0."""
    cache.delete(fan_out.requested_key(endpoint_id))
    lock = Lock(f"outbound-webhook:{endpoint_id}", LOCK_TTL)
    if not lock.acquire():
        return 0
    attempted = 0
    extended = time.monotonic()
    deadline = extended + SLICE_SECONDS
    try:
        with session() as http:
            while time.monotonic() < deadline:
                endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
                if endpoint is None or not sendable(endpoint):
                    break
                batch = list(due(endpoint)[:BATCH])
                if not batch:
                    break
                for delivery in batch:
                    attempted += 1
                    ok = attempt(endpoint, delivery, http)
                    if time.monotonic() >= extended + LOCK_EXTEND_SECONDS:
                        lock.extend()
                        extended = time.monotonic()
                    if not ok or time.monotonic() >= deadline:
                        break
                if not ok:
                    break
    finally:
        lock.release()
    # Deliveries recorded while this drain was finishing found it holding the lock.
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is not None and sendable(endpoint) and due(endpoint).exists():
        fan_out.request_drain(endpoint_id)
    return attempted


def sendable(endpoint: Endpoint) -> bool:
    return endpoint.enabled and not (
        endpoint.paused_until and endpoint.paused_until > timezone.now()
    )


def attempt(endpoint: Endpoint, delivery: Delivery, http: requests.Session) -> bool:
    """One attempt of ``delivery``; True when delivered."""
    if delivery.created_at < timezone.now() - GIVE_UP_AFTER:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED,
            next_attempt_at=None,
            last_error="Not delivered within a day.",
        )
        return True  # not the endpoint's failure: go on with the next
    status, error, snippet, retry_after, latency_ms = send(endpoint, delivery, http)
    record(delivery, status, error, snippet, latency_ms)
    if succeeded(status, error):
        metrics.ATTEMPTS.labels("delivered").inc()
        delivered(endpoint, delivery)
        return True
    metrics.ATTEMPTS.labels("failed").inc()
    failed(endpoint, delivery, status, error or f"HTTP {status}", retry_after)
    return False


def send(endpoint: Endpoint, delivery: Delivery, http: requests.Session):
    """POST the delivery; (status, error, response snippet, Retry-After, latency in ms)."""
    now = timezone.now()
    secrets = [endpoint.secret]
    if endpoint.previous_secret and (endpoint.previous_secret_expires_at or now) > now:
        secrets.append(endpoint.previous_secret)
    headers = signing.headers(secrets, delivery.message_id, now, delivery.body)
    headers["user-agent"] = "Clianta-Webhooks/1.0"
    timeout = settings.OUTBOUND_WEBHOOKS_TIMEOUT
    started = time.monotonic()
    status = retry_after = None
    error = snippet = ""
    try:
        with http.post(
            endpoint.url,
            data=delivery.body.encode(),
            headers=headers,
            timeout=(min(5, timeout), timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            status = response.status_code
            retry_after = response.headers.get("Retry-After")
            snippet = next(response.iter_content(SNIPPET), b"").decode("utf-8", "replace")
    except public_net.NotPublic as exc:
        error = str(exc)
    except requests.ConnectionError:
        error = "Could not connect to the endpoint."
    except requests.Timeout:
        error = f"No answer within {timeout} seconds."
    except requests.RequestException as exc:
        error = f"The request failed: {type(exc).__name__}."
    latency = time.monotonic() - started
    if status is not None and latency > timeout:
        error = f"No complete answer within {timeout} seconds."
    return status, error, snippet, retry_after, round(latency * 1000)


def succeeded(status: int | None, error: str) -> bool:
    """A 2xx, answered in time."""
    return status is not None and 200 <= status < 300 and not error


def record(delivery: Delivery, status, error: str, snippet: str, latency_ms: int) -> None:
    Attempt.objects.create(
        delivery=delivery,
        at=timezone.now(),
        status_code=status,
        latency_ms=latency_ms,
        error=error[:300],
        response=snippet[:SNIPPET],
    )


def delivered(endpoint: Endpoint, delivery: Delivery) -> None:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SUCCEEDED,
        attempts=F("attempts") + 1,
        delivered_at=now,
        next_attempt_at=None,
        last_error="",
        last_status_code=None,
    )
    if endpoint.failing_since or endpoint.consecutive_failures or endpoint.paused_until:
        Endpoint.objects.filter(pk=endpoint.pk).update(
            failing_since=None, consecutive_failures=0, paused_until=None
        )
        endpoint.failing_since = endpoint.paused_until = None
        endpoint.consecutive_failures = 0


def retry_after_delay(value: str | None) -> timedelta | None:
    try:
        seconds = int(value or "")
    except ValueError:
        return None
    return min(timedelta(seconds=max(seconds, 0)), RETRY_AFTER_LONGEST)


@transaction.atomic
def failed(endpoint: Endpoint, delivery: Delivery, status, error: str, retry_after) -> None:
    now = timezone.now()
    attempts = delivery.attempts + 1
    wait = retry_after_delay(retry_after) if status in THROTTLED else None
    update = {"attempts": attempts, "last_status_code": status, "last_error": error[:300]}
    if status == GONE:
        update["next_attempt_at"] = now  # resumes if the endpoint is enabled again
    elif attempts > len(RETRY_SCHEDULE):
        update.update(status=Delivery.Status.FAILED, next_attempt_at=None)
        metrics.GIVEN_UP.inc()
    else:
        update["next_attempt_at"] = now + max(
            jittered(RETRY_SCHEDULE[attempts - 1]), wait or timedelta()
        )
    Delivery.objects.filter(pk=delivery.pk).update(**update)

    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.consecutive_failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    pause = min(PAUSE_FIRST * 2 ** (endpoint.consecutive_failures - 1), PAUSE_LONGEST)
    endpoint.paused_until = now + max(jittered(pause), wait or timedelta())
    fields = ["consecutive_failures", "failing_since", "paused_until", "updated_at"]
    reason = None
    if status == GONE:
        reason = Endpoint.Disabled.GONE
    elif now - endpoint.failing_since >= timedelta(
        days=settings.OUTBOUND_WEBHOOKS_DISABLE_AFTER_DAYS
    ):
        reason = Endpoint.Disabled.FAILING
    # Probe again when the pause ends (the sweep would, within a minute).
    transaction.on_commit(lambda: fan_out.request_drain(endpoint.pk, at=endpoint.paused_until))
    if reason and endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at = False, reason, now
        fields += ["enabled", "disabled_reason", "disabled_at"]
        transaction.on_commit(lambda: tell_admins(endpoint))
    endpoint.save(update_fields=fields)
    logger.warning(
        "outbound_webhook.failed",
        extra={"endpoint": str(endpoint.pk), "status": status, "error": error},
    )


def tell_admins(endpoint: Endpoint) -> None:
    """Email the workspace's owners and admins that the endpoint was disabled."""
    recipients = list(
        Membership.objects.filter(workspace_id=endpoint.workspace_id, role__in=Membership.MANAGERS)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return
    why = Endpoint.Disabled(endpoint.disabled_reason).label
    try:
        send_mail(
            subject="A webhook endpoint of your Clianta workspace was disabled",
            message=(
                f"Clianta stopped sending events to {endpoint.url}.\n"
                f"Why: {why}.\n\n"
                "Once the endpoint works again, enable it (POST "
                f"/api/webhook-endpoints/{endpoint.pk}/enable): the events still pending are "
                "then delivered.\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:
        logger.exception("outbound_webhook.mail_failed", extra={"endpoint": str(endpoint.pk)})
