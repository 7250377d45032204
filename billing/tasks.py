"""Thin Celery tasks: ids in, services called."""

from celery import shared_task

from . import services


@shared_task(name="billing.end_grace_periods")
def end_grace_periods() -> int:
    return services.end_grace_periods()
