"""Thin Celery tasks: ids in, services called."""

from celery import shared_task

from integrations.errors import IntegrationError
from integrations.models import IntegrationCredential

from . import notion, sheets
from .models import SheetImport


@shared_task(name="productivity.import_sheet", acks_late=True)
def import_sheet(import_id):
    job = SheetImport.objects.get(pk=import_id)
    if job.status not in (SheetImport.Status.QUEUED, SheetImport.Status.RUNNING):
        return job.status
    try:
        return sheets.import_contacts(job).status
    except IntegrationError as exc:
        return sheets.finish(job, error=exc.message).status


@shared_task(name="productivity.sync_notion", acks_late=True, bind=True, max_retries=3)
def sync_notion(self, workspace_id):
    """Pull the workspace's shared Notion pages; a 429 retries after Notion's Retry-After."""
    from clianta.models import Workspace
    from integrations.errors import RateLimited

    try:
        counts = notion.sync_pages(Workspace.objects.get(pk=workspace_id))
    except RateLimited as exc:
        raise self.retry(exc=exc, countdown=exc.retry_after or 5) from exc
    return {"created": counts.created, "updated": counts.updated, "gone": counts.deleted}


@shared_task(name="productivity.sync_notion_all")
def sync_notion_all() -> int:
    """Every hour (celery-beat): one Notion sync per workspace with Notion connected."""
    workspaces = IntegrationCredential.objects.filter(
        provider="notion", status=IntegrationCredential.Status.ACTIVE
    ).values_list("workspace_id", flat=True)
    for workspace_id in set(workspaces):
        sync_notion.delay(str(workspace_id))
    return len(set(workspaces))
