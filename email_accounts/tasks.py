"""Thin Celery tasks: ids in, services called."""

from celery import shared_task
from django.db.models import Q

from integrations.models import IntegrationCredential
from integrations.tasks import SyncTask

from . import services
from .models import EmailAccount

Active = IntegrationCredential.Status.ACTIVE


@shared_task(bind=True, base=SyncTask, name="email_accounts.sync_account")
def sync_account(self, account_id, full=False, trigger="schedule", log_id=None):
    account = EmailAccount.objects.select_related("credential").filter(pk=account_id).first()
    if account is None:
        return None
    job = services.sync_job(account)
    if full:
        job.reset()
    log = self.run_job(job, trigger, log_id=log_id)
    return str(log.pk) if log else None


@shared_task(name="email_accounts.sync_credential")
def sync_credential(credential_id, full=False, trigger="schedule"):
    """The mailbox(es) of one credential (the admin's "sync now")."""
    for account_id in EmailAccount.objects.filter(credential_id=credential_id).values_list(
        "pk", flat=True
    ):
        sync_account.delay(str(account_id), full=full, trigger=trigger)


@shared_task(name="email_accounts.sync_all")
def sync_all() -> int:
    """Every 5 minutes (celery-beat): one task per mailbox whose syncs are on."""
    accounts = EmailAccount.objects.filter(
        Q(sync_enabled=True), credential__status=Active, credential__sync_enabled=True
    ).values_list("pk", flat=True)
    count = 0
    for account_id in accounts:
        sync_account.delay(str(account_id))
        count += 1
    return count
