"""Thin tasks: a drain per endpoint, and the every-minute sweep that requests drains nobody
requested (a lost message, a retry or a pause that ended)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import delivery, fan_out
from .models import Delivery


@shared_task(name=fan_out.DRAIN_TASK, acks_late=True)
def deliver(endpoint_id: str) -> int:
    return delivery.drain(endpoint_id)


@shared_task(name="outbound_webhooks.deliver_due")
def deliver_due() -> int:
    now = timezone.now()
    endpoints = set(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__enabled=True,
        )
        .exclude(endpoint__paused_until__gt=now)
        .values_list("endpoint_id", flat=True)
    )
    for endpoint_id in endpoints:
        fan_out.request_drain(endpoint_id)
    return len(endpoints)


@shared_task(name="outbound_webhooks.prune")
def prune() -> int:
    """Daily: forget deliveries (and their attempts) finished more than
    ``OUTBOUND_WEBHOOKS_KEEP_DAYS`` ago; pending ones are kept whatever their age."""
    before = timezone.now() - timedelta(days=settings.OUTBOUND_WEBHOOKS_KEEP_DAYS)
    finished = Delivery.objects.exclude(status=Delivery.Status.PENDING)
    return finished.filter(created_at__lt=before).delete()[0]
