"""Outbound webhooks' Prometheus metrics: attempts by result as they happen, and at each scrape
the backlog of due deliveries and the disabled endpoints (no label names a workspace)."""

from __future__ import annotations

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from .models import Delivery, Endpoint

ATTEMPTS = Counter(
    "clianta_outbound_webhook_attempts",
    "Delivery attempts to customers' endpoints, by result (delivered, failed).",
    ["result"],
)
GIVEN_UP = Counter(
    "clianta_outbound_webhook_given_up", "Deliveries given up after their last retry."
)


def collect():
    now = timezone.now()
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__enabled=True
    ).aggregate(oldest=Min("next_attempt_at"), count=Count("pk"))
    backlog = GaugeMetricFamily(
        "clianta_outbound_webhook_backlog", "Deliveries due now to enabled endpoints."
    )
    backlog.add_metric([], due["count"])
    yield backlog
    lag = GaugeMetricFamily(
        "clianta_outbound_webhook_oldest_due_seconds",
        "How long the oldest due delivery has waited past its time.",
    )
    lag.add_metric([], (now - due["oldest"]).total_seconds() if due["oldest"] else 0)
    yield lag
    disabled = GaugeMetricFamily(
        "clianta_outbound_webhook_endpoints_disabled", "Endpoints disabled.", labels=["reason"]
    )
    for reason in Endpoint.Disabled:
        disabled.add_metric(
            [reason.value], Endpoint.objects.filter(enabled=False, disabled_reason=reason).count()
        )
    yield disabled
