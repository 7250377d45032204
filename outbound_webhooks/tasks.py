"""Thin tasks: a drain per endpoint, and the every-minute sweep that requests drains nobody
requested (a lost message, a retry or a pause that ended)."""

from celery import shared_task
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
