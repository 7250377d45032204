"""Thin Celery tasks: ids in, services called."""

from celery import shared_task

from integrations.models import IntegrationCredential
from integrations.tasks import SyncTask

from . import services
from .models import CalendarIntegration


@shared_task(bind=True, base=SyncTask, name="calendars.sync_integration")
def sync_integration(self, integration_id, full=False, trigger="schedule", log_id=None):
    integration = CalendarIntegration.objects.select_related("credential").filter(pk=integration_id)
    integration = integration.first()
    if integration is None:
        return None
    job = services.sync_job(integration)
    if full:
        job.reset()
    log = self.run_job(job, trigger, log_id=log_id)
    return str(log.pk) if log else None


@shared_task(name="calendars.sync_credential")
def sync_credential(credential_id, full=False, trigger="schedule"):
    """The calendar(s) of one credential (the admin's "sync now")."""
    for pk in CalendarIntegration.objects.filter(credential_id=credential_id).values_list(
        "pk", flat=True
    ):
        sync_integration.delay(str(pk), full=full, trigger=trigger)


@shared_task(name="calendars.sync_all")
def sync_all() -> int:
    """Every 15 minutes (celery-beat): one task per calendar whose syncs are on."""
    calendars = CalendarIntegration.objects.filter(
        sync_enabled=True,
        credential__status=IntegrationCredential.Status.ACTIVE,
        credential__sync_enabled=True,
    ).values_list("pk", flat=True)
    count = 0
    for pk in calendars:
        sync_integration.delay(str(pk))
        count += 1
    return count
