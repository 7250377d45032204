"""Thin Celery tasks: ids in, services called."""

from celery import shared_task

from integrations import credentials
from integrations.errors import IntegrationError, Transient
from integrations.sync import BACKOFF_SECONDS, retry_countdown
from integrations.tasks import SyncTask

from . import knowledge, sheets
from .models import SheetImport


@shared_task(
    bind=True, name="productivity.import_sheet", acks_late=True, max_retries=len(BACKOFF_SECONDS)
)
def import_sheet(self, import_id):
    """Import a sheet; timeouts, 5xx and 429 are retried with the syncs' backoff, then the import
    fails saying so. Importing again is always safe: contacts are matched by email."""
    job = SheetImport.objects.get(pk=import_id)
    if job.status not in (SheetImport.Status.QUEUED, SheetImport.Status.RUNNING):
        return job.status
    try:
        return sheets.import_contacts(job).status
    except Transient as exc:
        attempts = self.request.retries + 1
        countdown = retry_countdown(exc, self.request.retries)
        if countdown is None:
            error = f"Reading the sheet failed after {attempts} attempts ({exc.message})."
            return sheets.finish(job, error=f"{error} Import it again later.").status
        SheetImport.objects.filter(pk=job.pk).update(
            error=f"Attempt {attempts} failed ({exc.message}); trying again."
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    except IntegrationError as exc:
        return sheets.finish(job, error=exc.message).status


@shared_task(bind=True, base=SyncTask, name="productivity.sync_notion")
def sync_notion(self, workspace_id, trigger="schedule", log_id=None):
    """Pull the workspace's shared Notion pages through the sync runner (retried on 429, 5xx and
    timeouts; ``log_id`` names the SyncLog queued for it)."""
    credential = credentials.find(workspace_id, "notion")
    if credential is None:
        return None
    log = self.run_job(knowledge.KnowledgeSync(credential), trigger, log_id=log_id)
    return str(log.pk) if log else None


@shared_task(name="productivity.sync_notion_all")
def sync_notion_all() -> int:
    """Every hour (celery-beat): one Notion sync per workspace with Notion connected and its
    syncs on."""
    workspaces = credentials.active("notion", sync_enabled=True).values_list(
        "workspace_id", flat=True
    )
    for workspace_id in set(workspaces):
        sync_notion.delay(str(workspace_id))
    return len(set(workspaces))
