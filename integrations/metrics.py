"""The integrations' Prometheus metrics (served by ``/metrics``, see clianta/metrics.py).

Counters move where things happen: the sync runner, webhook processing, the OAuth refresh. The
gauges of :func:`collect` are computed from the database at each scrape. Every label is a
provider (or a state, or an error class), never a workspace or an account.
"""

from __future__ import annotations

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from . import health
from .errors import AuthExpired, ProviderError, RateLimited, Transient
from .models import IntegrationCredential, SyncLog, WebhookDelivery

SYNCS_STARTED = Counter("clianta_syncs_started", "Sync runs started.", ["provider"])
SYNCS_SUCCEEDED = Counter("clianta_syncs_succeeded", "Sync runs that succeeded.", ["provider"])
SYNCS_FAILED = Counter(
    "clianta_syncs_failed", "Sync runs that failed for good (not retried).", ["provider"]
)
SYNC_DURATION = Histogram(
    "clianta_sync_duration_seconds",
    "Duration of a sync run, from taking the account's lock to its end.",
    ["provider"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, float("inf")),
)
PROVIDER_ERRORS = Counter(
    "clianta_provider_errors",
    "Errors a provider answered during syncs and webhook processing, by class (rate_limited, "
    "transient, auth, other).",
    ["provider", "error_class"],
)
WEBHOOKS_RECEIVED = Counter(
    "clianta_webhook_deliveries_received",
    "Webhook deliveries recorded (redeliveries of a known id not counted).",
    ["provider"],
)
WEBHOOKS_PROCESSED = Counter(
    "clianta_webhook_deliveries_processed", "Webhook deliveries processed.", ["provider"]
)
WEBHOOKS_GIVEN_UP = Counter(
    "clianta_webhook_deliveries_given_up",
    "Webhook deliveries given up (failed, or out of retries).",
    ["provider"],
)
TOKEN_REFRESHES = Counter("clianta_token_refreshes", "OAuth access tokens refreshed.", ["provider"])
TOKEN_REFUSALS = Counter(
    "clianta_token_refresh_refusals",
    "OAuth refreshes the provider refused (grant revoked or expired: reconnect needed).",
    ["provider"],
)


def error_class(exc: Exception) -> str:
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, Transient):
        return "transient"
    if isinstance(exc, AuthExpired) or getattr(exc, "status", None) in (401, 403):
        return "auth"
    return "other"


def provider_error(provider: str, exc: ProviderError) -> None:
    PROVIDER_ERRORS.labels(provider, error_class(exc)).inc()


def sync_finished(provider: str, status: str) -> None:
    if status == SyncLog.Status.SUCCESS:
        SYNCS_SUCCEEDED.labels(provider).inc()
    elif status == SyncLog.Status.FAILED:
        SYNCS_FAILED.labels(provider).inc()


def collect():
    """The gauges of now: sync lag and accounts by health per provider, the webhook backlog."""
    now = timezone.now()
    lag = GaugeMetricFamily(
        "clianta_sync_lag_seconds",
        "Age of the oldest last successful sync (or connection, if never synced) among the "
        "provider's active accounts with syncs on.",
        labels=["provider"],
    )
    syncing = IntegrationCredential.objects.filter(
        status=IntegrationCredential.Status.ACTIVE, sync_enabled=True
    )
    oldest = syncing.values("provider").annotate(
        oldest=Min(Coalesce("last_success_at", "created_at"))
    )
    for row in oldest.order_by("provider"):
        lag.add_metric([row["provider"]], (now - row["oldest"]).total_seconds())
    yield lag
    yield _accounts_by_health()
    yield from _webhook_backlog(now)


def _accounts_by_health() -> GaugeMetricFamily:
    accounts = GaugeMetricFamily(
        "clianta_accounts", "Connected accounts by health state.", labels=["provider", "state"]
    )
    running = SyncLog.objects.filter(credential=OuterRef("pk"), status=SyncLog.Status.RUNNING)
    groups = (
        IntegrationCredential.objects.annotate(
            is_syncing=Exists(running), failing=Q(consecutive_failures__gt=0)
        )
        .values("provider", "status", "sync_enabled", "is_syncing", "failing")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[str, str], int] = {}
    for group in groups:
        # An unsaved credential with the group's fields, so health_of decides its state.
        credential = IntegrationCredential(
            status=group["status"],
            sync_enabled=group["sync_enabled"],
            consecutive_failures=int(group["failing"]),
        )
        credential.is_syncing = group["is_syncing"]
        key = (group["provider"], health.health_of(credential))
        counts[key] = counts.get(key, 0) + group["n"]
    for provider in sorted({provider for provider, _ in counts}):
        for state in health.Health.CHOICES:
            accounts.add_metric([provider, state], counts.get((provider, state), 0))
    return accounts


def _webhook_backlog(now):
    due = WebhookDelivery.objects.filter(processed_at__isnull=True, next_attempt_at__lte=now)
    backlog = due.values("provider").annotate(n=Count("pk"), oldest=Min("next_attempt_at"))
    count = GaugeMetricFamily(
        "clianta_webhook_backlog", "Webhook deliveries due and not processed.", labels=["provider"]
    )
    age = GaugeMetricFamily(
        "clianta_webhook_backlog_oldest_seconds",
        "How long the oldest due webhook delivery has been due.",
        labels=["provider"],
    )
    for row in backlog.order_by("provider"):
        count.add_metric([row["provider"]], row["n"])
        age.add_metric([row["provider"]], (now - row["oldest"]).total_seconds())
    yield count
    yield age
