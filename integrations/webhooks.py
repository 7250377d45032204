"""Inbound webhooks: verify the raw body, record once per delivery id, answer fast; a Celery
worker processes what was recorded.

A provider subclasses :class:`WebhookView`, sets ``provider`` and implements ``verify`` and
``delivery_id``, and registers the function that processes one of its deliveries with
:func:`register` (usually a call of :func:`process_delivery` with a handler).
Order of work on every request (DESIGN.md rule 5):

1. read the raw body (too large: 413);
2. ``verify(request)`` on the raw body and headers; failure: 403 ``invalid_signature``, nothing
   stored;
3. ``parse(request)``, then ``early_response(...)`` (answered without recording);
4. ``delivery_id(...)``; the first delivery of an id is recorded (committed at once, due now)
   and processing is requested; a redelivery only counts ``redeliveries``;
5. ``acknowledge(...)``: a fast 2xx.

Recorded deliveries are an outbox. A request does not publish a task per delivery: it publishes
one ``integrations.process_webhooks`` task for the provider unless one is already pending (a
flag in the shared cache, cleared by the task before it reads), and that task processes every
due delivery in batches. A delivery whose request could not publish (broker down) is still due,
and the every-minute sweep (``integrations.process_due_webhooks``) picks it up. Transient
failures are retried with backoff through ``next_attempt_at``.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from clianta import celery_app, scrub
from clianta.api import parsers
from clianta.api.errors import error_body

from . import metrics
from .errors import Transient, WebhookVerificationError, retry_delay
from .models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger("integrations.webhooks")

REPLAY_WINDOW = 300  # seconds either side of now
MAX_TIMESTAMP_DIGITS = 12


class Clock:
    """Seconds since the epoch. Same shape as ``slack_sdk.signature.Clock``, so one clock can be
    handed to an official SDK verifier and to :func:`check_timestamp`."""

    def now(self) -> float:
        return time.time()


class FrozenClock(Clock):
    """A clock stopped at ``at`` (epoch seconds), for tests."""

    def __init__(self, at: float):
        self.at = float(at)

    def now(self) -> float:
        return self.at


class InvalidPayload(Exception):
    """A verified request whose body cannot be understood: answered 400 ``invalid_payload``."""


# Verification helpers ---------------------------------------------------------------------------


def require_header(request: HttpRequest, name: str) -> str:
    """The header's value; a missing or empty header fails verification."""
    value = request.headers.get(name, "")
    if not value:
        raise WebhookVerificationError(f"missing {name} header")
    return value


def signatures_match(expected: str | bytes, received: str | bytes) -> bool:
    """Constant-time comparison; any text (even non-ASCII) is compared as UTF-8 bytes."""
    if isinstance(expected, str):
        expected = expected.encode()
    if isinstance(received, str):
        received = received.encode()
    return hmac.compare_digest(expected, received)


def check_timestamp(value: str, *, now: float, window: int = REPLAY_WINDOW) -> int:
    """The replay window: ``value`` (integer epoch seconds) within ``window`` s of ``now``."""
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_TIMESTAMP_DIGITS):
        raise WebhookVerificationError("invalid timestamp")
    timestamp = int(value)
    if abs(now - timestamp) > window:
        raise WebhookVerificationError(
            "stale timestamp" if timestamp < now else "timestamp in the future"
        )
    return timestamp


def active_subscriptions(provider: str) -> list[WebhookSubscription]:
    """The provider's active subscriptions that have a secret; the secrets decrypt on access."""
    rows = WebhookSubscription.objects.filter(provider=provider, active=True).select_related(
        "workspace"
    )
    return [row for row in rows if row.secret and row.secret.strip()]


# The view ---------------------------------------------------------------------------------------


@method_decorator(csrf_exempt, name="dispatch")
class WebhookView(View):
    """Base of every provider's webhook endpoint (POST only, CSRF-exempt).

    Subclasses set ``provider`` (the slug, whose processor is registered with :func:`register`),
    implement ``verify`` and ``delivery_id``, and may override ``parse``, ``early_response``,
    ``event_type``, ``workspace_for`` and ``acknowledge``.
    ``clock`` is read by verification; tests pass ``as_view(clock=FrozenClock(...))``.
    """

    provider: str = ""
    clock: Clock = Clock()
    http_method_names = ["post"]
    # Set by ``verify`` when the secret that matched belongs to one subscription.
    subscription: WebhookSubscription | None = None

    # Extension points ---------------------------------------------------------------------------

    def verify(self, request: HttpRequest) -> None:
        """Check ``request.body`` (raw bytes) and headers; raise WebhookVerificationError with a
        reason (missing header, stale or future timestamp, bad signature, no secret configured).
        Never skip the check: with no secret configured, raise."""
        raise NotImplementedError

    def parse(self, request: HttpRequest) -> dict:
        """The verified payload stored with the delivery. Default: a JSON object. Raise
        InvalidPayload for a body that cannot be understood. Drop fields that must not be
        stored here."""
        try:
            payload = parsers.loads(request.body)
        except parsers.TooDeep as exc:
            raise InvalidPayload(str(exc)) from exc
        except ValueError as exc:
            raise InvalidPayload("The body is not JSON.") from exc
        if not isinstance(payload, dict):
            raise InvalidPayload("The body is not a JSON object.")
        return payload

    def early_response(self, request: HttpRequest, payload: dict) -> HttpResponse | None:
        """An answer given without recording anything (a URL verification challenge), or None."""
        return None

    def delivery_id(self, request: HttpRequest, payload: dict) -> str:
        """The provider's id of this delivery, the same on every redelivery (Slack's event_id,
        Twilio's MessageSid plus status)."""
        raise NotImplementedError

    def event_type(self, request: HttpRequest, payload: dict) -> str:
        """What the delivery is about, stored for people reading the admin."""
        value = payload.get("type", "")
        return value[:100] if isinstance(value, str) else ""

    def workspace_for(self, request: HttpRequest, payload: dict):
        """The id of the workspace the delivery belongs to (or None); default: that of the
        verified subscription."""
        return self.subscription.workspace_id if self.subscription else None

    def acknowledge(
        self, request: HttpRequest, delivery: WebhookDelivery, created: bool
    ) -> HttpResponse:
        """The fast 2xx; ``created`` is False for a redelivery. Twilio answers TwiML here."""
        return JsonResponse({"ok": True})

    # The request --------------------------------------------------------------------------------

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        log = {"provider": self.provider, "path": request.path}
        try:
            request.body  # noqa: B018 - reads and caches the raw body once, within the size limit
        except RequestDataTooBig:
            logger.warning("webhook.too_large", extra=log)
            return self.error(413, "The request body is too large.", "payload_too_large")
        try:
            self.verify(request)
        except WebhookVerificationError as exc:
            logger.warning("webhook.rejected", extra={**log, "reason": exc.message})
            message = f"Webhook verification failed: {exc.message}."
            return self.error(403, message, WebhookVerificationError.code)
        try:
            payload = self.parse(request)
            early = self.early_response(request, payload)
            if early is not None:
                return early
            delivery_id = self.delivery_id(request, payload)
            if not isinstance(delivery_id, str) or not 0 < len(delivery_id) <= 255:
                raise InvalidPayload("The delivery has no usable id.")
        except InvalidPayload as exc:
            logger.warning("webhook.invalid_payload", extra={**log, "reason": str(exc)})
            return self.error(400, str(exc), "invalid_payload")
        delivery, created = self.record(request, payload, delivery_id)
        return self.acknowledge(request, delivery, created)

    def record(
        self, request: HttpRequest, payload: dict, delivery_id: str
    ) -> tuple[WebhookDelivery, bool]:
        """Create the delivery (one INSERT, committed at once) and request its processing, or
        count a redelivery."""
        log = {"provider": self.provider, "delivery_id": delivery_id}
        # Alone, the INSERT commits by itself and a duplicate's IntegrityError leaves the
        # connection usable; inside a caller's transaction it needs a savepoint for that.
        savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
        try:
            with savepoint:
                delivery = WebhookDelivery.objects.create(
                    provider=self.provider,
                    delivery_id=delivery_id,
                    workspace_id=self.workspace_for(request, payload),
                    event_type=self.event_type(request, payload),
                    payload=payload,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            existing = WebhookDelivery.objects.filter(
                provider=self.provider, delivery_id=delivery_id
            )
            if not existing.update(redeliveries=F("redeliveries") + 1):
                raise  # not a duplicate: some other constraint failed
            logger.info("webhook.redelivered", extra=log)
            return existing.get(), False
        logger.info("webhook.recorded", extra=log)
        metrics.WEBHOOKS_RECEIVED.labels(self.provider).inc()
        request_processing(self.provider)
        return delivery, True

    def error(self, status: int, message: str, code: str) -> JsonResponse:
        return JsonResponse(error_body(message, code), status=status)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = self.error(405, "Only POST is accepted here.", "method_not_allowed")
        response["Allow"] = "POST"
        return response


# The processing side ----------------------------------------------------------------------------

PROCESSED = "processed"
SKIPPED = "skipped"
FAILED = "failed"
MISSING = "missing"
RETRYING = "retrying"

PROCESS_TASK = "integrations.process_webhooks"
#: provider -> the function processing one delivery (by id), returning an outcome above and
#: raising Transient for a failure worth retrying.
PROCESSORS: dict[str, Callable[[str], str]] = {}
#: Deliveries claimed per query; a claim is a lease, so a worker killed mid-batch only delays them.
BATCH = 50
LEASE = timedelta(minutes=5)
#: Seconds before the 2nd, 3rd, … attempt after a transient failure; then the delivery is given up.
RETRY_DELAYS = (5, 30, 120, 600, 1800)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: How long a processing request stays pending if its task never runs (the sweep covers it).
REQUEST_TTL = 300


class _AlreadyProcessed(Exception):
    pass


def register(provider: str, processor: Callable[[str], str]) -> None:
    PROCESSORS[provider] = processor


def requested_key(provider: str) -> str:
    # Per database: the flag stands for that database's pending rows.
    return f"webhooks:processing-requested:{connection.settings_dict['NAME']}:{provider}"


def request_processing(provider: str) -> None:
    """Make sure a task will process the provider's due deliveries: publish one unless one is
    already pending. Never raises: the delivery is committed, and if the cache or the broker is
    down, the sweep processes it within a minute."""
    try:
        if cache.add(requested_key(provider), 1, REQUEST_TTL):
            celery_app.send_task(PROCESS_TASK, args=[provider])
    except Exception:
        logger.exception("webhook.enqueue_failed", extra={"provider": provider})
        cache.delete(requested_key(provider))


def process_pending(provider: str) -> Counter:
    """Process the provider's due deliveries, batch after batch, until none is due; returns the
    count of each outcome. The pending request is cleared first, so a delivery recorded from now
    on requests a run of its own if this one has already looked."""
    cache.delete(requested_key(provider))
    processor = PROCESSORS[provider]
    outcomes: Counter = Counter()
    while batch := _claim(provider):
        for pk in batch:
            outcome = _attempt(provider, pk, processor)
            outcomes[outcome] += 1
            if outcome == PROCESSED:
                metrics.WEBHOOKS_PROCESSED.labels(provider).inc()
            elif outcome == FAILED:
                metrics.WEBHOOKS_GIVEN_UP.labels(provider).inc()
    return outcomes


def process_due() -> Counter:
    """The sweep: process every provider's due deliveries (those whose request was lost, whose
    retry time came, or whose lease ran out)."""
    due = WebhookDelivery.objects.filter(
        processed_at__isnull=True, next_attempt_at__lte=timezone.now()
    )
    outcomes: Counter = Counter()
    for provider in set(due.values_list("provider", flat=True)):
        if provider in PROCESSORS:
            outcomes.update(process_pending(provider))
    return outcomes


def _claim(provider: str) -> list:
    """Lease up to BATCH due deliveries to this run; rows another run holds are skipped."""
    now = timezone.now()
    with transaction.atomic():
        due = WebhookDelivery.objects.select_for_update(skip_locked=True).filter(
            provider=provider, processed_at__isnull=True, next_attempt_at__lte=now
        )
        pks = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:BATCH])
        WebhookDelivery.objects.filter(pk__in=pks).update(next_attempt_at=now + LEASE)
    return pks


def _attempt(provider: str, pk, processor: Callable[[str], str]) -> str:
    try:
        return processor(str(pk))
    except Transient as exc:
        metrics.provider_error(provider, exc)
        return _retry_later(provider, pk, exc)
    except Exception as exc:  # a processor failing outside process_delivery's handler
        record_failure(pk, exc, give_up=True)
        logger.exception("webhook.failed", extra={"provider": provider, "delivery_pk": str(pk)})
        return FAILED


def _retry_later(provider: str, pk, exc: Transient) -> str:
    """After a transient failure (already counted in ``attempts``): due again after the backoff
    (at least the provider's Retry-After), or given up after MAX_ATTEMPTS."""
    rows = WebhookDelivery.objects.filter(pk=pk, processed_at__isnull=True)
    attempts = rows.values_list("attempts", flat=True).first() or 1
    log = {"provider": provider, "delivery_pk": str(pk), "attempts": attempts}
    if attempts >= MAX_ATTEMPTS:
        rows.update(next_attempt_at=None)
        logger.error("webhook.given_up", extra=log)
        return FAILED
    delay = retry_delay(exc, RETRY_DELAYS[attempts - 1])
    rows.update(next_attempt_at=timezone.now() + timedelta(seconds=delay))
    celery_app.send_task(PROCESS_TASK, args=[provider], countdown=delay)
    logger.warning("webhook.retrying", extra={**log, "delay": delay})
    return RETRYING


def process_delivery(delivery_pk, handler: Callable[[WebhookDelivery], None]) -> str:
    """Run ``handler(delivery)`` once per delivery; what a provider's processor calls.

    The handler runs in a transaction that also sets ``processed_at``, so its writes and the mark
    commit together. A delivery already processed is skipped (a task redelivered under acks_late).
    Every run of the handler counts in ``attempts``; a failure rolls its writes back and records
    ``error``. Transient errors are re-raised, to be retried; others give the delivery up.
    Returns PROCESSED, SKIPPED, FAILED or MISSING.
    """
    delivery = WebhookDelivery.objects.filter(pk=delivery_pk).first()
    if delivery is None:
        logger.warning("webhook.delivery_missing", extra={"delivery_pk": str(delivery_pk)})
        return MISSING
    log = {"provider": delivery.provider, "delivery_id": delivery.delivery_id}
    if delivery.processed_at is not None:
        logger.info("webhook.already_processed", extra=log)
        return SKIPPED
    try:
        with transaction.atomic():
            handler(delivery)
            # Conditional, so that of two runs racing on one delivery only one commits its work.
            marked = WebhookDelivery.objects.filter(
                pk=delivery.pk, processed_at__isnull=True
            ).update(
                processed_at=timezone.now(),
                next_attempt_at=None,
                attempts=F("attempts") + 1,
                error="",
            )
            if not marked:
                raise _AlreadyProcessed
    except _AlreadyProcessed:
        logger.info("webhook.already_processed", extra=log)
        return SKIPPED
    except Transient as exc:
        record_failure(delivery.pk, exc)
        raise
    except Exception as exc:
        record_failure(delivery.pk, exc, give_up=True)
        logger.exception("webhook.failed", extra=log)
        return FAILED
    logger.info("webhook.processed", extra=log)
    return PROCESSED


def record_failure(delivery_pk, exc: Exception, *, give_up: bool = False) -> None:
    """Count a failed attempt and keep its error (secrets scrubbed); ``give_up``: not due again
    (staff can process it again from the admin)."""
    error = scrub.scrub_text(f"{type(exc).__name__}: {exc}")[:2000]
    changes = {"next_attempt_at": None} if give_up else {}
    WebhookDelivery.objects.filter(pk=delivery_pk, processed_at__isnull=True).update(
        attempts=F("attempts") + 1, error=error, **changes
    )
