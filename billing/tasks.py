"""Thin Celery tasks: ids in, services called."""

from celery import shared_task

from integrations.errors import Transient

from . import services

#: Seconds before the 2nd, 3rd, … try of a resync Stripe could not answer (or that met another).
RESYNC_RETRIES = (2, 10, 30, 120, 600)


@shared_task(bind=True, name="billing.resync", max_retries=len(RESYNC_RETRIES))
def resync(self, customer_id: str) -> None:
    try:
        services.resync(customer_id)
    except Transient as exc:
        raise self.retry(exc=exc, countdown=RESYNC_RETRIES[self.request.retries]) from exc


@shared_task(name="billing.end_grace_periods")
def end_grace_periods() -> int:
    return services.end_grace_periods()
